"""Open311 GeoReport v2 output, pure: the same Python rows rendered as spec XML or spec JSON.

XML is the canonical form: UTF-8 with a declaration, no namespace. JSON follows the spec's
conversion: the root element disappears, so a list of `service` elements becomes a bare JSON array
and a single object (discovery, a service definition) becomes a JSON object. Codes and ids are
strings; booleans are real JSON booleans and `true`/`false` in XML.
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring  # noqa: S405 (writing only, never parsing)

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = {"json": JSON_TYPE, "xml": XML_TYPE}
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

# A list-valued field's element name -> the name of each item inside it.
LIST_ITEMS = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _fill(parent: Element, name: str, value: Any) -> None:
    el = SubElement(parent, name)
    if isinstance(value, dict):
        for k, v in value.items():
            _fill(el, k, v)
    elif isinstance(value, list):
        item = LIST_ITEMS.get(name, "item")
        for v in value:
            _fill(el, item, v)
    else:
        el.text = _text(value)


def to_xml(root: str, item: str | None, payload: list[dict[str, Any]] | dict[str, Any]) -> bytes:
    """`<root><item>…</item>…</root>` for a list, `<root>…fields…</root>` for an object."""
    top = Element(root)
    if isinstance(payload, list):
        for row in payload:
            _fill(top, item or "item", row)
    else:
        for k, v in payload.items():
            _fill(top, k, v)
    return (XML_DECLARATION + tostring(top, encoding="unicode")).encode("utf-8")


def to_json(payload: list[dict[str, Any]] | dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render(
    fmt: str, root: str, item: str | None, payload: list[dict[str, Any]] | dict[str, Any]
) -> tuple[bytes, str]:
    """The body and its content type for `fmt` ('json' or 'xml')."""
    if fmt == "json":
        return to_json(payload), JSON_TYPE
    return to_xml(root, item, payload), XML_TYPE


def error_rows(errors: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [{"code": str(code), "description": description} for code, description in errors]
