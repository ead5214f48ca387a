"""The skill-span model and the tagger built on it, on real-looking postings: each kind of
error the alias matcher made on real job ads has a case here (benefits, warnings, the
employer's own words, abbreviations with another meaning, links, title words), and so
have the misses (lowercase tools in lists, '. NET', generic skills, degrees, languages)."""

import hashlib

import pytest

from skillenai.classify.skills.linking import link_span
from skillenai.classify.skills.spandata import labelled_postings, skillspan_postings
from skillenai.classify.skills.spans import SpanTagger, tidy_spans, tokenize
from skillenai.classify.skills.spantrain import SKILLSPAN_TRAIN, train_span_model
from skillenai.classify.tagger import tag_documents

ROLE = ("About the role\nYou will build and run the services behind our payments platform, working with product and "
        "design to ship features every week.\nWhat you'll do\n- Design and build reliable services\n"
        "- Own features from design to production\n")


def skills(text: str, title: str = "Software Engineer", company: str | None = None) -> set[str]:
    [tags] = tag_documents([{"id": 1, "kind": "posting", "title": title, "text": text, "company": company}])
    return {m.name for m in tags.skills} | {m.name for m in tags.title_skills}


def test_benefits_are_no_skills():
    found = skills(ROLE + "Requirements\n- 3+ years of experience with Python and PostgreSQL\nBenefits\n"
                   "- Virtual care through Included Health and at-home care support for your family\n"
                   "- Catered lunches and catering for team events\n- Generous parental leave")
    assert {"Python", "PostgreSQL"} <= found
    assert not found & {"Telehealth", "Home health care", "Cooking"}


def test_a_recruiting_scam_warning_is_no_recruiting():
    found = skills(ROLE + "Requirements\n- Experience with Go and Kubernetes\nRecruitment fraud alert\nOur recruiting "
                   "team will never ask you for payment or bank details. Beware of recruiting scams that use our name.")
    assert {"Go", "Kubernetes"} <= found and "Recruiting" not in found


def test_the_employers_name_for_its_staff_is_not_its_product():
    found = skills(ROLE + "Requirements\n- Experience with Ruby and MySQL\nStripes are encouraged to apply even if "
                   "they do not meet every requirement. As a Stripe, you will work with other Stripes.", company="Stripe")
    assert {"Ruby", "MySQL"} <= found and "Stripe" not in found


def test_office_logistics_are_not_actuarial_science_or_cooking():
    found = skills("About the role\nOur office manager keeps the London office running for 80 people.\nWhat you'll do\n"
                   "- Greet visitors and manage deliveries\n- Support the team by reserving conference rooms and ordering "
                   "catering for events\n- Keep office supplies stocked\nRequirements\n- 2+ years of office "
                   "administration experience\n- Proficiency with Google Workspace and Microsoft Excel")
    assert {"Google Workspace", "Microsoft Excel"} <= found
    assert not found & {"Actuarial science", "Cooking"}


@pytest.mark.parametrize("text, wrong", [
    ("About us\nWe are an authorised EMI regulated by the FCA, offering e-money accounts to small businesses across "
     "Europe.\nWhat you'll do\n- Build our payment APIs\n- Work with compliance on new products\nRequirements\n"
     "- Experience with Java and Kafka\n- Knowledge of payments regulation", "Signal integrity"),
    (ROLE + "You will partner with our CSMs and Account Executives to drive renewals and understand customer needs.\n"
     "Requirements\n- Experience with TypeScript and React", "Certified ScrumMaster"),
    (ROLE + "All changes go through PMP, our product management process, before release.\nRequirements\n"
     "- Experience with Swift and iOS development", "PMP"),
    ("About us\nOur partner FAI provides fibre internet to homes across France, and we build the software behind it.\n"
     "What you'll do\n- Build the network provisioning services\n- Work with operations on incidents\nRequirements\n"
     "- Experience with Python and Ansible\n- Understanding of networking", "Metrology"),
    (ROLE + "Requirements\n- Experience with Scala and Spark\nApply at https://careers.example.com/jobs/123 or read "
     "more about us at http://example.com/about.", "HTTP"),
])
def test_an_abbreviation_or_a_link_with_another_meaning_is_no_skill(text, wrong):
    assert wrong not in skills(text)


