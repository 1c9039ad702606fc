// The proceseigenaar's modeler: bpmn-js with its properties panel (name, id, documentation,
// timers) and ZVT's group (zvt-properties.js: scripts, conditions, role, form, reminder), in Dutch, bundled by esbuild at install time (make install -> node_modules/.zvt/modeler.js),
// because the properties panel ships as ES modules only. web/static/process-modeler.js uses it.
import BpmnModeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from "bpmn-js-properties-panel";

import DUTCH from "./translations.js";
import ZvtPropertiesProvider from "./zvt-properties.js";

// As bpmn-js's own translate, with the Dutch text where there is one.
function translate(template, replacements) {
  const values = replacements || {};
  return (DUTCH[template] || template).replace(/{([^}]+)}/g, (_, key) => (key in values ? values[key] : `{${key}}`));
}

window.ZvtModeler = function ZvtModeler(container, panel) {
  return new BpmnModeler({
    container: container,
    propertiesPanel: { parent: panel },
    additionalModules: [
      BpmnPropertiesPanelModule, BpmnPropertiesProviderModule,
      { __init__: ["zvtPropertiesProvider"], zvtPropertiesProvider: ["type", ZvtPropertiesProvider] },
      { translate: ["value", translate] },
    ],
  });
};
