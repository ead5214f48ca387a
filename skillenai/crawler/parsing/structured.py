"""schema.org JobPosting from pages: JSON-LD (plain, lists, ``@graph``) and microdata.

Real pages carry broken blocks (trailing commas, truncated JSON, stray HTML or script
comments, two objects in one block), blocks nested absurdly deep and several blocks per
page. Each block is parsed on its own:
a broken one is reported (:class:`BlockError`) and skipped, the good ones are kept.
"""

from __future__ import annotations

import html
import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Iterator

from skillenai.core.dates import lenient_date
from skillenai.crawler.parsing.extract import element_text, html_to_text
from skillenai.crawler.parsing.salary import local_dollar, parse_salary

logger = logging.getLogger(__name__)

MAX_BLOCK_CHARS = 2_000_000
MAX_DEPTH = 40
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LEADING_COMMENTS = re.compile(r"^(?:\s*(?:/\*.*?\*/|//[^\n]*\n))+", re.DOTALL)
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+\d*);")


@dataclass(frozen=True)
class BlockError:
    index: int
    message: str

    def __str__(self) -> str:
        return f"JSON-LD block {self.index}: {self.message}"


def json_ld_blocks(tree: Any) -> tuple[list[Any], list[BlockError]]:
    """Parsed ``application/ld+json`` blocks of an lxml HTML tree, and the broken ones."""
    blocks: list[Any] = []
    errors: list[BlockError] = []
    scripts = tree.xpath('//script[contains(translate(@type, "LDJSON+", "ldjson+"), "ld+json")]')
    for index, script in enumerate(scripts, start=1):
        raw = script.text or ""
        if len(raw) > MAX_BLOCK_CHARS:
            errors.append(BlockError(index, f"{len(raw)} characters, over the {MAX_BLOCK_CHARS} limit"))
            continue
        parsed, error = _loads(raw)
        if error:
            errors.append(BlockError(index, error))
        elif parsed is not None:
            blocks.append(parsed)
    return blocks, errors


def _loads(raw: str) -> tuple[Any, str | None]:
    text = raw.strip()
    if not text:
        return None, None
    # Common wrappings in the wild: HTML comments and CDATA markers around the JSON.
    text = re.sub(r"^\s*(<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)", "", text)
    text = re.sub(r"(-->|//\s*\]\]>|\]\]>)\s*$", "", text).strip()
    text = _LEADING_COMMENTS.sub("", text).lstrip()  # "/* job */ {...}", a CMS's "// schema"
    first_error = None
    for candidate in (text, _TRAILING_COMMA.sub(r"\1", _CONTROL.sub(" ", text))):
        try:
            value = _json_values(candidate)
        except RecursionError:
            return None, "nested too deeply to parse"
        except ValueError as exc:
            first_error = first_error or f"invalid JSON ({exc})"
            continue
        if _depth_exceeds(value, MAX_DEPTH):
            return None, f"nested deeper than {MAX_DEPTH} levels"
        return value, None
    return None, first_error


def _json_values(text: str) -> Any:
    """The JSON value of ``text``; a list when it holds several one after another
    (``{...}{...}``, ``{...};``), as templates that print one object per loop do."""
    decoder = json.JSONDecoder(strict=False)
    values, end = [], 0
    while True:
        value, end = decoder.raw_decode(text, end)
        values.append(value)
        while end < len(text) and (text[end].isspace() or text[end] in ",;"):
            end += 1
        if end >= len(text):
            return values[0] if len(values) == 1 else values


def _depth_exceeds(value: Any, limit: int) -> bool:
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list)))
    return False


def _types(node: dict) -> set[str]:
    value = node.get("@type") or node.get("type") or []
    values = value if isinstance(value, list) else [value]
    return {str(v).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for v in values}


def find_typed(value: Any, type_name: str, _depth: int = 0) -> Iterator[dict]:
    """Every object of schema.org type ``type_name`` in parsed JSON-LD (lists, ``@graph``)."""
    if _depth > MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value[:10_000]:
            yield from find_typed(item, type_name, _depth + 1)
    elif isinstance(value, dict):
        if type_name in _types(value):
            yield value
            return
        for key in ("@graph", "mainEntity", "itemListElement", "item", "hasPart"):
            if key in value:
                yield from find_typed(value[key], type_name, _depth + 1)


# Microdata ------------------------------------------------------------------------------