def test_a_titles_job_words_are_no_skills_but_its_tools_are():
    found = skills(ROLE + "Requirements\n- Go and Kafka", title="Senior Backend Engineer, Python")
    assert "Python" in found and "Backend development" not in found


def test_a_tool_the_text_names_again_is_tagged_from_the_text_not_the_title():
    # Real annotators leave a title's tools unmarked: where the text names the tool again, its
    # mention there carries the tag (and the span); a tool only the title names still tags the
    # posting, from the title.
    text = ROLE + "Requirements\n- 3+ years of experience with Python and Django\n- Experience with PostgreSQL"
    [tags] = tag_documents([{"id": 1, "kind": "posting", "title": "Senior Python Developer (Django, AWS)", "text": text}])
    body = {m.name: m for m in tags.skills}
    assert {"Python", "Django", "PostgreSQL"} <= set(body) and all(body[n].spans for n in ("Python", "Django"))
    assert [m.name for m in tags.title_skills] == ["Amazon Web Services"]
    assert not {"Software development", "Python"} & {m.name for m in tags.title_skills}


def test_what_the_alias_matcher_missed_in_real_lists():
    found = skills("About the role\nYou will join a team building internal tools for our finance teams.\nWhat you'll do\n"
                   "- Build and maintain services\n- Write tests and automate releases\nRequirements\n"
                   "- c#, java, spring, qa\n- Experience with . NET and REST\n- BS/BA degree in Computer Science or "
                   "related field\n- Fluent English\n- Background in financial services, cloud, testing and automation")
    assert {"C#", "Java", "Spring", "Quality assurance", ".NET", "REST APIs", "Bachelor's degree", "English language",
            "Financial services", "Cloud computing", "Software testing"} <= found


def test_spans_end_where_real_lists_and_pairs_end():
    # A posting's commas and "X and Y" between two tools part its spans (the training text has
    # no commas); a span keeps no joining word or lone bracket at its ends.
    from skillenai.classify.skills.matcher import detect_skills

    text = ROLE + ("Requirements\n- Experience with Docker, Kubernetes, Terraform\n- React and Redux on the front end\n"
                   "- Strong Java and C# skills\n- Familiarity with CI/CD (GitHub Actions)")
    [found] = detect_skills([text])
    named = [text[a:b] for a, b in found.knowledge]
    assert {"Docker", "Kubernetes", "Terraform", "React", "Redux", "Java", "C#"} <= set(named), named
    assert not [n for n in named if "," in n or n.split()[-1] in ("and", "or", "with", ")") or n.startswith("(")], named


def test_a_span_that_names_no_known_skill_is_a_candidate():
    [tags] = tag_documents([{"id": 1, "kind": "posting", "title": "Cloud Engineer", "text": (
        ROLE + "Requirements\n- Knowledge of AWS (EC2, S3), Tencent Cloud and Terraform\n"
        "- Experience with MLPS v2.0 compliance")}])
    assert "Terraform" in {m.name for m in tags.skills}
    assert "Tencent Cloud" in {c.text for c in tags.candidates}
    assert tags.as_json()["candidates"]


@pytest.mark.parametrize("text, name, method", [
    ("Kuberentes", "Kubernetes", "nearest"), ("experience with Postgres", "PostgreSQL", "normalised"),
    (". NET", ".NET", "alias"), ("c#", "C#", "alias"), ("reviews", None, "none"), ("engineering", None, "none"),
])
def test_linking(text, name, method):
    [link] = link_span(text)
    assert (link.skill.name if link.skill else None, link.method) == (name, method)


