import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skillenai.crawler.parsing.salary import parse_salary


@pytest.mark.parametrize("text,expected", [
    ("$140,000 - $180,000 per year", (140000, 180000, "USD", "year")),
    ("€60k–75k", (60000, 75000, "EUR", "year")),
    ("USD 55/hour", (55, 55, "USD", "hour")),
    ("£45,000 to £55,000 a year", (45000, 55000, "GBP", "year")),
    ("120K-150K USD annually", (120000, 150000, "USD", "year")),
    ("Pay: $40 - $55 per hour", (40, 55, "USD", "hour")),
    ("salary 90.000 - 110.000 EUR", (90000, 110000, "EUR", "year")),
    ("Compensation: 87.000 € – 119.000 € brutto/Jahr, plus equity", (87000, 119000, "EUR", "year")),
    ("₹23,40,000 - ₹32,80,000 per annum", (2340000, 3280000, "INR", "year")),
    ("The base salary range for this role is $84,000 - $132,000 CAD.", (84000, 132000, "CAD", "year")),
    ("INR 25-35 LPA", (2500000, 3500000, "INR", "year")),
    ("86,000 CAD—159,000 CAD", (86000, 159000, "CAD", "year")),
    # US pay-transparency wording, a code before the symbol, Swiss and other currencies.
    ("The annual salary for this role is between $137,000 and $181,000 USD.", (137000, 181000, "USD", "year")),
    ("The pay is between $25 and $30 an hour.", (25, 30, "USD", "hour")),
    ("CAD $110,000 - $130,000", (110000, 130000, "CAD", "year")),
    ("CAD$ 95,000–110,000", (95000, 110000, "CAD", "year")),
    ("CHF 120'000 - 140'000", (120000, 140000, "CHF", "year")),
    ("S$6,000 - S$8,000 per month", (6000, 8000, "SGD", "month")),
    ("HK$40,000 - 55,000 monthly", (40000, 55000, "HKD", "month")),
    ("R$ 12.000 a R$ 15.000", (12000, 15000, "BRL", "year")),
    ("zwischen 60.000 und 75.000 € brutto im Jahr", (60000, 75000, "EUR", "year")),
    ("entre 30.000 y 40.000 € al año", (30000, 40000, "EUR", "year")),
])
def test_salary_lines(text, expected):
    assert tuple(parse_salary(text)) == expected


@pytest.mark.parametrize("text", ["2 - 3 years of experience", "teams of 10-20 people",
                                  "401(k) with a 4% company match", "between 2 and 3 days a week",
                                  "We raised $50M and $20M", "$100 and $200 gift cards", ""])
def test_not_salaries(text):
    assert parse_salary(text) is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789 ,.$€£₹kK-–toperyarhUSDCADLP/")), max_size=60))
def test_never_raises_and_ranges_are_ordered(text):
    salary = parse_salary(text)
    if salary is not None:
        assert 0 <= salary.min <= salary.max
        assert salary.period in ("hour", "day", "week", "month", "year")


_SALARY_BITS = ["$", "€", "£", "₹", "US$", "CA$", "S$", "R$", "USD", "cad", "EUR ", "140,000", "55", "87.000", "23,40,000",
                "120'000", "90k", "1.5", "12", " - ", "–", " to ", " bis ", " a ", " and ", " y ", "between ", "/",
                " per ", "hour", "yr", "annum", " LPA",
                " annually", "k", "K", " ", "  ", "years", "(", ")", "\n", "x", "brutto"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_SALARY_BITS), max_size=12).map("".join))
def test_the_quick_rejection_rejects_no_salary(text):
    # parse_salary first looks for what lies between a range's amounts, or at a rate's
    # end; without that look it must read every text the same.
    import skillenai.crawler.parsing.salary as salary

    everything = re.compile("")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(salary, "_RANGE_MIDDLE", everything)
        patch.setattr(salary, "_RATE_END", everything)
        unfiltered = salary.parse_salary(text)
    assert salary.parse_salary(text) == unfiltered


def test_pay_transparency_paragraphs_and_blocks():
    from skillenai.crawler.ats import salary_fields_from_text
    from skillenai.crawler.parsing.extract import html_to_text

    paragraph = ("The US base salary range for this full-time position is $133,000 - $184,000 + equity + benefits. "
                 "Our salary ranges are determined by role, level, and location. The range displayed on each job "
                 "posting reflects the minimum and maximum target for new hire salaries for the position across all "
                 "US locations. Within the range, individual pay is determined by work location and additional "
                 "factors, including job-related skills, experience, and relevant education or training.")
    assert len(paragraph) > 300
    assert salary_fields_from_text(f"About the role\n{paragraph}") == {
        "salary_min": 133000, "salary_max": 184000, "salary_currency": "USD", "salary_period": "year"}
    # A Greenhouse pay-transparency block, as its job board API sends it.
    block = ('<p>We build things.</p><div class="content-pay-transparency"><div class="pay-input">'
             '<div class="title">Canada Base Salary Range</div><div class="pay-range"><span>$120,000</span>'
             '<span class="divider">&mdash;</span><span>$150,000 CAD</span></div></div></div>')
    assert salary_fields_from_text(html_to_text(block)) == {
        "salary_min": 120000, "salary_max": 150000, "salary_currency": "CAD", "salary_period": "year"}
    # Two years in a long paragraph are no salary.
    assert salary_fields_from_text("We were founded in 2015 - 2016 by two friends. " * 10) == {}


@pytest.mark.parametrize("text, expected", [
    ("$173,000.00 - $259,600.00/yr.", (173000.0, 259600.0, "USD", "year")),
    ("$190,400.00 - $285,600.00 USD", (190400.0, 285600.0, "USD", "year")),
    ("€60.000,50 - €75.000,00 per year", (60000.5, 75000.0, "EUR", "year")),
])
def test_amounts_with_cents(text, expected):
    assert tuple(parse_salary(text)) == expected


def test_a_bare_dollar_is_the_local_dollar_of_the_jobs_country():
    from skillenai.crawler.ats import salary_fields_from_text

    line = "The base salary range for this role is $120,000 - $150,000."
    assert salary_fields_from_text(line, "Toronto, ON")["salary_currency"] == "CAD"
    assert salary_fields_from_text(line, "Sydney, NSW, Australia")["salary_currency"] == "AUD"
    assert salary_fields_from_text(line, "Austin, TX")["salary_currency"] == "USD"
    assert salary_fields_from_text(line, "Toronto, ON; New York, NY")["salary_currency"] == "USD"
    assert salary_fields_from_text(line.replace("$150,000.", "$150,000 USD."), "Toronto")["salary_currency"] == "USD"


@pytest.mark.parametrize("text", [
    "We offer a $500 per month credit for waiving medical benefits.",
    "Fertility HRA (up to $10,000 per year)",
    "A personal development budget of $500 per annum",
])
def test_a_benefits_money_is_no_salary(text):
    from skillenai.crawler.ats import salary_fields_from_text

    assert salary_fields_from_text("Benefits\n" + text) == {}
