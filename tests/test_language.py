"""Language of documents: py3langid's guess where it is sure, the page's declared one where not."""

from __future__ import annotations

import pytest

from skillenai.classify.language import (
    LANGUAGE_MIN_PROBABILITY,
    detect_language,
    guess_language,
    primary_language,
    reads_as_english,
)
from skillenai.classify.tagger import tag_documents

LOCATIONS = ("Locations\n- Austin 500 Congress Avenue\nAustin, TX 78701\nUnited States\n"
             "- Dublin 12 Grand Canal Quay\nDublin 2\nIreland")
PROSE = {
    "en": "Senior Data Engineer. You will design and run the pipelines that move billions of events a day "
          "into our lakehouse, working with Spark, Airflow and dbt.",
    "de": "Wir suchen eine erfahrene Softwareentwicklerin (m/w/d) für unser Team in Köln. "
          "Du arbeitest mit Java, Kotlin und Kubernetes.",
    "fr": "Nous recherchons un développeur backend confirmé pour rejoindre notre équipe à Lyon. "
          "Vous travaillerez avec Python et PostgreSQL.",
    "es": "Buscamos una ingeniera de datos con experiencia en SQL y Python para nuestro equipo de Madrid. "
          "Ofrecemos horario flexible.",
    "nl": "Wij zoeken een ervaren frontend developer voor ons team in Amsterdam. "
          "Je werkt met React en TypeScript aan onze webshop.",
    "pl": "Poszukujemy doświadczonego programisty Python do naszego zespołu w Krakowie. "
          "Oferujemy pracę hybrydową i prywatną opiekę medyczną.",
}

# Postings of 40 words and more, where the English shortcut could fire; the Danish and
# Norwegian ones use "for", the Dutch one "of", the German one "will".
LONG = {
    "en": "About the role. You will join the platform team and help us run the services that our customers "
          "use every day. We are looking for someone who has built data pipelines before and who enjoys "
          "working with product managers, designers and other engineers. Your work will shape how the "
          "company ships software for the next years.",
    "de": "Über die Stelle. Du wirst Teil unseres Plattform-Teams und hilfst uns, die Dienste zu betreiben, "
          "die unsere Kundinnen und Kunden jeden Tag nutzen. Wir suchen jemanden, der schon Datenpipelines "
          "gebaut hat und gern mit Produktmanagern, Designerinnen und anderen Entwicklern zusammenarbeitet. "
          "Wer will, kann zwei Tage pro Woche von zu Hause arbeiten.",
    "fr": "À propos du poste. Vous rejoindrez l'équipe plateforme et nous aiderez à faire tourner les services "
          "que nos clients utilisent chaque jour. Nous cherchons une personne qui a déjà construit des chaînes "
          "de traitement de données et qui aime travailler avec les chefs de produit, les designers et les "
          "autres ingénieurs.",
    "es": "Sobre el puesto. Te unirás al equipo de plataforma y nos ayudarás a mantener los servicios que "
          "nuestros clientes usan cada día. Buscamos a alguien que ya haya construido flujos de datos y que "
          "disfrute trabajando con responsables de producto, diseñadores y otros ingenieros de nuestra empresa.",
    "nl": "Over de functie. Je komt in het platformteam en helpt ons de diensten te draaien die onze klanten "
          "elke dag gebruiken. We zoeken iemand die al eerder datapijplijnen heeft gebouwd, of die dat graag "
          "wil leren, en die het leuk vindt om samen te werken met productmanagers, ontwerpers en andere "
          "ontwikkelaars.",
    "da": "Om stillingen. Du bliver en del af vores platformteam og hjælper os med at drive de tjenester, som "
          "vores kunder bruger hver dag. Vi søger en person, der har bygget datapipelines før, og som har lyst "
          "til at arbejde sammen med produktchefer, designere og andre udviklere. Der er plads til dig, for "
          "vi vokser.",
    "no": "Om stillingen. Du blir en del av plattformteamet vårt og hjelper oss med å drive tjenestene som "
          "kundene våre bruker hver dag. Vi ser etter en person som har bygget datapipelines før, og som liker "
          "å jobbe sammen med produktledere, designere og andre utviklere. Det er rom for deg, for vi vokser "
          "raskt.",
}


@pytest.mark.parametrize("tag, code", [
    ("en", "en"), ("en-US", "en"), ("EN_gb", "en"), (" de-DE ", "de"), ("zh-Hant-TW", "zh"), ("fil", "fil"),
    ("und", None), ("zxx", None), ("English", None), ("", None), ("x-default", None), (None, None), (7, None),
])
def test_primary_language_of_declared_tags(tag, code):
    assert primary_language(tag) == code


