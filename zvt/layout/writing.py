"""The diagram as XML text, spliced into the file's own text."""
from __future__ import annotations

import re
from collections.abc import Sequence
from xml.sax.saxutils import quoteattr

from lxml import etree

from .geometry import Box
from .graph import BPMN, BPMNDI, DC, DI


def collaboration(root, pid: str, taken: set) -> tuple[str, str, bool]:
    """The collaboration and participant the pool is drawn for; True when they are new."""
    collaborations = root.findall(f"{{{BPMN}}}collaboration")
    for participant in root.iterfind(f"{{{BPMN}}}collaboration/{{{BPMN}}}participant"):
        if participant.get("processRef") == pid:
            return participant.getparent().get("id"), participant.get("id"), False
    if collaborations:
        raise ValueError(f"the file has a collaboration without a participant for process '{pid}'")
    return free_id(f"collaboration_{pid}", taken), free_id(f"participant_{pid}", taken), True


def prefixes(root) -> dict[str, str]:
    """The file's own prefixes for the namespaces written, or the usual ones where it has none."""
    by_uri = {uri: prefix or "" for prefix, uri in root.nsmap.items()}
    prefixes = {}
    for name, uri in (("bpmn", BPMN), ("bpmndi", BPMNDI), ("dc", DC), ("di", DI)):
        if uri not in by_uri and name in root.nsmap:
            raise ValueError(f"the prefix '{name}' is bound to {root.nsmap[name]}, not to {uri}")
        prefixes[name] = by_uri.get(uri, name)
    return prefixes


# The markup of an XML document, one construct a match; a tag's quoted attribute values may hold '>'.
_MARKUP = re.compile(r"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?]]>|<!|</?[^\s>/]+(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.S)


def splice(xml_bytes: bytes, root, process, declarations: str, pool_xml, diagram: str) -> bytes:
    """The file's own text with the declarations, the pool and the diagram put in, and any old
    diagram taken out. lxml reports no offsets, so a scan of the markup finds the places."""
    bom = b"\xef\xbb\xbf" if xml_bytes.startswith(b"\xef\xbb\xbf") else b""
    try:
        text = xml_bytes[len(bom):].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the file is not UTF-8: {exc}") from None
    spans: list[tuple[int, int]] = []  # (start, end) of each element in the root
    depth, root_end = 0, None
    for match in _MARKUP.finditer(text):
        markup = match.group()
        if markup == "<!":
            raise ValueError("files with a DOCTYPE are not supported")
        if markup.startswith(("<!--", "<?", "<![")):
            continue
        if markup.startswith("</"):
            depth -= 1
            if depth == 1:
                spans[-1] = (spans[-1][0], match.end())
            continue
        if depth == 0:
            root_end = match.end()
        elif depth == 1:
            spans.append((match.start(), match.end()))
        depth += not markup.endswith("/>")
    children = [c for c in root if isinstance(c.tag, str)]
    if len(children) != len(spans):
        raise ValueError("could not find the elements of the file in its text")
    at = dict(zip(children, spans))
    newline = "\r\n" if "\r\n" in text else "\n"
    line_start = text.rfind("\n", 0, at[process][0]) + 1
    indent = text[line_start:at[process][0]] if not text[line_start:at[process][0]].strip() else "  "

    def indented(xml: str) -> str:
        return (newline + indent).join(xml.split("\n"))

    if root_end is None:
        raise ValueError("could not find the root element in the text of the file")
    insert_at = len(text[:root_end - 1].rstrip())  # the declarations go after the last attribute
    edits = [(insert_at, insert_at, declarations)]
    if pool_xml:
        edits.append((at[process][0], at[process][0], indented(pool_xml) + newline + indent))
    for child in children:
        if child.tag == f"{{{BPMNDI}}}BPMNDiagram":
            start, end = at[child]
            edits.append((len(text[:start].rstrip()), end, ""))
    # BPMN's schema wants diagrams after the process and before any bpmn:relationship.
    last = [c for c in children if etree.QName(c).localname not in ("BPMNDiagram", "relationship")][-1]
    edits.append((at[last][1], at[last][1], newline + indent + indented(diagram)))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return bom + text.encode("utf-8")


def free_id(wanted: str, taken: set) -> str:
    candidate, n = wanted, 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted}_{n}"
    taken.add(candidate)
    return candidate


def element(prefix: str, name: str, attributes: dict, children: Sequence[str] = ()) -> str:
    tag = f"{prefix}:{name}" if prefix else name
    attrs = "".join(f" {k}={quoteattr(str(v))}" for k, v in attributes.items())
    if not children:
        return f"<{tag}{attrs} />"
    inner = "\n".join("  " + line for child in children for line in child.split("\n"))
    return f"<{tag}{attrs}>\n{inner}\n</{tag}>"


def bounds(prefix: dict, box: Box) -> str:
    return element(prefix["dc"], "Bounds", {"x": round(box.x), "y": round(box.y),
                                           "width": round(box.w), "height": round(box.h)})
