"""Which parts of a posting are the employer's own text rather than the job.

Postings paste the same company text under every job: who the company is and what it
sells ("About us", "Who we are"), perks and benefits, pay-transparency lines, the hiring
process, equal-opportunity statements. Skill words there ("we build the cloud security
platform", "a learning budget for AWS courses") describe the employer, not what the job
asks for. :func:`boilerplate_ranges` finds that text from the posting alone:

- headings: a short line such as "About us", "Perks & benefits", "Was wir bieten" opens an
  employer section that lasts until a heading of the job ("Requirements", "What you'll do",
  "Nice to have", "Ihr Profil"), or until a line that reads like a requirement;
- an inline heading ("Benefits: health, dental and a learning budget") marks its own line;
- prose that describes the employer wherever it stands: "Acme is a payments company",
  "Founded in 2012 and headquartered in Berlin", equal-opportunity and accommodation
  sentences. A short paragraph that opens that way and never speaks to "you" is the
  employer's throughout ("Acme is a cloud security company. We build ..."); otherwise
  only those sentences are.

Pure functions over text; nothing is learned, so every rule reads as a real posting does.

>>> text = "Requirements\\nPython and SQL\\nAbout us\\nAcme builds Kafka tooling."
>>> [text[a:b] for a, b in boilerplate_ranges(text)]
['About us\\nAcme builds Kafka tooling.']
"""

from __future__ import annotations

import bisect
import functools
import re

import ahocorasick

__all__ = ["boilerplate_ranges", "heading_kind", "in_ranges", "job_section_ranges", "merge_ranges"]

# A heading line: short, no sentence punctuation at its end (a colon is fine), no more than
# a handful of words. Bullets, emoji and markdown marks in front are ignored.
_HEADING_MAX_CHARS = 60
_HEADING_MAX_WORDS = 8
_LEAD = re.compile(r"^[\s#*>•·▪●◦‣\-–—|]*(?:[^\w\s(\"'“‘]\s*)?")
_TRAIL = re.compile(r"[\s:：!?*#\-–—]*$")

_EMPLOYER_HEADINGS = [
    # company
    r"about us", r"about the company", r"about the business", r"about the employer", r"who we are",
    r"our story", r"our mission", r"our company", r"our values", r"our culture", r"culture",
    r"the company", r"company (?:overview|description|profile|information|info)", r"company",
    r"why join us", r"why us", r"why work (?:with|at|for) us", r"life at .{1,40}", r"working at .{1,40}",
    # benefits and pay
    r"benefits", r"perks", r"perks (?:and|&) benefits", r"benefits (?:and|&) perks", r"our benefits", r"our perks",
    r"what we offer", r"what we can offer(?: you)?", r"we offer", r"our offer", r"in return",
    r"what(?:'|’)?s in it for you", r"why you(?:'|’)ll love working here", r"why you(?:'|’)ll love it here",
    r"total rewards", r"compensation", r"compensation (?:and|&) benefits", r"the pay", r"pay", r"pay range",
    r"pay transparency", r"salary", r"salary range", r"base salary", r"how we take care of you",
    # hiring process and legal text
    r"interview process", r"hiring process", r"our hiring process", r"recruitment process",
    r"our interview process", r"how we hire", r"how to apply", r"application process", r"next steps",
    r"what to expect", r"equal opportunit(?:y|ies)(?: employer| statement)?", r"equal employment opportunity",
    r"eeo(?: statement)?", r"diversity(?:,? equity)? (?:and|&) inclusion", r"dei", r"accommodation", r"accommodations",
    r"our commitment to diversity", r"privacy notice", r"disclaimer",
    # German, French, Spanish, Dutch: the common ones
    r"über uns", r"wer wir sind", r"was wir bieten", r"wir bieten", r"unser angebot", r"das bieten wir",
    r"à propos(?: de nous)?", r"qui sommes[- ]nous", r"nous offrons", r"ce que nous offrons", r"avantages",
    r"sobre nosotros", r"quiénes somos", r"ofrecemos", r"qué ofrecemos", r"beneficios",
    r"over ons", r"wie zijn wij", r"wat wij bieden", r"wij bieden",
]
# Headings of the job itself: they end an employer section.
_JOB_HEADINGS = [
    r"about (?:the|this) (?:role|job|position|opportunity|team)", r"about you", r"the role", r"the job",
    r"the position", r"the opportunity", r"the team", r"meet the team", r"about the team",
    r"role (?:overview|summary|description)", r"(?:job|position) (?:summary|description|overview)",
    r"overview", r"summary", r"your (?:mission|role|team|impact)",
    r"(?:responsibilities|duties)", r"(?:key|main|your|core) (?:responsibilities|duties)",
    r"what you(?:'|’)?ll (?:do|be doing|work on)", r"what you will (?:do|be doing|work on)",
    r"what you(?:'|’)?ll bring", r"what you bring", r"day to day", r"in this role(?: you will)?",
    r"requirements", r"the requirements", r"(?:basic|minimum|preferred|required|desired) qualifications",
    r"qualifications", r"skills(?: (?:and|&) experience)?", r"(?:required|desired|preferred) skills", r"experience",
    r"what we(?:'|’)?re looking for", r"what we are looking for", r"who you are", r"you have", r"you are",
    r"must[- ]haves?", r"nice[- ]to[- ]haves?", r"bonus points?(?: if you have)?",
    r"tech stack", r"technology stack", r"(?:our|the) tech(?:nology)? stack", r"(?:our|the) stack", r"stack",
    r"tools we use", r"technologies we use", r"our tools of the trade", r"tools of the trade", r"our tools",
    r"what success looks like", r"your first \d+ days", r"within \d+ days you will", r"in your first .{1,20}",
    r"who you(?:'|’)ll work with",
    r"deine aufgaben", r"ihre aufgaben", r"aufgaben", r"dein profil", r"ihr profil", r"anforderungen",
    r"das bringst du mit", r"qualifikationen", r"vos missions", r"missions", r"votre profil", r"profil recherché",
    r"compétences", r"responsabilidades", r"requisitos", r"funciones", r"wat ga je doen", r"functie-eisen",
    r"wie ben jij", r"wat vragen wij",
]
_WORD = re.compile(r"[^\W\d_]+")


