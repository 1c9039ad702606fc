// The proceseigenaar's DMN editor (web/templates/decision_table_editor.html): dmn-js opens the
// draft's DMN file at its decision requirements diagram (DRD), from which a decision's table
// opens; "Opslaan en controleren" puts what it saves into the form, which posts it. All that
// dmn-js says is Dutch: decision-table-dutch.js, loaded before this script.
(function () {
  "use strict";
  var frame = document.getElementById("dmn-editor");
  var form = document.getElementById("dmn-save");
  var status = document.getElementById("dmn-status");
  var DUTCH = window.zvtDmnDutch;
  if (!frame || !form || !window.DmnJS || !window.zvtSaveIntoForm || !DUTCH) { return; }
  frame.hidden = false;
  // As dmn-js's own translate, with the Dutch text where there is one. The key is trimmed:
  // dmn-js asks for "{ example }" with spaces and would otherwise leave it unfilled.
  function translate(template, replacements) {
    var values = replacements || {};
    return (DUTCH.texts[template] || template).replace(/{([^}]+)}/g, function (whole, key) {
      return key.trim() in values ? values[key.trim()] : whole;
    });
  }
  // dmn-js 17 writes a few texts without translate() and has no other way to change them: put the
  // Dutch in as it draws them. Exact matches only, on a few attributes and on the text of a few
  // headings; a text node keeps its place, so dmn-js still finds it when it draws again.
  function dutchHardCoded(root, hardCoded) {
    var attributes = hardCoded.attributes;
    var withAttribute = attributes.map(function (name) { return "[" + name + "]"; }).join(", ");
    function swap(element) {
      attributes.forEach(function (name) {
        var dutch = hardCoded.dutch[element.getAttribute(name)];
        if (dutch) { element.setAttribute(name, dutch); }
      });
      if (element.matches(hardCoded.texts)) {
        element.childNodes.forEach(function (node) {
          var dutch = node.nodeType === Node.TEXT_NODE && hardCoded.dutch[node.nodeValue];
          if (dutch) { node.nodeValue = dutch; }
        });
      }
    }
    function swapAll(element) {
      swap(element);
      element.querySelectorAll(withAttribute + ", " + hardCoded.texts).forEach(swap);
    }
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        if (change.type === "attributes") { swap(change.target); }
        change.addedNodes.forEach(function (node) {
          if (node.nodeType === Node.ELEMENT_NODE) { swapAll(node); }
        });
      });
    }).observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: attributes });
    swapAll(root);
  }
  // Per view: dmn-js passes a view its own additionalModules only, not those under "common".
  var dutch = { additionalModules: [{ translate: ["value", translate] }] };
  var editor = new window.DmnJS({
    container: frame,
    // The kinds of value to choose from (stored in English, shown in Dutch); a file's other kinds stay.
    common: { dataTypes: ["string", "boolean", "integer", "long", "double", "date", "dateTime"] },
    drd: dutch, decisionTable: dutch, literalExpression: dutch, boxedExpression: dutch
  });
  dutchHardCoded(frame, DUTCH.hardCoded);
  status.textContent = "De beslistabel wordt geladen.";
  editor.importXML(frame.getAttribute("data-dmn")).then(function () {
    form.hidden = false;
    status.textContent = "";
  }).catch(function (error) {
    status.textContent = "De beslistabel kon niet geladen worden: " + error.message;
  });
  window.zvtSaveIntoForm(form, "dmn", editor, status);
}());
