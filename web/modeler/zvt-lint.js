// Checking while modelling: bpmnlint's recommended rules (the ones `make test` runs over processes/
// with .bpmnlintrc) plus ZVT's rules, in the browser through bpmn-js-bpmnlint. The same ZVT rules
// run on the server when a draft is checked (engine/zvt_rules.py), with deploy's own checks.
// bpmnlint finds rules through a resolver; its CLI reads them from disk, so for the bundle they are
// imported one by one here (what bpmnlint-pack-config would generate, without another tool).
import recommended from "bpmnlint/config/recommended";
import adHocSubProcess from "bpmnlint/rules/ad-hoc-sub-process";
import conditionalFlows from "bpmnlint/rules/conditional-flows";
import endEventRequired from "bpmnlint/rules/end-event-required";
import eventBasedGateway from "bpmnlint/rules/event-based-gateway";
import eventSubProcessTypedStartEvent from "bpmnlint/rules/event-sub-process-typed-start-event";
import fakeJoin from "bpmnlint/rules/fake-join";
import global from "bpmnlint/rules/global";
import labelRequired from "bpmnlint/rules/label-required";
import linkEvent from "bpmnlint/rules/link-event";
import noBpmndi from "bpmnlint/rules/no-bpmndi";
import noComplexGateway from "bpmnlint/rules/no-complex-gateway";
import noDisconnected from "bpmnlint/rules/no-disconnected";
import noDuplicateSequenceFlows from "bpmnlint/rules/no-duplicate-sequence-flows";
import noGatewayJoinFork from "bpmnlint/rules/no-gateway-join-fork";
import noImplicitSplit from "bpmnlint/rules/no-implicit-split";
import noImplicitEnd from "bpmnlint/rules/no-implicit-end";
import noImplicitStart from "bpmnlint/rules/no-implicit-start";
import noInclusiveGateway from "bpmnlint/rules/no-inclusive-gateway";
import noOverlappingElements from "bpmnlint/rules/no-overlapping-elements";
import singleBlankStartEvent from "bpmnlint/rules/single-blank-start-event";
import singleEventDefinition from "bpmnlint/rules/single-event-definition";
import startEventRequired from "bpmnlint/rules/start-event-required";
import subProcessBlankStartEvent from "bpmnlint/rules/sub-process-blank-start-event";
import superfluousGateway from "bpmnlint/rules/superfluous-gateway";
import superfluousLabel from "bpmnlint/rules/superfluous-label";
import superfluousTermination from "bpmnlint/rules/superfluous-termination";

const BPMNLINT = {
  "ad-hoc-sub-process": adHocSubProcess, "conditional-flows": conditionalFlows,
  "end-event-required": endEventRequired, "event-based-gateway": eventBasedGateway,
  "event-sub-process-typed-start-event": eventSubProcessTypedStartEvent, "fake-join": fakeJoin,
  global, "label-required": labelRequired, "link-event": linkEvent, "no-bpmndi": noBpmndi,
  "no-complex-gateway": noComplexGateway, "no-disconnected": noDisconnected,
  "no-duplicate-sequence-flows": noDuplicateSequenceFlows, "no-gateway-join-fork": noGatewayJoinFork,
  "no-implicit-split": noImplicitSplit, "no-implicit-end": noImplicitEnd, "no-implicit-start": noImplicitStart,
  "no-inclusive-gateway": noInclusiveGateway, "no-overlapping-elements": noOverlappingElements,
  "single-blank-start-event": singleBlankStartEvent, "single-event-definition": singleEventDefinition,
  "start-event-required": startEventRequired, "sub-process-blank-start-event": subProcessBlankStartEvent,
  "superfluous-gateway": superfluousGateway, "superfluous-label": superfluousLabel,
  "superfluous-termination": superfluousTermination,
};

const READABLE_ID = /^[a-z][a-z0-9_]*$/;

export function laneRole(lane) {
  return lane && (lane.get("zvt:rol") || lane.get("name"));
}

// ZVT's rules; `facts` comes from the page: the roles, the task ids that have a form in the draft,
// the running version's reminders and element ids.
function zvtRules(facts) {
  const roles = new Set(facts.roles || []);
  const forms = new Set(facts.forms || []);
  const reminders = new Set(facts.reminders || []);
  const known = new Set(facts.known_ids || []);
  const rule = (check) => () => ({ check });
  return {
    "user-task-role": rule((node, reporter) => {
      if (node.$instanceOf("bpmn:UserTask") && !(node.get("lanes") || []).some((lane) => roles.has(laneRole(lane)))) {
        reporter.report(node.id, "Deze taak staat niet in een lane met een rol: niemand kan haar doen.");
      }
    }),
    "user-task-form": rule((node, reporter) => {
      if (node.$instanceOf("bpmn:UserTask") && !forms.has(node.id)) {
        reporter.report(node.id, "Deze taak heeft geen formulier. Een geplakte taak krijgt een nieuwe id; geef haar de id van haar formulier.");
      }
    }),
    "reminder-stays": rule((node, reporter) => {
      if (node.$instanceOf("bpmn:BoundaryEvent") && reminders.has(node.id) && node.get("zvt:herinnering") !== true) {
        reporter.report(node.id, "Dit was een herinnering. Zonder 'Herinnering' wordt deze tijd de termijn van de taak.");
      }
    }),
    "readable-id": rule((node, reporter) => {
      if (node.$instanceOf("bpmn:FlowElement") && node.id && !known.has(node.id) && !READABLE_ID.test(node.id)) {
        reporter.report(node.id, "Geef dit nieuwe onderdeel een leesbare id in kleine letters, zoals plan_evalueren.");
      }
    }),
  };
}

// bpmnlint's recommended rules alone, as `make test` runs them with .bpmnlintrc; the server checks
// a draft with these (server-lint.js), and ZVT's own rules in Python (engine/zvt_rules.py).
export function recommendedConfig() {
  return {
    config: { extends: "bpmnlint:recommended" },
    resolver: {
      resolveRule: (pkg, name) => (pkg === "bpmnlint" ? BPMNLINT[name] : null),
      resolveConfig: (pkg, name) => (pkg === "bpmnlint" && name === "recommended" ? recommended : null),
    },
  };
}

export function lintConfig(facts) {
  const ours = zvtRules(facts);
  const rules = {};
  Object.keys(ours).forEach((name) => { rules[`zvt/${name}`] = "error"; });
  return {
    config: { extends: "bpmnlint:recommended", rules },
    resolver: {
      resolveRule: (pkg, name) => (pkg === "bpmnlint" ? BPMNLINT[name] : pkg.endsWith("zvt") ? ours[name] : null),
      resolveConfig: (pkg, name) => (pkg === "bpmnlint" && name === "recommended" ? recommended : null),
    },
  };
}