def _first_words(pattern: str) -> list[str]:
    """The words a heading pattern can start with: its leading word, or each alternative of
    a leading ``(?:a|b)`` group (patterns never start with an optional group)."""
    alternatives = pattern[3:pattern.index(")")].split("|") if pattern.startswith("(?:") else [pattern]
    words = []
    for alt in alternatives:
        word = _WORD.match(alt)
        rest = alt[word.end():]
        # "tech(?:nology)? stack" or "accommodations?" would index a word that is not the
        # whole first word of every heading the pattern matches.
        if rest[:1] in ("?", "*", "+", "{") or re.match(r"\(\?:\w|\[[^\]]*[^\W\d_]", rest):
            raise ValueError(f"heading pattern {pattern!r}: write its first word out in full")
        words.append(word.group().lower())
    return words


def _index(patterns: list[str]) -> dict[str, re.Pattern]:
    """One regular expression per first word: a line whose first word starts no heading is
    dismissed with a dict lookup, not a hundred-branch match (most lines are bullets)."""
    by_word: dict[str, list[str]] = {}
    for p in patterns:
        for w in _first_words(p):
            by_word.setdefault(w, []).append(p)
    return {w: re.compile("(?:" + "|".join(ps) + ")", re.IGNORECASE) for w, ps in by_word.items()}


_JOB_BY_WORD = _index(_JOB_HEADINGS)
_EMPLOYER_BY_WORD = _index(_EMPLOYER_HEADINGS)
# "About Acme", "Why Acme", "ABOUT ACME": a name, so every word after the first is capitalised
# ("About 40% of our customers" or "Why Kubernetes matters" is a sentence).
_ABOUT_NAME = re.compile(r"(?i:about|why)\s+[A-Z0-9][\w&'’.\-]*(?:\s+(?:[A-Z0-9][\w&'’.\-]*|&|of))*")
# "Benefits: medical, dental and a learning budget" — a heading with its content on one line.
_INLINE = re.compile(r"^(?i:benefits|perks|perks (?:and|&) benefits|what we offer|we offer|compensation|salary|"
                     r"pay range|about us|about the company|who we are|equal opportunity)\s*[:：]\s+\S")

# Prose about the employer, wherever it stands.
_EMPLOYER_NOUNS = (r"(?:company|startup|start-up|scale-?up|business|provider|platform|leader|firm|organi[sz]ation|"
                   r"agency|marketplace|employer|group|bank|insurer|hospital|health system|school|university|"
                   r"lab|studio|consultancy|manufacturer|retailer|brand|nonprofit|non-profit|charity)")
