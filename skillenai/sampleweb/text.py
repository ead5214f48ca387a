"""Writing with templates, and rendering what was written as HTML or as plain text.

A posting or article body is a list of ``Block``s (heading, paragraph, list) made of
``Line``s. Each Line knows which canonical skills and which planted non-skill phrases
went into it, so the ground truth is derived from what was actually written rather
than from what was meant to be written.

Template syntax (used by every data file):
  ``{name}``      a context value (a str, a number, or a Line whose skills carry over)
  ``{tool}``, ``{concept}``, ``{soft}``   the job's next skill of that kind (postings)
  ``{=A|B|C}``    one of the named canonical skills, written in one of its variants
  ``{+A}``        writes nothing, but records skill A: for literal text that spells a
                  skill ("iOS{+iOS} Engineer", "Machine Learning{+Machine learning}")
  ``[[phrase]]``  a planted non-skill phrase: written as is, recorded in the truth
"""

import html
import re
from collections import Counter
from functools import lru_cache

from . import datafiles

_SLOT = re.compile(r"\{([=+][^{}]+|[a-z_0-9]+)\}")
_MARK = re.compile(r"\[\[(.+?)\]\]")
SKILL_SLOTS = ("tool", "concept", "soft")


class Line:
    """One sentence, paragraph or list item as written, with what it contains."""

    __slots__ = ("text", "skills", "phrases")

    def __init__(self, text: str, skills=(), phrases=()):
        self.text = text
        self.skills = tuple(skills)
        self.phrases = tuple(phrases)

    def __repr__(self):
        return f"Line({self.text!r})"

    def replace(self, old: str, new: str) -> "Line":
        return Line(self.text.replace(old, new), self.skills, self.phrases)


def join_lines(lines, sep=" ") -> Line:
    """Several Lines run together into one (e.g. sentences into a paragraph)."""
    lines = [ln for ln in lines if ln is not None]
    return Line(sep.join(ln.text for ln in lines),
                dict.fromkeys(s for ln in lines for s in ln.skills),
                dict.fromkeys(p for ln in lines for p in ln.phrases))


class _Template:
    """A template split once into literal text and slots (templates are reused for
    hundreds of thousands of lines, so parsing them every time would dominate)."""

    __slots__ = ("parts", "needs", "lead_lower", "has_mark")

    def __init__(self, template: str):
        parts, pos = [], 0
        for m in _SLOT.finditer(template):
            if m.start() > pos:
                parts.append((None, template[pos:m.start()]))
            key = m.group(1)
            if key[0] == "=":
                parts.append(("=", key[1:].split("|")))
            elif key[0] == "+":
                parts.append(("+", key[1:]))
            elif key in SKILL_SLOTS:
                parts.append(("skill", key))
            else:
                parts.append(("ctx", key))
            pos = m.end()
        if pos < len(template):
            parts.append((None, template[pos:]))
        self.parts = tuple(parts)
        self.needs = tuple(Counter(k for kind, k in parts if kind == "skill").items())
        # Only capitalise a letter the template itself wrote: a slot may start with a
        # lower-case skill variant ("k8s", "pandas") whose spelling must survive.
        lead = template[2:3] if template.startswith("[[") else template[:1]
        self.lead_lower = lead.islower()
        self.has_mark = "[[" in template


@lru_cache(maxsize=8192)
def _compiled(template: str) -> _Template:
    return _Template(template)


def slot_needs(template: str) -> tuple:
    """How many skill slots of each kind ``template`` has: ((kind, count), ...)."""
    return _compiled(template).needs


def can_fill(template: str, feed) -> bool:
    needs = _compiled(template).needs
    if not needs:
        return True
    if feed is None:
        return False
    return all(feed.available(slot) >= n for slot, n in needs)


def fill(template: str, ctx: dict, feed=None, capitalize: bool = False):
    """The Line written from ``template``, or None when the feed lacks a needed skill."""
    t = _compiled(template)
    if t.needs and (feed is None or not all(feed.available(slot) >= n for slot, n in t.needs)):
        return None
    skills, phrases, out = [], [], []
    for kind, key in t.parts:
        if kind is None:
            out.append(key)
        elif kind == "ctx":
            try:
                value = ctx[key]
            except KeyError:
                raise ValueError(f"template {template!r}: no value for {{{key}}}") from None
            if isinstance(value, Line):
                skills.extend(value.skills)
                phrases.extend(value.phrases)
                out.append(value.text)
            else:
                out.append(str(value))
        elif kind == "skill":
            surface, name = feed.take(key)
            skills.append(name)
            out.append(surface)
        elif kind == "=":
            surface, name = feed.choose(key)
            skills.append(name)
            out.append(surface)
        else:                                   # "+": records a skill, writes nothing
            skills.append(key)
    text = "".join(out)
    if capitalize and t.lead_lower:
        i = 2 if text.startswith("[[") else 0
        text = text[:i] + text[i].upper() + text[i + 1:]
    if not t.has_mark and not phrases:
        return Line(text, dict.fromkeys(skills))
    return finish(text, skills, phrases)


