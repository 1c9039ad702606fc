// The proceseigenaar's modeler: bpmn-js with its properties panel (name, id, documentation, timers),
// ZVT's group (zvt-properties.js) on ZVT's own namespace (engine/zvt_moddle.json), and checking
// while modelling (zvt-lint.js: bpmnlint's recommended rules and ZVT's), in Dutch. Bundled by
// esbuild at install time (make install -> node_modules/.zvt/modeler.js), because the properties
// panel ships as ES modules only. web/static/process-modeler.js uses it.
import BpmnModeler from "bpmn-js/lib/Modeler";
import LintModule from "bpmn-js-bpmnlint";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from "bpmn-js-properties-panel";

import ZVT_MODDLE from "../../engine/zvt_moddle.json";
import DUTCH from "./translations.js";
import { lintConfig } from "./zvt-lint.js";
import ZvtPropertiesProvider from "./zvt-properties.js";
import upgradeToZvtNamespace from "./zvt-upgrade.js";

// As bpmn-js's own translate, with the Dutch text where there is one.
function translate(template, replacements) {
  const values = replacements || {};
  return (DUTCH[template] || template).replace(/{([^}]+)}/g, (_, key) => (key in values ? values[key] : `{${key}}`));
}

// facts: { roles, forms (task ids with a form in the draft), reminders and known_ids (of the running version) }
window.ZvtModeler = function ZvtModeler(container, panel, facts) {
  const modeler = new BpmnModeler({
    container: container,
    propertiesPanel: { parent: panel },
    moddleExtensions: { zvt: ZVT_MODDLE },
    linting: { bpmnlint: lintConfig(facts || {}), active: true },
    additionalModules: [
      BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, LintModule,
      { __init__: ["zvtPropertiesProvider"], zvtPropertiesProvider: ["type", ZvtPropertiesProvider],
        zvtFacts: ["value", facts || {}] },
      { translate: ["value", translate] },
    ],
  });
  // Older files: their settings become zvt: attributes as soon as they are open (zvt-upgrade.js).
  modeler.on("import.done", ({ error }) => {
    if (!error) { upgradeToZvtNamespace(modeler.get("elementRegistry"), (facts || {}).roles || []); }
  });
  return modeler;
};