# "Acme is a cloud security company", "We're a fast-growing fintech startup": the verb and
# what follows it; the subject (a capitalised name, or "We") is checked apart, so the
# expression starts at a word that is rare in a line, not at every capital letter.
_IS_A = re.compile(r"(?:is|are|(?<=[Ww]e)(?:'|’)re)\s+(?:a|an|the|one of the)\s+(?:[\w'’\-]+,?\s+){0,6}?"
                   + _EMPLOYER_NOUNS + r"\b")
_SUBJECT = re.compile(r"\s*(?:We|[A-Z][\w&'’.\-]*(?:\s+(?:[A-Z][\w&'’.\-]*|&|of|and)){0,4})\s*")
_SENTENCE_START = re.compile(r".*[.!?]\s", re.DOTALL)
_EMPLOYER_CUES = re.compile(
    r"\b(?:founded in (?:18|19|20)\d\d\b|headquartered in\b|our mission is\b|backed by (?:leading |top )?investors\b"
    r"|(?:19|20)\d\d,? we(?:'|’)ve grown\b|Since (?:18|19|20)\d\d,? we\b"
    # equal opportunity and accommodation
    r"|equal (?:employment )?opportunit|affirmative action\b|regardless of (?:race|age|gender|sex|religion)"
    r"|without regard to\b|reasonable accommodations?\b|protected veteran\b|E-Verify\b"
    r"|do(?:es)? not discriminate\b|we celebrate diversity\b"
    r"|are (?:less|more) likely to apply\b|encourage you to apply anyway\b)",
)


def _starts_word(text: str, i: int) -> bool:
    return i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")


def _is_employer_prose(text: str) -> bool:
    """Does ``text`` (a line or a sentence) describe the employer?"""
    return any(_starts_word(text, m.start()) for m in _EMPLOYER_CUES.finditer(text)) or _has_is_a(text)


# A line that reads like a requirement ends an employer section even without a heading.
_REQUIREMENT_START = re.compile(
    r"[\s\-–•*·]*(?:\d+\+?\s*(?:years?|yrs)|experience (?:with|in|using)|(?:strong |solid |deep )?(?:proficiency|"
    r"knowledge|understanding|familiarity) (?:of|in|with)|proficient|familiar with|you have|you(?:'|’)ve|"
    r"hands-on|bachelor|master(?:'|’)?s|degree in|must have|ability to)",
    re.IGNORECASE,
)
# ... or that names the stack: "Tools of the trade here: Python and Kubernetes", "Our stack: Go".
_STACK_LINE = re.compile(
    r"\b(?:our (?:tech(?:nology)? )?stack|tech stack|tools of the trade|technologies we use|tools we use|"
    r"we(?:'|’)re built on|we build (?:with|on)|we use|we work with)\b",
    re.IGNORECASE,
)
_STACK_WORDS = ("stack", "trade", "we use", "built on", "build with", "build on", "work with")


def _reads_like_job(line: str) -> bool:
    if _REQUIREMENT_START.match(line):
        return True
    low = line.lower()
    return any(w in low for w in _STACK_WORDS) and _STACK_LINE.search(line) is not None


# Paragraphs up to this long are the employer's throughout when they open with employer prose;
# in longer ones (a whole posting on one line) only the matching sentences are.
_SHORT_PARAGRAPH = 700
# The employer writes about itself as "we"; text that speaks to "you" is about the job.
_SECOND_PERSON = re.compile(r"\byou(?:'|’)?(?:ll|re|ve|r|rs)?\b", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+(?=\s|$)|$)")


def heading_kind(line: str) -> str | None:
    """``"employer"`` or ``"job"`` when ``line`` is a section heading of that kind, else ``None``.

    >>> heading_kind("🎁 Perks & benefits"), heading_kind("What you'll do:"), heading_kind("Python and SQL")
    ('employer', 'job', None)
    """
    if len(line) > _HEADING_MAX_CHARS * 2:
        return None
    core = line.strip()
    if not core or core[-1] in ".,;":
        return None
    # The two substitutions only where a bullet, emoji or colon is there to strip.
    if not core[0].isalnum():
        core = _LEAD.sub("", core.lstrip("-*•·▪●◦‣>#| \t"))
    if core and not core[-1].isalnum():
        core = _TRAIL.sub("", core)
    if not core or len(core) > _HEADING_MAX_CHARS or core.count(" ") >= _HEADING_MAX_WORDS or core[-1] in ".,;":
        return None
    first = _WORD.match(core)
    if first is None:
        return None
    word = first.group().lower()
    job = _JOB_BY_WORD.get(word)
    if job is not None and job.fullmatch(core):
        return "job"
    employer = _EMPLOYER_BY_WORD.get(word)
    if employer is not None and employer.fullmatch(core):
        return "employer"
    if word in ("about", "why") and _ABOUT_NAME.fullmatch(core):
        return "employer"
    return None