@pytest.mark.parametrize("code", sorted(PROSE))
def test_prose_is_detected_whatever_the_page_declares(code):
    assert detect_language(PROSE[code]) == code
    # A template's default "en" does not outvote a confident guess.
    assert detect_language(PROSE[code], "en-US") == code


def test_a_short_snippet_keeps_its_pages_language():
    # py3langid alone scatters a location list over English-like languages.
    lang, probability = guess_language(LOCATIONS)
    assert probability < LANGUAGE_MIN_PROBABILITY
    assert detect_language(LOCATIONS, "en") == "en"
    assert detect_language(LOCATIONS, "en_GB") == "en"
    assert detect_language(LOCATIONS) is None  # nothing declared: no guess stored
    assert detect_language("Apply now", "fr-CA") == "fr"  # too short to read at all
    assert detect_language("Apply now") is None


def test_probability_is_py3langids_own_normalisation():
    from py3langid.langid import LanguageIdentifier

    from skillenai.classify.langmodel import identifier

    shared = identifier()
    normalised = LanguageIdentifier(shared.nb_ptc, shared.nb_pc, shared.nb_classes, shared.tk_nextmove,
                                    shared.tk_output, norm_probs=True, tk_row=shared.tk_row)
    for text in [LOCATIONS, *PROSE.values(), "Offices in London, Berlin, Toronto and Singapore."]:
        lang, probability = guess_language(text)
        expected_lang, expected = normalised.classify(text)
        assert lang == expected_lang
        assert probability == pytest.approx(expected, abs=1e-3)


def test_tagging_gives_a_language_to_documents_without_one():
    docs = [{"id": 1, "title": "Softwareentwicklerin (m/w/d)", "text": PROSE["de"]},
            {"id": 2, "title": "Data Engineer", "text": PROSE["en"], "lang": "en-US"},
            {"id": 3, "title": "Data Engineer", "text": PROSE["en"], "lang": "de"},  # the document's own word stands
            {"id": 4, "title": "Office", "text": LOCATIONS}]
    assert [t.lang for t in tag_documents(docs)] == ["de", "en", "de", None]
    assert tag_documents(docs[:1])[0].as_json()["lang"] == "de"


def _page(text: str, html_attrs: str = "", head: str = "") -> str:
    paragraphs = "".join(f"<p>{line}</p>" for line in text.split("\n"))
    return (f"<!DOCTYPE html><html{html_attrs}><head><meta charset='utf-8'><title>Careers</title>{head}</head>"
            f"<body><nav><a href='/'>Home</a></nav><main><h1>Careers</h1>{paragraphs}</main></body></html>")


@pytest.mark.parametrize("html_attrs, head, text, expected", [
    (' lang="en-GB"', "", LOCATIONS, "en"),  # short: the declared language stands
    (' xml:lang="en"', "", LOCATIONS, "en"),
    ("", '<meta property="og:locale" content="en_US">', LOCATIONS, "en"),
    ("", "", LOCATIONS, None),
    (' lang="en"', "", PROSE["de"], "de"),  # prose: the text's language, whatever the template says
])
def test_pages_take_their_declared_language_when_the_text_is_too_short(html_attrs, head, text, expected):
    from skillenai.crawler.parsing.pages import documents_from_page

    found = documents_from_page(_page(text, html_attrs, head), "https://acme.example/careers")
    assert found.unstructured["lang"] == expected


@pytest.mark.parametrize("code", sorted(LONG))
def test_english_shortcut_fires_on_english_prose_only(code):
    assert len(LONG[code].split()) >= 40
    assert reads_as_english(LONG[code]) == (code == "en")
    assert detect_language(LONG[code]) == code
    assert guess_language(LONG[code])[0] == code  # the model agrees


def test_english_shortcut_agrees_with_the_model_on_the_sample_web(tmp_path):
    import datetime as dt
    import json

    from skillenai.sampleweb.generate import generate

    generate(tmp_path, postings=400, seed=3, as_of=dt.date(2026, 5, 9))
    docs = []
    for name, field in (("articles", "body"), ("postings", "description_text")):
        with (tmp_path / "truth" / f"{name}.jsonl").open(encoding="utf-8") as handle:
            docs += [(row["lang"], row[field]) for row in map(json.loads, handle)]
    assert {lang for lang, _ in docs} >= {"en", "de"}
    english = [text for lang, text in docs if reads_as_english(text)]
    assert len(english) > 0.9 * sum(lang == "en" for lang, _ in docs)
    assert all(guess_language(text, limit=600)[0] == "en" for text in english)
    assert all(detect_language(text) == lang for lang, text in docs if lang != "en")
