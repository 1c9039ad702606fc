// ZVT's group in the properties panel, "Werking": what decides how a case runs, in the words of
// this team. A script task's script and a flow's condition can be changed here (both Python, run
// in ZVT's sandbox; deploy and the draft's check refuse what the sandbox refuses). For a user task
// the panel shows which role does it (its lane) and which form it uses; for a timer on a task
// whether it is a reminder or the task's deadline. Those are read here and changed in the files.
import { Group, TextAreaEntry, isTextAreaEntryEdited } from "@bpmn-io/properties-panel";
import { jsx } from "@bpmn-io/properties-panel/preact/jsx-runtime";
import { useService } from "bpmn-js-properties-panel";
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";

function ScriptEntry({ element, id }) {
  const modeling = useService("modeling");
  const translate = useService("translate");
  const debounce = useService("debounceInput");
  return jsx(TextAreaEntry, {
    element, id, debounce, monospace: true, rows: 10,
    label: translate("Script (Python)"),
    description: translate("Wat deze stap uitrekent of vastlegt. Alleen wat de sandbox van ZVT toestaat."),
    getValue: () => getBusinessObject(element).get("script") || "",
    setValue: (value) => modeling.updateProperties(element, { script: value || undefined }),
  });
}

function ConditionEntry({ element, id }) {
  const modeling = useService("modeling");
  const translate = useService("translate");
  const debounce = useService("debounceInput");
  const bpmnFactory = useService("bpmnFactory");
  return jsx(TextAreaEntry, {
    element, id, debounce, monospace: true, rows: 3,
    label: translate("Voorwaarde (Python)"),
    description: translate("Deze pijl wordt genomen als de voorwaarde waar is. Leeg: de pijl heeft geen voorwaarde."),
    getValue: () => {
      const expression = getBusinessObject(element).get("conditionExpression");
      return (expression && expression.get("body")) || "";
    },
    setValue: (value) => modeling.updateProperties(element, {
      conditionExpression: value ? bpmnFactory.create("bpmn:FormalExpression", { body: value }) : undefined,
    }),
  });
}

function InfoEntry({ id, label, text }) {
  return jsx("div", {
    class: "bio-properties-panel-entry zvt-panel-info", "data-entry-id": id,
    children: [jsx("div", { class: "bio-properties-panel-label", children: label }), jsx("p", { children: text })],
  });
}

// The ZVT properties of an element (<spiffworkflow:property name=... value=...>), which bpmn-js
// keeps as generic extension elements.
function zvtProperties(element) {
  const found = {};
  const extensions = getBusinessObject(element).get("extensionElements");
  ((extensions && extensions.get("values")) || []).forEach((container) => {
    (container.$children || []).forEach((child) => {
      if (child.$type === "spiffworkflow:property" && child.name) { found[child.name] = child.value; }
    });
  });
  return found;
}

function laneOf(element) {
  const lane = (getBusinessObject(element).get("lanes") || [])[0];
  return lane && lane.get("name");
}

function entries(element, translate) {
  const business = getBusinessObject(element);
  if (is(element, "bpmn:ScriptTask")) {
    return [{ id: "zvt-script", component: ScriptEntry, isEdited: isTextAreaEntryEdited }];
  }
  if (is(element, "bpmn:SequenceFlow") && (business.get("conditionExpression")
      || is(business.get("sourceRef"), "bpmn:ExclusiveGateway"))) {
    return [{ id: "zvt-condition", component: ConditionEntry, isEdited: isTextAreaEntryEdited }];
  }
  if (is(element, "bpmn:UserTask")) {
    const process = business.$parent && business.$parent.get("id");
    return [
      { id: "zvt-role", component: (p) => InfoEntry({ ...p, label: translate("Wie doet het (rol)"),
        text: laneOf(element) || translate("Geen rol: zet de taak in de lane van een rol.") }) },
      { id: "zvt-form", component: (p) => InfoEntry({ ...p, label: translate("Formulier"),
        text: `forms/${process}/${business.get("id")}.schema.json` }) },
    ];
  }
  if (is(element, "bpmn:BoundaryEvent") && (business.get("eventDefinitions") || []).some((d) => is(d, "bpmn:TimerEventDefinition"))) {
    const reminder = "herinnering" in zvtProperties(element);
    return [{ id: "zvt-timer-kind", component: (p) => InfoEntry({ ...p, label: translate("Soort tijd"),
      text: reminder ? translate("Herinnering: de taak krijgt hier geen termijn door.")
                     : translate("Termijn: de taak is te laat als deze tijd voorbij is.") }) }];
  }
  return [];
}

export default class ZvtPropertiesProvider {
  constructor(propertiesPanel, translate) {
    this._translate = translate;
    propertiesPanel.registerProvider(500, this);
  }

  getGroups(element) {
    return (groups) => {
      const found = entries(element, this._translate);
      if (found.length) {
        groups.splice(1, 0, { id: "zvt", label: this._translate("Werking"), entries: found, component: Group });
      }
      return groups;
    };
  }
}
ZvtPropertiesProvider.$inject = ["propertiesPanel", "translate"];
