// The proceseigenaar's modeler (web/templates/process_modeler.html): bpmn-js with its properties
// panel (web/modeler/index.js) opens the draft's BPMN, marks the elements the last check found a problem on, and on "Opslaan en controleren"
// puts what it saves into the form, which posts it like any form (with its CSRF token).
(function () {
  "use strict";
  var frame = document.getElementById("modeler");
  var form = document.getElementById("modeler-save");
  var status = document.getElementById("modeler-status");
  if (!frame || !form || !window.ZvtModeler || !window.zvtSaveIntoForm) { return; }
  var READABLE = 0.8;  // below this bpmn-js's 12 px labels are too small (as on the case page)
  var PALETTE = 110;  // px: the tool palette over the canvas's left edge
  document.getElementById("modeler-frame").hidden = false;
  var modeler = new window.ZvtModeler(frame, document.getElementById("modeler-panel"),
                                      JSON.parse(frame.getAttribute("data-facts") || "{}"));
  status.textContent = "Het procesmodel wordt geladen.";
  modeler.importXML(frame.getAttribute("data-bpmn")).then(function () {
    var canvas = modeler.get("canvas");
    var registry = modeler.get("elementRegistry");
    var fitted = canvas.zoom("fit-viewport", "auto");
    if (fitted < READABLE) {
      // A long process fitted whole is too small to read or click: readable, from its start.
      var box = canvas.viewbox();
      canvas.viewbox({ x: box.inner.x - PALETTE / READABLE, y: box.inner.y - 20 / READABLE,
                       width: box.outer.width / READABLE, height: box.outer.height / READABLE });
    }
    var marked = JSON.parse(frame.getAttribute("data-problems") || "[]").map(function (problem) {
      return registry.get(problem.element);
    }).filter(Boolean);
    marked.forEach(function (element) { canvas.addMarker(element.id, "zvt-problem"); });
    if (marked.length) {
      // Readable, around the first element with a problem: the whole of a long process is too small.
      var first = marked[0];
      canvas.zoom(1, { x: first.x + (first.width || 0) / 2, y: first.y + (first.height || 0) / 2 });
      canvas.scroll({ dx: 0, dy: 0 });
      var box = canvas.viewbox();
      canvas.viewbox({ x: first.x - box.width / 2, y: first.y - box.height / 2, width: box.width, height: box.height });
    }
    form.hidden = false;
    status.textContent = "";
  }).catch(function (error) {
    status.textContent = "Het procesmodel kon niet geladen worden: " + error.message;
  });
  window.zvtSaveIntoForm(form, "bpmn", modeler, status);
}());
