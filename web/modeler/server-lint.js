// bpmnlint over one BPMN file, for the server's check of a process draft: web/bpmn_lint.py runs
// this bundle in V8 through mini-racer, so the server needs no Node. It does what bpmnlint's CLI
// does with .bpmnlintrc (make test runs that over processes/): a parse error and every import
// warning are errors, then the recommended rules, resolved from the same imports as the modeler's
// (zvt-lint.js). Bundled by scripts/build_assets.sh.
import { BpmnModdle } from "bpmn-moddle";
import { Linter } from "bpmnlint";
import { recommendedConfig } from "./zvt-lint.js";

// One finding: the rule ("" for parsing), the element id (may be missing), the message, and
// "error" or "warn".
const finding = (rule, id, message, category) => ({ rule, id: id || null, message, category });

globalThis.zvtBpmnLint = async function zvtBpmnLint(xml) {
  let parsed;
  try {
    parsed = await new BpmnModdle().fromXML(xml);
  } catch (error) {
    return JSON.stringify([finding("", null, `Parse error: ${error.message}`, "error")]);
  }
  const found = (parsed.warnings || []).map((warning) => finding(
    "", warning.element && warning.element.id, `Import warning: ${warning.message.split(/\n/)[0]}`, "error"));
  const reports = await new Linter(recommendedConfig()).lint(parsed.rootElement);
  Object.entries(reports).forEach(([rule, list]) => {
    list.forEach((report) => found.push(finding(report.name || rule, report.id, report.message, report.category)));
  });
  return JSON.stringify(found);
};