def _employer_sentences(line: str, base: int) -> list[tuple[int, int]]:
    if not _is_employer_prose(line):
        return []
    if len(line) <= _SHORT_PARAGRAPH and not _SECOND_PERSON.search(line):
        first = _SENTENCE.match(line)
        if first and _is_employer_prose(first.group()):
            return [(base, base + len(line))]
    return [(base + m.start(), base + m.end()) for m in _SENTENCE.finditer(line) if _is_employer_prose(m.group())]


# Words every employer-prose match contains: lines without any are never run through the
# expressions (one Aho-Corasick pass over the text is far cheaper than a regex per line).
_CUE_WORDS = ("founded", "headquartered", "mission is", "backed by", "grown", "since", "opportunit",
              "affirmative", "regardless", "regard to", "accommodation", "veteran", "e-verify",
              "discriminate", "diversity", "likely to apply", "apply anyway")
_IS_A_WORDS = (" is a ", " is an ", " is the ", " is one of", " are a ", " are an ", " are the ", " are one of",
               "re a ", "re an ", "re the ", "re one of")


@functools.lru_cache(maxsize=1)
def _cue_automaton() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for word in _CUE_WORDS:
        automaton.add_word(word, False)
    for word in _IS_A_WORDS:
        automaton.add_word(word, True)
    automaton.make_automaton()
    return automaton


def _prose_lines(text: str, lines: list[str], starts: list[int]) -> set[int]:
    """Indexes of the lines holding employer prose."""
    cues: set[int] = set()
    is_a: set[int] = set()
    for end, kind in _cue_automaton().iter(text.lower()):
        (is_a if kind else cues).add(bisect.bisect_right(starts, end) - 1)
    found = {i for i in cues if any(_starts_word(lines[i], m.start()) for m in _EMPLOYER_CUES.finditer(lines[i]))}
    found.update(i for i in is_a - found if _has_is_a(lines[i]))
    return found


def _has_is_a(text: str) -> bool:
    for m in _IS_A.finditer(text):
        if not _starts_word(text, m.start()):
            continue
        head = text[:m.start()]
        lead = _SENTENCE_START.match(head)
        if _SUBJECT.fullmatch(head, lead.end() if lead else 0):
            return True
    return False


def boilerplate_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of ``text`` that are the employer's text, in order, not overlapping."""
    if not text:
        return []
    lines = text.split("\n")
    starts = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    prose = _prose_lines(text, lines, starts)
    out: list[tuple[int, int]] = []
    in_employer = False
    for i, line in enumerate(lines):
        if not line or line.isspace():
            continue
        start = starts[i]
        # Most lines are sentences or long bullets: no heading, no call.
        kind = None if len(line) > _HEADING_MAX_CHARS * 2 or line[-1] in ".,;" else heading_kind(line)
        if kind is not None:
            in_employer = kind == "employer"
        elif in_employer and _reads_like_job(line):
            in_employer = False
        if in_employer or (":" in line and _INLINE.match(_LEAD.sub("", line))):
            out.append((start, start + len(line)))
        elif i in prose:
            out.extend(_employer_sentences(line, start))
    return merge_ranges(out)


def job_section_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of ``text`` under a heading of the job ("Requirements", "What
    you'll do"), heading included, up to the next employer heading: the text to keep even
    where it repeats across an employer's postings ("Experience mentoring others")."""
    out: list[tuple[int, int]] = []
    in_job = False
    pos = 0
    for line in text.split("\n") if text else []:
        start, end = pos, pos + len(line)
        pos = end + 1
        kind = heading_kind(line) if line.strip() else None
        if kind is not None:
            in_job = kind == "job"
        if in_job:
            out.append((start, end))
    return merge_ranges(out)


def merge_ranges(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted ``ranges`` with overlapping and touching ones joined."""
    merged: list[tuple[int, int]] = []
    for a, b in sorted(ranges):
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def in_ranges(ranges: list[tuple[int, int]], start: int, end: int) -> bool:
    """Does ``[start, end)`` lie inside one of the sorted, disjoint ``ranges``?"""
    i = bisect.bisect_right(ranges, (start, float("inf"))) - 1
    return i >= 0 and ranges[i][0] <= start and end <= ranges[i][1]
