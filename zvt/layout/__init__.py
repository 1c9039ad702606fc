"""Diagram interchange (BPMN DI) for our process files, so a modeler or bpmn-js can draw them.

Hand-written because no maintained library lays out a process with lanes: bpmn-io's
bpmn-auto-layout ignores lanes and pools, and here the lanes say who does what. The layout
is deliberately plain: one pool, horizontal lanes in laneSet order, columns by longest path
from the start, orthogonal flows that turn only in the gaps between columns and rows.

The file is edited as text rather than re-serialised by lxml, so that a diff shows only the
root's namespace declarations, the collaboration and the diagram.
"""
from __future__ import annotations

from lxml import etree

from .graph import BPMN, BPMNDI, DC, DI, Graph
from .labels import association_points, boundary_label, data_label, flow_labels, node_label
from .placement import place
from .routing import routes as route_all
from .routing import score
from .writing import bounds, element, free_id, splice
from .writing import collaboration as find_collaboration
from .writing import prefixes as find_prefixes

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def add_diagram(xml_bytes: bytes, replace: bool = False) -> bytes:
    """Return the BPMN file with a pool around its process and a laid-out BPMNDiagram.

    Raises ValueError when the file already has a diagram (unless `replace`) or is not one
    this layout handles: one executable process whose flow nodes are all in its laneSet."""
    try:
        root = etree.fromstring(xml_bytes, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"malformed XML: {exc}") from None
    if root.tag != f"{{{BPMN}}}definitions":
        raise ValueError("not a BPMN file: the root element is not bpmn:definitions")
    if root.find(f"{{{BPMNDI}}}BPMNDiagram") is not None and not replace:
        raise ValueError("the file already has a diagram (BPMNDiagram); replace it with --replace")
    processes = [p for p in root.findall(f"{{{BPMN}}}process") if p.get("isExecutable") == "true"]
    if len(processes) != 1:
        raise ValueError(f"expected one executable process, found {len(processes)}")
    process, pid = processes[0], processes[0].get("id")
    if pid is None:
        raise ValueError("the executable process has no id")
    # The ids in an old diagram are free again: it goes.
    taken = set(root.xpath("//@id[not(ancestor::bpmndi:BPMNDiagram)]", namespaces={"bpmndi": BPMNDI}))
    collaboration, participant, new_collaboration = find_collaboration(root, pid, taken)
    prefix = find_prefixes(root)

    # What follows a timer either stays near it or, when the process folds into bands, gets
    # a band of its own below; which reads best depends on the process, so both are laid
    # out and the one whose flows cross least is kept.
    _, graph, (boxes, lane_boxes, pool), routes = min((_laid_out(process, side_band, up) for side_band in (False, True) for up in (False, True)),
                                                      key=lambda laid: laid[0])
    labels = {n: boundary_label(graph, boxes, n) if n in graph.attached else node_label(graph, boxes, n)
              for n in graph.tags if graph.names[n] and graph.kinds[n] != "task"}
    labels.update(flow_labels(graph, boxes, routes, labels, list(lane_boxes.values())))

    def shape(element_id, box, label=None, **flags):
        children = [bounds(prefix, box)] + ([element(prefix["bpmndi"], "BPMNLabel", {}, [bounds(prefix, label)])]
                                            if label else [])
        return element(prefix["bpmndi"], "BPMNShape",
                       {"id": free_id(f"{element_id}_di", taken), "bpmnElement": element_id, **flags}, children)

    def edge(flow_id, points, label=None):
        children = [element(prefix["di"], "waypoint", {"x": round(x), "y": round(y)}) for x, y in points]
        if label:
            children.append(element(prefix["bpmndi"], "BPMNLabel", {}, [bounds(prefix, label)]))
        return element(prefix["bpmndi"], "BPMNEdge", {"id": free_id(f"{flow_id}_di", taken), "bpmnElement": flow_id},
                       children)

    shapes = [shape(participant, pool, isHorizontal="true")]
    shapes += [shape(lane, box, isHorizontal="true") for lane, box in lane_boxes.items()]
    shapes += [shape(node, boxes[node], labels.get(node),
                     **({"isMarkerVisible": "true"} if tag == "exclusiveGateway" else {}))
               for node, tag in graph.tags.items()]
    shapes += [edge(fid, points, labels.get(fid)) for fid, points in routes.items()]
    # Data objects keep their place in the diagram: bpmnlint and a reader want them drawn.
    shapes += [shape(ref, box, data_label(graph, ref, box)) for ref, box in graph.data_boxes.items()]
    shapes += [edge(aid, association_points(graph, boxes, aid)) for aid in graph.associations]
    diagram = element(prefix["bpmndi"], "BPMNDiagram", {"id": free_id(f"diagram_{pid}", taken)}, [
        element(prefix["bpmndi"], "BPMNPlane",
                {"id": free_id(f"plane_{pid}", taken), "bpmnElement": collaboration}, shapes)])
    pool_xml = new_collaboration and element(prefix["bpmn"], "collaboration", {"id": collaboration}, [element(
        prefix["bpmn"], "participant", {"id": participant, "name": process.get("name") or pid, "processRef": pid})])
    declarations = "".join(f' xmlns:{prefix[name]}="{uri}"' for name, uri in
                           (("bpmndi", BPMNDI), ("dc", DC), ("di", DI)) if uri not in root.nsmap.values())
    result = splice(xml_bytes, root, process, declarations, pool_xml, diagram)
    etree.fromstring(result, _PARSER)  # never hand back a file that is not well-formed
    return result


def _laid_out(process, side_band: bool, timers_up: bool):
    graph = Graph(process)
    placed = place(graph, side_band, timers_up)
    routes = route_all(graph, placed[0])
    return (score(graph, routes), side_band, timers_up), graph, placed, routes