def test_a_span_ending_before_its_head_noun_takes_it_in():
    # "AWS" then "services": annotators mark the whole phrase. A head noun on the next line or
    # after a comma, or a word that names a skill alone ("security"), stays out.
    text = "Experience with AWS services and message queue\nsystems\nRedis, tools and Python security"
    doc = tokenize(text)
    words = [text[a:b] for a, b in doc.offsets]
    got = [" ".join(words[i:j]) for i, j in tidy_spans(text, doc.offsets, [(2, 3), (5, 7), (8, 9), (11, 12)])]
    assert got == ["AWS services", "message queue", "Redis", "Python"], got


def test_a_bracket_glued_to_a_span_that_closes_one_standing_apart_is_taken_in():
    # SkillSpan's tokens keep "Docker)" whole and its annotators mark it so; "(AWS)" as
    # written in a real posting marks "AWS" alone, and so does a bracket standing apart.
    text = "Experience with infrastructure setup ( Docker) CI tools ( Jenkins Concourse ) and cloud (AWS)"
    doc = tokenize(text)
    words = [text[a:b] for a, b in doc.offsets]
    at = {w: k for k, w in enumerate(words)}
    spans = [(at["Docker"], at["Docker"] + 1), (at["Concourse"], at["Concourse"] + 2), (at["AWS"], at["AWS"] + 1)]
    got = [" ".join(words[i:j]) for i, j in tidy_spans(text, doc.offsets, spans)]
    assert got == ["Docker )", "Concourse", "AWS"], got


def test_a_span_the_model_reads_as_an_ability_is_no_knowledge():
    # "Expand our Kubernetes monitoring": annotators mark the duty as a SKILL span; the tool in
    # it (Kubernetes) is KNOWLEDGE, the word the model reads as part of the duty is not.
    from skillenai.classify.skills.matcher import detect_skills

    text = ("About the role\nYou will build and run the services behind our payments platform, working with product "
            "and design to ship features every week.\nWhat you'll do\n- Develop and execute manual and automated "
            "tests\n- Troubleshoot performance and concurrency issues\n- Take on code review responsibilities\n"
            "- Build Java web applications\n- Expand our Kubernetes monitoring\nRequirements\n"
            "- 5+ years of experience with Java and Spring Boot\n- Experience with CI/CD pipelines\n"
            "- Fluent in German and English")
    [found] = detect_skills([text])
    at = text.index("monitoring")
    assert (at, at + len("monitoring")) in found.spans and (at, at + len("monitoring")) not in found.knowledge
    assert {"Kubernetes", "Java", "Spring Boot", "CI/CD pipelines"} <= {text[a:b] for a, b in found.knowledge}


def test_tokens_keep_tool_names_whole():
    doc = tokenize("Skills:\n- C++, C#, .NET and Node.js (CI/CD).")
    assert [t for line in doc.line_tokens() for t in line][1:8] == ["-", "C++", "C#", ".NET", "and", "Node.js", "("]


def test_training_is_deterministic_and_the_model_finds_spans(tmp_path):
    postings = skillspan_postings(SKILLSPAN_TRAIN, "tech")[:12] + labelled_postings(held=False)[:4]
    digests = []
    for run in ("a", "b"):
        report = train_span_model(tmp_path / run, postings)
        assert report["postings"] == 16
        digests.append({f.name: hashlib.sha1(f.read_bytes()).hexdigest() for f in sorted((tmp_path / run).iterdir())})
    assert digests[0] == digests[1]
    tagger = SpanTagger.load(tmp_path / "a")
    text = ("Requirements\n- Experience with Java and Spring Boot\n- Knowledge of SQL databases\n"
            "- Familiarity with Docker and Kubernetes")
    found = {text[a:b] for a, b in tagger.predict(text)}
    assert found & {"Java", "Spring Boot", "SQL", "Docker", "Kubernetes"}