def finish(text: str, skills=(), phrases=()) -> Line:
    """Strip the ``[[...]]`` markers from ``text`` and record the phrases they marked."""
    found = _MARK.findall(text) if "[[" in text else ()
    if found:
        text = _MARK.sub(r"\1", text)
    return Line(text, dict.fromkeys(skills), dict.fromkeys([*phrases, *found]))


def decapitalize(line: Line) -> Line:
    """The line with its first letter lower-cased, for running bullets into prose;
    acronyms and words that spell a skill ("SQL", "Python", "Excel") are left alone."""
    first = line.text.split(" ", 1)[0]
    if len(first) > 1 and first.isalpha() and first[0].isupper() and first[1:].islower() \
            and first not in _variant_heads():
        return Line(first[0].lower() + line.text[1:], line.skills, line.phrases)
    return line


@lru_cache(maxsize=1)
def _variant_heads() -> frozenset:
    vocab = datafiles.load("vocab")
    return frozenset(v.split(" ")[0] for forms in vocab.values() for v in forms)


class Block:
    """A heading (``h``), paragraph (``p``) or list (``ul`` / ``ol``) of a body.

    ``section`` names what the block is for (intro, req, benefits, comp...), so a
    repost can edit "the salary line" or "the first list" without parsing text."""

    __slots__ = ("kind", "section", "lines", "heading")

    def __init__(self, kind: str, section: str, lines=(), heading: str = ""):
        self.kind = kind
        self.section = section
        self.lines = list(lines)
        self.heading = heading

    def copy(self) -> "Block":
        return Block(self.kind, self.section, list(self.lines), self.heading)


def heading(section: str, text: str) -> Block:
    return Block("h", section, heading=text)


def para(section: str, line: Line) -> Block:
    return Block("p", section, [line])


def items(section: str, lines, ordered: bool = False) -> Block:
    return Block("ol" if ordered else "ul", section, lines)


def skills_of(blocks) -> dict:
    """Canonical skills written in ``blocks``, in order of first appearance."""
    return dict.fromkeys(s for b in blocks for ln in b.lines for s in ln.skills)


def phrases_of(blocks) -> dict:
    return dict.fromkeys(p for b in blocks for ln in b.lines for p in ln.phrases)


# Rendering ---------------------------------------------------------------------------
#
# A style is a small dict: {"h": "h2"|"h3"|"h4"|"strong"|"b"|"colon",
#                           "list": "ul"|"ul_p"|"bullet"|"dash",
#                           "spacer": bool (empty <p>&nbsp;</p> between sections),
#                           "p": "p"|"div"}
# The same blocks render differently on different sites, as copy-pasted postings do.

DEFAULT_STYLE = {"h": "h3", "list": "ul", "spacer": False, "p": "p"}


def _esc(text: str, quote: bool = False) -> str:
    # most lines need no escaping; skip the five replace() calls for them
    if "&" in text or "<" in text or ">" in text:
        return html.escape(text, quote=False)
    return text


def _heading_text(text: str, style: dict) -> str:
    if style["h"] == "colon" and not text.endswith((":", "?", "!")):
        return text + ":"
    return text


def render_html(blocks, style=DEFAULT_STYLE) -> str:
    h, lst, ptag = style["h"], style["list"], style["p"]
    out = []
    for b in blocks:
        if b.kind == "h":
            if style["spacer"] and out:
                out.append("<p>&nbsp;</p>")
            text = _esc(_heading_text(b.heading, style), quote=False)
            if h in ("h2", "h3", "h4"):
                out.append(f"<{h}>{text}</{h}>")
            elif h == "b":
                out.append(f"<p><b>{text}</b></p>")
            else:
                out.append(f"<p><strong>{text}</strong></p>")
        elif b.kind == "p":
            out.append(f"<{ptag}>{_esc(b.lines[0].text, quote=False)}</{ptag}>")
        elif lst == "bullet" and b.kind == "ul":
            out.extend(f"<p>• {_esc(ln.text, quote=False)}</p>" for ln in b.lines)
        elif lst == "dash" and b.kind == "ul":
            out.append("<p>" + "<br>".join(f"- {_esc(ln.text, quote=False)}" for ln in b.lines) + "</p>")
        else:
            tag = b.kind
            if lst == "ul_p":
                lis = "".join(f"<li><p>{_esc(ln.text, quote=False)}</p></li>" for ln in b.lines)
            else:
                lis = "".join(f"<li>{_esc(ln.text, quote=False)}</li>" for ln in b.lines)
            out.append(f"<{tag}>{lis}</{tag}>")
    return "".join(out)


def render_plain(blocks, style=DEFAULT_STYLE) -> list:
    """The text as a reader sees it: one heading, paragraph or list item per line
    (bullet glyphs included where the markup writes them as text)."""
    lst = style["list"]
    out = []
    for b in blocks:
        if b.kind == "h":
            out.append(_heading_text(b.heading, style))
        elif b.kind == "p":
            out.append(b.lines[0].text)
        elif lst == "bullet" and b.kind == "ul":
            out.extend("• " + ln.text for ln in b.lines)
        elif lst == "dash" and b.kind == "ul":
            out.extend("- " + ln.text for ln in b.lines)
        else:
            out.extend(ln.text for ln in b.lines)
    return out
