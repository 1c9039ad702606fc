// ZVT's group in the properties panel, "Werking": what decides how a case runs, in the words of
// this team, kept in ZVT's own namespace (engine/zvt_moddle.json, engine/zvt_namespace.py). Editable
// here: a script task's script and a flow's condition (both Python, run in ZVT's sandbox) and the
// engine action it runs (zvt:actie, one of those the server names), a lane's
// role and the partner whose staff alone do its tasks, a user task's due date (zvt:termijn), whether a timer on a task is a reminder or its
// deadline, the message a step sends, and the decision table a rule task calls. Shown: a user
// task's role (its lane) and its form. Deploy and the draft's check refuse what cannot run.
import { Group, SelectEntry, TextAreaEntry, TextFieldEntry, isSelectEntryEdited, isTextAreaEntryEdited,
         isTextFieldEntryEdited } from "@bpmn-io/properties-panel";
import { jsx } from "@bpmn-io/properties-panel/preact/jsx-runtime";
import { useService } from "bpmn-js-properties-panel";
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";

import { laneRole } from "./zvt-lint.js";

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

// A text field or a choice for one zvt: attribute; empty removes it.
function AttributeEntry({ element, id, attribute, label, description, options }) {
  const modeling = useService("modeling");
  const translate = useService("translate");
  const debounce = useService("debounceInput");
  const common = {
    element, id, label: translate(label), description: description && translate(description),
    getValue: () => { const value = getBusinessObject(element).get(attribute); return value === undefined ? "" : String(value); },
    setValue: (value) => modeling.updateProperties(element, { [attribute]: value === "" ? undefined : value }),
  };
  if (options) {
    return jsx(SelectEntry, { ...common, getOptions: () => options.map(([value, text]) => ({ value, label: translate(text) })) });
  }
  return jsx(TextFieldEntry, { ...common, debounce });
}

function TimerKindEntry({ element, id }) {
  const modeling = useService("modeling");
  const translate = useService("translate");
  return jsx(SelectEntry, {
    element, id, label: translate("Soort tijd"),
    description: translate("Een termijn maakt de taak te laat als de tijd voorbij is. Een herinnering stuurt alleen een seintje."),
    getValue: () => (getBusinessObject(element).get("zvt:herinnering") === true ? "herinnering" : "termijn"),
    setValue: (value) => modeling.updateProperties(element, { "zvt:herinnering": value === "herinnering" ? true : undefined }),
    getOptions: () => [{ value: "termijn", label: translate("Termijn: de taak is dan te laat") },
                       { value: "herinnering", label: translate("Herinnering: alleen een seintje") }],
  });
}

function InfoEntry({ id, label, text }) {
  return jsx("div", {
    class: "bio-properties-panel-entry zvt-panel-info", "data-entry-id": id,
    children: [jsx("div", { class: "bio-properties-panel-label", children: label }), jsx("p", { children: text })],
  });
}

function attribute(id, props, edited = isTextFieldEntryEdited) {
  return { id, component: (p) => AttributeEntry({ ...p, ...props }), isEdited: edited };
}

function messageEntries(roles) {
  return [
    attribute("zvt-bericht", { attribute: "zvt:bericht", label: "Bericht als deze stap klaar is",
      options: [["", "Geen bericht"], ["terugkoppeling", "Terugkoppeling aan de aanmelder"]] }, isSelectEntryEdited),
    attribute("zvt-bericht-aan", { attribute: "zvt:berichtAan", label: "Bericht aan (rol)",
      options: [["", "Niemand"], ...roles.map((role) => [role, role])] }, isSelectEntryEdited),
    attribute("zvt-bericht-partner", { attribute: "zvt:berichtPartner", label: "Partner uit veld",
      description: "Het veld van de casus met de code van de partner die het bericht krijgt." }),
  ];
}