def test_a_tool_named_in_the_teams_blurb_is_dropped_by_the_second_look():
    # From a real posting: the team's conference talks name a tool no one asks for.
    from skillenai.classify.skills.matcher import detect_skills
    from skillenai.classify.skills.spantrain import load_span_tagger

    text = ("About the team\nWe build the next generation of our container orchestration platform, and regularly "
            "present our work at industry forums such as KubeCon (2023, 2024 sessions).\n"
            "What you'll do\n- Design and build reliable services\n- Own features from design to production\n"
            "Requirements\n- 5+ years of experience with Go and Kubernetes\n- Experience with Terraform and AWS\n")
    tagger = load_span_tagger()
    assert tagger.span_filter is not None
    found = {}
    for name, span_filter in (("with", tagger.span_filter), ("without", None)):
        saved, tagger.span_filter = tagger.span_filter, span_filter
        try:
            tagger.forget_lines()
            [detection] = detect_skills([text])
        finally:
            tagger.span_filter = saved
        found[name] = {text[a:b] for a, b in detection.spans}
    assert "KubeCon" in found["without"] and "KubeCon" not in found["with"]
    assert {"Go", "Kubernetes", "Terraform", "AWS"} <= found["with"]


def test_the_span_filter_checks_its_settings_and_trains_deterministically(tmp_path):
    from skillenai.classify.skills.filtertrain import read_spans, train_span_filter
    from skillenai.classify.skills.matcher import detect_skills
    from skillenai.classify.skills.spanfilter import FILTER_FILE, SpanFilter

    with pytest.raises(ValueError, match="C must be positive"):
        SpanFilter(C=0)
    with pytest.raises(ValueError, match="threshold must be in"):
        SpanFilter(threshold=1.5)
    postings = skillspan_postings(SKILLSPAN_TRAIN, "tech")[:16] + labelled_postings(held=False)[:8]
    train_span_model(tmp_path, postings)
    probabilities = []
    for run in ("a", "b"):
        report = train_span_filter(detect_skills, tmp_path, postings, folds=2)
        assert report["postings"] == 24 and report["spans"] > 50
        flt = SpanFilter.load(tmp_path / FILTER_FILE)
        records = read_spans(postings[:4], SpanTagger.load(tmp_path), detect_skills)
        probabilities.append(flt.keep_probability([f for rec in records for _, f in rec]))
    assert probabilities[0] == probabilities[1] and len(probabilities[0]) > 10
    features = [f for rec in records for _, f in rec]
    assert flt.keep_probability(features) == pytest.approx(flt.sklearn_probability(features), abs=1e-9)
    assert min(probabilities[0]) < 0.5 < max(probabilities[0])


def _crfsuite_marginals(tagger: SpanTagger, feats: list[list[list[str]]]) -> list[list[float]]:
    """Per line, p(in an output span) per token, by pycrfsuite's own Tagger.marginal (the reference)."""
    import pycrfsuite

    out = []
    for xseq in feats:
        total = [0.0] * len(xseq)
        for crf in tagger._taggers:
            crf.set(pycrfsuite.ItemSequence(xseq))
            for label in ("B-K", "I-K"):
                if label in crf.labels():
                    total = [t + crf.marginal(label, i) for i, t in enumerate(total)]
        out.append([t / len(tagger._taggers) for t in total])
    return out


def _check_against_crfsuite(tagger: SpanTagger, texts: list[str]) -> int:
    docs = [tokenize(t) for t in texts]
    tagger.forget_lines()
    batch = tagger.doc_marginals(docs)
    tokens = 0
    for doc, lines in zip(docs, batch):
        feats = tagger.featurizer.doc_features(doc)
        assert [len(x[0]) for x in lines] == [len(x) for x in feats]
        alone = tagger.marginals(feats)
        for (p_in, _, _), (p_alone, _, _), ref in zip(lines, alone, _crfsuite_marginals(tagger, feats)):
            # a document read in a batch from its parts' ids, or alone from its strings: the
            # same to rounding (the parts' weights are summed apart, then added)
            assert p_in == pytest.approx(p_alone, abs=1e-13)
            assert p_in == pytest.approx(ref, abs=1e-12)
            tokens += len(ref)
    return tokens


def test_marginals_are_crfsuites_on_real_postings():
    from skillenai.classify.skills.spantrain import load_span_tagger

    texts = [p.text for p in labelled_postings(held=None)[:40]]
    assert _check_against_crfsuite(load_span_tagger(), texts) > 2000