def microdata_items(tree: Any, type_name: str) -> list[dict]:
    """Top-level microdata items of ``type_name`` as JSON-LD-like dicts."""
    items = []
    for element in tree.xpath("//*[@itemscope][@itemtype]"):
        if type_name not in _itemtypes(element):
            continue
        if element.xpath("ancestor::*[@itemscope]"):
            continue
        items.append(_microdata_item(element, 0))
    return items


def _itemtypes(element: Any) -> set[str]:
    return {t.rstrip("/").rsplit("/", 1)[-1] for t in (element.get("itemtype") or "").split()}


def _microdata_item(element: Any, depth: int) -> dict:
    item: dict[str, Any] = {"@type": sorted(_itemtypes(element))[0] if element.get("itemtype") else "Thing"}
    if depth > 12:
        return item
    for prop in _own_props(element):
        value: Any
        if prop.get("itemscope") is not None:
            value = _microdata_item(prop, depth + 1)
        elif prop.tag == "meta":
            value = prop.get("content")
        elif prop.tag in ("a", "link", "area"):
            value = prop.get("href")
        elif prop.tag in ("img", "audio", "video", "source", "embed", "iframe"):
            value = prop.get("src")
        elif prop.tag in ("time", "data", "meter"):
            value = prop.get("datetime") or prop.get("value") or (prop.text_content() or "").strip()
        elif prop.get("content") is not None:
            value = prop.get("content")
        else:
            value = {"@html": prop} if (prop.get("itemprop") or "") == "description" else element_text(prop)
        for name in (prop.get("itemprop") or "").split():
            if name in item:
                existing = item[name]
                item[name] = (existing if isinstance(existing, list) else [existing]) + [value]
            else:
                item[name] = value
    return item


def _own_props(element: Any) -> Iterator[Any]:
    """Descendants with ``itemprop`` whose nearest enclosing item is ``element``."""
    for prop in element.iterdescendants():
        if not isinstance(prop.tag, str) or prop.get("itemprop") is None:
            continue
        owner = prop.getparent()
        while owner is not None and owner is not element and owner.get("itemscope") is None:
            owner = owner.getparent()
        if owner is element:
            yield prop


# JobPosting → item fields ------------------------------------------------------------------

def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("value")
        if isinstance(value, (list, dict)):  # {"name": ["US", "United States"]}: its first name
            return _text(value)
    if value is None or isinstance(value, (list, dict)):
        return None
    value = str(value)
    if "\\n" in value:  # a template's literal "\n" for a line break
        value = value.replace("\\r\\n", "\n").replace("\\n", "\n")
    if "&" in value and _ENTITY.search(value):
        # Escaped once too often by the page's template: "Research &amp; Development".
        value = html.unescape(html.unescape(value))
    value = value.strip()
    return value or None


def _address_parts(place: Any) -> dict[str, str] | None:
    if isinstance(place, str):
        return {"name": place} if place.strip() else None
    if not isinstance(place, dict):
        return None
    address = place.get("address", place)
    if isinstance(address, list):
        address = address[0] if address else {}
    if isinstance(address, str):
        return {"name": address} if address.strip() else None
    if not isinstance(address, dict):
        return None
    parts = {
        "locality": _text(address.get("addressLocality")),
        "region": _text(address.get("addressRegion")),
        "country": _text(address.get("addressCountry")),
        "postal_code": _text(address.get("postalCode")),
    }
    parts = {k: v for k, v in parts.items() if v}
    if not parts and _text(place.get("name")):
        parts = {"name": _text(place.get("name"))}
    return parts or None


def _place_label(parts: dict[str, str]) -> str:
    if "name" in parts:
        return parts["name"]
    return ", ".join(parts[k] for k in ("locality", "region", "country") if k in parts)


def _description(value: Any) -> str:
    if isinstance(value, dict) and "@html" in value:
        return element_text(value["@html"])
    if isinstance(value, list):
        value = " ".join(str(v) for v in value if v)
    if not value:
        return ""
    value = str(value)
    if "\\n" in value:  # a template's literal "\n" for a line break, left in the JSON
        value = value.replace("\\r\\n", "\n").replace("\\n", "\n")
    return html_to_text(value)


