"""Small BPMN documents built in tests, so each refused-definition case shows its one defect."""
from xml.sax.saxutils import escape

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs_{pid}" '
        'targetNamespace="http://example.org/zvt-test">\n')


def simple_process(pid, *, script="x = 1", executable=True, lane="procesregisseur", user_task="controle",
                   call=None, timer=None, condition=None):
    """start -> script -> [call activity] -> user task (with optional timer) -> [gateway] -> end."""
    nodes, flows, refs = [], [], ["start", "script", user_task, "einde"]
    nodes.append('<bpmn:startEvent id="start" />')
    nodes.append(f'<bpmn:scriptTask id="script" name="Rekenen"><bpmn:script>{escape(script)}</bpmn:script></bpmn:scriptTask>')
    previous = "script"
    if call:
        nodes.append(f'<bpmn:callActivity id="aanroep" calledElement="{call}" />')
        flows.append(("script", "aanroep", None))
        refs.append("aanroep")
        previous = "aanroep"
    nodes.append(f'<bpmn:userTask id="{user_task}" name="Controleren" />')
    flows.append(("start", "script", None))
    flows.append((previous, user_task, None))
    if timer:
        nodes.append(f'<bpmn:boundaryEvent id="termijn" attachedToRef="{user_task}" cancelActivity="false">'
                     f'<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{escape(timer)}'
                     '</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>')
        nodes.append('<bpmn:endEvent id="termijn_einde" />')
        flows.append(("termijn", "termijn_einde", None))
        refs += ["termijn", "termijn_einde"]
    if condition:
        nodes.append('<bpmn:exclusiveGateway id="keuze" default="flow_anders" />')
        nodes.append('<bpmn:endEvent id="einde_anders" />')
        flows.append((user_task, "keuze", None))
        flows.append(("keuze", "einde", condition))
        refs += ["keuze", "einde_anders"]
    else:
        flows.append((user_task, "einde", None))
    nodes.append('<bpmn:endEvent id="einde" />')
    body = []
    for index, (source, target, cond) in enumerate(flows):
        if cond:
            body.append(f'<bpmn:sequenceFlow id="flow_{index}" sourceRef="{source}" targetRef="{target}">'
                        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(cond)}'
                        '</bpmn:conditionExpression></bpmn:sequenceFlow>')
        else:
            body.append(f'<bpmn:sequenceFlow id="flow_{index}" sourceRef="{source}" targetRef="{target}" />')
    if condition:
        body.append('<bpmn:sequenceFlow id="flow_anders" sourceRef="keuze" targetRef="einde_anders" />')
    lanes = ""
    if lane:
        lanes = ('<bpmn:laneSet id="lanes"><bpmn:lane id="lane_1" name="' + lane + '">'
                 + "".join(f"<bpmn:flowNodeRef>{r}</bpmn:flowNodeRef>" for r in refs) + "</bpmn:lane></bpmn:laneSet>")
    return (HEAD.format(pid=pid)
            + f'<bpmn:process id="{pid}" isExecutable="{"true" if executable else "false"}">'
            + lanes + "".join(nodes) + "".join(body) + "</bpmn:process></bpmn:definitions>\n")


_OLDER_NAMES = {"termijn": "termijn", "herinnering": "herinnering", "bericht": "bericht",
                "berichtAan": "bericht_aan", "berichtPartner": "bericht_partner", "actie": "actie"}


def older_form(text: str) -> str:
    """A process file as it was written before ZVT's namespace: the settings as spiffworkflow
    properties (and calledDecisionId), a lane named after its role."""
    import re

    def rewrite(match):
        tag, attributes, rest = match.group(1), match.group(2), match.group(3)
        found = dict(re.findall(r' zvt:(\w+)="([^"]*)"', attributes))
        attributes = re.sub(r' zvt:\w+="[^"]*"', "", attributes)
        if tag == "lane":
            unnamed = re.sub(r' name="[^"]*"', "", attributes)
            # A lane bound to a partner is newer than the older form: it keeps its zvt:partner.
            partner = f' zvt:partner="{found["partner"]}"' if "partner" in found else ""
            return f'<bpmn:lane{unnamed} name="{found["rol"]}"{partner}>{rest}'
        properties = "".join(f'<spiffworkflow:property name="{_OLDER_NAMES[k]}" value="{"ja" if k == "herinnering" else v}" />'
                             for k, v in found.items() if k in _OLDER_NAMES and not (k == "herinnering" and v != "true"))
        extensions = (f"<spiffworkflow:properties>{properties}</spiffworkflow:properties>" if properties else "") + (
            f"<spiffworkflow:calledDecisionId>{found['beslistabel']}</spiffworkflow:calledDecisionId>"
            if "beslistabel" in found else "")
        # extensionElements follows an element's documentation (the BPMN schema's order).
        documentation = re.match(r"(\s*<bpmn:documentation>.*?</bpmn:documentation>)", rest, re.S)
        keep = documentation.group(1) if documentation else ""
        return (f"<bpmn:{tag}{attributes}>{keep}<bpmn:extensionElements>{extensions}</bpmn:extensionElements>"
                f"{rest[len(keep):]}")

    text = re.sub(r"<bpmn:(\w+)((?: [^>]*?)? zvt:[^>]*?)>((?:\s*<bpmn:documentation>.*?</bpmn:documentation>)?)",
                  rewrite, text, flags=re.S)
    spiff = 'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
    zvt = 'xmlns:zvt="https://zvt.heerenveen.example/schema/bpmn/1.0"'
    return text.replace(zvt, f"{spiff} {zvt}" if " zvt:partner=" in text else spiff)