function entries(element, translate, facts) {
  const business = getBusinessObject(element);
  const roles = facts.roles || [];
  const message = is(element, "bpmn:FlowNode") && !is(element, "bpmn:Gateway") && !is(element, "bpmn:BoundaryEvent")
    ? messageEntries(roles) : [];
  if (is(element, "bpmn:Lane")) {
    return [
      attribute("zvt-rol", { attribute: "zvt:rol", label: "Rol",
        description: "Wie de taken in deze lane mag doen. De naam van de lane is alleen het opschrift.",
        options: [["", "Geen rol"], ...roles.map((role) => [role, role])] }, isSelectEntryEdited),
      attribute("zvt-partner", { attribute: "zvt:partner", label: "Partner uit veld",
        description: "Het veld van de casus met de code van een partner, zoals partner_inbreuk. Dan doen alleen "
          + "mensen met deze rol bij die partner de taken in deze lane. Leeg: de rol bij elke partner die meedoet." }),
    ];
  }
  if (is(element, "bpmn:ScriptTask")) {
    const actions = facts.actions || [];
    const current = business.get("zvt:actie");
    const unknown = current && !actions.some(([name]) => name === current) ? [[current, `${current} (onbekend)`]] : [];
    return [
      { id: "zvt-script", component: ScriptEntry, isEdited: isTextAreaEntryEdited },
      attribute("zvt-actie", { attribute: "zvt:actie", label: "Actie van het systeem",
        description: "Werk dat ZVT bij deze stap zelf doet, in dezelfde stap als het script, zoals een partner in "
          + "het partnerregister zetten. Alleen de acties die ZVT kent.",
        options: [["", "Geen actie"], ...actions, ...unknown] }, isSelectEntryEdited),
      ...message,
    ];
  }
  if (is(element, "bpmn:SequenceFlow") && (business.get("conditionExpression")
      || is(business.get("sourceRef"), "bpmn:ExclusiveGateway"))) {
    return [{ id: "zvt-condition", component: ConditionEntry, isEdited: isTextAreaEntryEdited }];
  }
  if (is(element, "bpmn:UserTask")) {
    const process = business.$parent && business.$parent.get("id");
    const lane = (business.get("lanes") || [])[0];
    return [
      { id: "zvt-role", component: (p) => InfoEntry({ ...p, label: translate("Wie doet het (rol)"),
        text: laneRole(lane) || translate("Geen rol: zet de taak in de lane van een rol.") }) },
      { id: "zvt-form", component: (p) => InfoEntry({ ...p, label: translate("Formulier"),
        text: (facts.forms || []).includes(business.get("id")) ? `forms/${process}/${business.get("id")}.schema.json`
          : translate("Geen formulier: deze taak vraagt niets.") }) },
      attribute("zvt-termijn", { attribute: "zvt:termijn", label: "Termijn (Python)",
        description: "Wanneer de taak af moet zijn: een uitdrukking met gegevens van de casus, zoals ap_termijn. Leeg: de termijn-timer op de rand telt." }),
      ...message,
    ];
  }
  if (is(element, "bpmn:BusinessRuleTask")) {
    return [attribute("zvt-beslistabel", { attribute: "zvt:beslistabel", label: "Beslistabel",
      description: "De id van de beslissing (DMN) die deze stap uitrekent." }), ...message];
  }
  if (is(element, "bpmn:BoundaryEvent") && (business.get("eventDefinitions") || []).some((d) => is(d, "bpmn:TimerEventDefinition"))) {
    return [{ id: "zvt-timer-kind", component: TimerKindEntry, isEdited: isSelectEntryEdited }];
  }
  return message;
}

export default class ZvtPropertiesProvider {
  constructor(propertiesPanel, translate, zvtFacts) {
    this._translate = translate;
    this._facts = zvtFacts || {};
    propertiesPanel.registerProvider(500, this);
  }

  getGroups(element) {
    return (groups) => {
      const found = entries(element, this._translate, this._facts);
      if (found.length) {
        groups.splice(1, 0, { id: "zvt", label: this._translate("Werking"), entries: found, component: Group });
      }
      return groups;
    };
  }
}
ZvtPropertiesProvider.$inject = ["propertiesPanel", "translate", "zvtFacts"];