def test_marginals_are_crfsuites_for_an_average_of_models(tmp_path):
    postings = skillspan_postings(SKILLSPAN_TRAIN, "tech")[:10] + labelled_postings(held=False)[:4]
    train_span_model(tmp_path, postings, params=({"c1": 0.1, "c2": 0.01}, {"c1": 0.5, "c2": 0.1}))
    tagger = SpanTagger.load(tmp_path)
    assert len(tagger._taggers) == 2
    assert _check_against_crfsuite(tagger, [p.text for p in labelled_postings(held=True)[:10]]) > 300


def test_a_line_read_before_has_the_marginals_a_fresh_reader_gives_it():
    from skillenai.classify.skills.spantrain import MODEL_DIR, load_span_tagger

    texts = [p.text for p in labelled_postings(held=None)[:30]]
    warm = load_span_tagger()
    warm.doc_marginals([tokenize(text) for text in texts[::-1]])  # every line and part now in the memory
    for text in texts:
        fresh = SpanTagger.load(MODEL_DIR)
        doc = tokenize(text)
        assert warm.doc_marginals([doc]) == fresh.doc_marginals([doc])
        assert warm.featurizer.doc_features(doc) == fresh.featurizer.doc_features(doc)
        assert warm.featurizer.doc_features(doc, title_line=True) == fresh.featurizer.doc_features(doc, title_line=True)


def test_parts_by_id_are_the_parts_of_the_features():
    from skillenai.classify.skills.spantrain import load_span_tagger

    featurizer = load_span_tagger().featurizer
    for p in labelled_postings(held=None)[:10]:
        doc = tokenize(p.text)
        codes: dict = {}
        keys = featurizer.doc_codes(doc, codes)
        slots, extra_tokens, extra_ids = featurizer.code_parts([codes[key] for key in dict.fromkeys(keys)])
        by_token = [[featurizer.parts[i] for i in column if i] for column in slots.T.tolist()]
        for t, i in zip(extra_tokens.tolist(), extra_ids.tolist()):
            by_token[t].append(featurizer.parts[i])
        lines = {key: line for key, line in zip(keys, featurizer.doc_parts(doc))}
        expected = [token for line in lines.values() for token in line]
        assert [[f for part in token for f in part] for token in by_token] == \
            [[f for part in token for f in part] for token in expected]


def test_marginals_do_not_depend_on_how_sequences_are_chunked(monkeypatch):
    from skillenai.classify.skills import spans
    from skillenai.classify.skills.spantrain import load_span_tagger

    tagger = load_span_tagger()
    weights = tagger._weights[0]
    lines = [line for p in labelled_postings(held=None)[:15] for line in tagger.featurizer.doc_features(tokenize(p.text))]
    scores = weights.part_vectors([tuple(token) for line in lines for token in line])
    lengths = [len(line) for line in lines]
    whole = weights.marginals(scores, lengths)
    monkeypatch.setattr(spans, "_PADDED", 7)  # chunks of one long line, or a few short ones
    assert (weights.marginals(scores, lengths) == whole).all()
    assert whole.shape == (sum(lengths), len(weights.labels))
    assert abs(whole.sum(axis=1) - 1).max() < 1e-12


def test_a_word_the_model_has_no_weight_for_reads_as_training_read_it():
    """A trained model's featurizer leaves out features it has no weight for; a word whose
    own "w=" feature is among them still gives its bigrams and cue words under its own
    normal form (once read as its shape, "sh=Xxxxx", the bigrams the model knows were lost)."""
    from skillenai.classify.skills.spans import Featurizer

    doc = tokenize("Senior engineer with experience in Kubernetes\nWe value Python")
    full = Featurizer(taxonomy=False).doc_features(doc)
    known = {f for line in full for token in line for f in token} - {"w=senior", "w=kubernetes"}
    pruned = Featurizer(taxonomy=False)
    pruned.keep = known
    assert any("b=senior|engineer" in token for line in full for token in line)
    assert pruned.doc_features(doc) == [[[f for f in token if f in known] for token in line] for line in full]
