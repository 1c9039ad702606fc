// Files from before ZVT's namespace keep ZVT's settings as <spiffworkflow:property> elements (and the
// DMN a rule task calls as <spiffworkflow:calledDecisionId>), which bpmn-js holds as generic XML it
// drops on copy/paste and replace. On opening, they become the zvt: attributes
// (engine/zvt_namespace.py), so the panel shows and edits them and the saved file is in the namespace;
// a lane that is named after a role gets that role. The engine reads either form the same.
const ATTRIBUTE = { termijn: "zvt:termijn", herinnering: "zvt:herinnering", bericht: "zvt:bericht",
                    bericht_aan: "zvt:berichtAan", bericht_partner: "zvt:berichtPartner" };

// Moves the element's old settings; returns how many.
function upgradeElement(business) {
  const extensions = business.get("extensionElements");
  let moved = 0;
  if (!extensions) { return moved; }
  const kept = (extensions.get("values") || []).filter((container) => {
    if (container.$type === "spiffworkflow:properties") {
      (container.$children || []).forEach((child) => {
        if (child.$type === "spiffworkflow:property" && ATTRIBUTE[child.name]) {
          business.set(ATTRIBUTE[child.name], child.name === "herinnering" ? true : child.value);
          moved += 1;
        }
      });
      return (container.$children || []).some((child) => !ATTRIBUTE[child.name]);
    }
    if (container.$type === "spiffworkflow:calledDecisionId") {
      business.set("zvt:beslistabel", (container.$body || "").trim());
      moved += 1;
      return false;
    }
    return true;
  });
  if (kept.length) {
    extensions.set("values", kept);
  } else {
    business.set("extensionElements", undefined);
  }
  return moved;
}

export default function upgradeToZvtNamespace(elementRegistry, roles) {
  let changed = 0;
  elementRegistry.getAll().forEach((element) => {
    const business = element.businessObject;
    if (!business || element.labelTarget) { return; }
    if (business.$instanceOf("bpmn:Lane")) {
      if (!business.get("zvt:rol") && roles.includes(business.get("name"))) { business.set("zvt:rol", business.get("name")); changed += 1; }
      return;
    }
    changed += upgradeElement(business);
  });
  return changed;
}
