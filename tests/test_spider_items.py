"""Spider item building on real-looking API objects (no crawl: the method that turns one
job object into a Document)."""

from types import SimpleNamespace

from skillenai.crawler.spiders.ashby import AshbySpider


def test_an_ashby_posting_whose_html_is_cut_short_keeps_the_plain_text():
    plain = ("About the role\nYou will build the services behind our payments platform in Go and Postgres.\n"
             "Requirements\n- 5+ years building backend services\n- Experience with Kubernetes")
    job = {"title": "Backend Engineer", "jobUrl": "https://jobs.ashbyhq.com/acme/1", "location": "Berlin",
           "descriptionHtml": "<p>About the role</p>", "descriptionPlain": plain, "isListed": True}
    item = AshbySpider().job_item(job, SimpleNamespace(source="acme", target="acme"))
    assert item.text == plain
    whole = {**job, "descriptionHtml": "<p>About the role</p><p>You will build the services behind our payments "
                                       "platform in Go and Postgres.</p>"}
    assert "payments platform" in AshbySpider().job_item(whole, SimpleNamespace(source="acme", target="acme")).text
