"""The working arrangement read from a posting's text (skillenai.classify.workplace)."""

import pytest

from skillenai.classify.workplace import _HYBRID_TEXT, _REMOTE_TEXT, decide_workplace


@pytest.mark.parametrize("text, remote, hybrid", [
    ("This role is hybrid: 3 days in our Denver office.", False, True),
    ("Hybrid - 2 days a week.", False, True),
    ("You will spend 3 days per week in our Austin office.", False, True),
    ("3 days in the Berlin office, the rest from home.", False, True),
    ("This position is fully remote.", True, False),
    ("We are a remote-first company; work from anywhere.", True, False),
    ("Perks: hybrid working, a bright office, 30 days of leave.", False, False),
    ("Build APIs in Go.", False, False),
    # Letters that case-blind matching folds to ASCII ones: the words' quick check must not
    # pass these texts over.
    ("This role is hybrİd.", False, True),
    ("Our job is hybrıd.", False, True),
    ("THIS ROLE IS FULLY REMOTE", True, False),
    ("The job is remote — tools: Kubernetes.", True, False),
])
def test_the_text_says_how_the_job_is_worked(text, remote, hybrid):
    assert decide_workplace(False, False, None, text)[:2] == (remote, hybrid)
    # the same answer as the patterns alone give
    want_hybrid = bool(_HYBRID_TEXT.search(text))
    assert (hybrid, remote) == (want_hybrid, not want_hybrid and bool(_REMOTE_TEXT.search(text)))


def test_only_postings_are_read_and_the_location_comes_first():
    assert decide_workplace(False, False, None, "This role is hybrid: 3 days a week.", posting=False) == \
        (False, False, None)
    assert decide_workplace(True, False, None, "This role is hybrid: 3 days a week.") == (True, False, "remote")