def _salary(value: Any, currency: Any = None, location: str | None = None) -> dict[str, Any]:
    """Salary fields from a JobPosting's ``baseSalary``: a MonetaryAmount, or (as sites
    write it) a plain number or a line of text beside the posting's ``salaryCurrency``;
    a bare "$" in that text is the dollar of the posting's ``location``."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = {"value": value, "currency": currency}
    elif isinstance(value, str) and value.strip():
        found = parse_salary(value, dollar=local_dollar(location) if "$" in value else "USD")
        if found is None:
            number = _number(value)
            return {} if number is None else {"salary_min": number, "salary_max": number,
                                               "salary_currency": _code(currency)}
        return {"salary_min": found.min, "salary_max": found.max,
                "salary_currency": _code(currency) or found.currency, "salary_period": found.period}
    if not isinstance(value, dict):
        return {}
    if not value.get("currency") and currency:
        value = {**value, "currency": currency}
    amount = value.get("value", value)
    if isinstance(amount, list):
        amount = amount[0] if amount else {}
    out: dict[str, Any] = {"salary_currency": _text(value.get("currency"))}
    if isinstance(amount, dict):
        low = amount.get("minValue", amount.get("value"))
        high = amount.get("maxValue", amount.get("value"))
        out.update(salary_min=_number(low), salary_max=_number(high), salary_period=_text(amount.get("unitText")))
    else:
        out.update(salary_min=_number(amount), salary_max=_number(amount), salary_period=_text(value.get("unitText")))
    out["salary_currency"] = _code(out.get("salary_currency"))
    return out


def _code(currency: Any) -> str | None:
    text = _text(currency)
    return text if text and re.fullmatch(r"[A-Za-z]{3}", text) else None


def _number(value: Any) -> float | None:
    try:
        number = float(str(value).replace(",", "").strip())
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def posting_fields(posting: dict) -> dict[str, Any]:
    """Item fields from one JobPosting object (JSON-LD or microdata)."""
    places = posting.get("jobLocation")
    place_list = places if isinstance(places, list) else [places] if places else []
    addresses = [p for p in (_address_parts(place) for place in place_list[:50]) if p]
    remote = "TELECOMMUTE" in str(posting.get("jobLocationType") or "").upper()
    requirements = posting.get("applicantLocationRequirements")
    requirement_list = requirements if isinstance(requirements, list) else [requirements] if requirements else []
    scopes = [s for s in (_text(r) for r in requirement_list) if s]
    labels = [_place_label(a) for a in addresses]
    if remote and not labels:
        labels = [f"Remote - {', '.join(scopes)}" if scopes else "Remote"]
    organization = posting.get("hiringOrganization")
    fields: dict[str, Any] = {
        "title": _text(posting.get("title")) or _text(posting.get("name")),
        "text": _description(posting.get("description")),
        "company": _text(organization),
        # The day as the employer wrote it: "2026-05-01T00:00+01:00" is the 1st of May.
        "date_posted": lenient_date(_text(posting.get("datePosted"))),
        "valid_through": lenient_date(_text(posting.get("validThrough"))),
        "employment_type": posting.get("employmentType"),
        "location_raw": "; ".join(labels) or None,
        "locations": addresses or None,
        "stated_workplace": "remote" if remote else None,
        "external_id": _identifier(posting.get("identifier")),
        "canonical_url": _text(posting.get("url")),
    }
    fields.update(_salary(posting.get("baseSalary"), posting.get("salaryCurrency"), fields["location_raw"]))
    skills = _skills(posting.get("skills"))
    if skills and not all(skill.lower() in fields["text"].lower() for skill in skills):
        # The skills a posting lists apart from its description ("skills": "Airflow, dbt")
        # are part of what it asks for: the classify stage reads them in the text.
        fields["text"] = (fields["text"] + "\n" if fields["text"] else "") + "Skills: " + ", ".join(skills)
    if remote and scopes:
        fields["locations"] = (addresses or []) + [{"remote_scope": s} for s in scopes]
    return fields


def _skills(value: Any) -> list[str]:
    """A JobPosting's ``skills``: text ("Python, SQL"), a list of texts, or DefinedTerms."""
    values = value if isinstance(value, list) else [value] if value else []
    out: list[str] = []
    for item in values[:100]:
        text = _text(item.get("name") if isinstance(item, dict) else item)
        if text:
            out += [part.strip() for part in re.split(r"[,;\n]|\s•\s", text) if part.strip()]
    return list(dict.fromkeys(out))


def _identifier(value: Any) -> str | None:
    if isinstance(value, dict):
        return _text(value.get("value")) or _text(value.get("name"))
    return _text(value)
