// Draws the case's process with bpmn-js and marks what was done and what is open.
// Without JavaScript the page still says all of this in the timeline and the task list.
(function () {
  "use strict";
  function draw() {
    var container = document.getElementById("diagram");
    if (!container || typeof window.BpmnJS === "undefined") { return; }
    var markers = JSON.parse(container.getAttribute("data-markers") || "{}");
    var viewer = new window.BpmnJS({ container: container });
    viewer.importXML(container.getAttribute("data-bpmn")).then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      // bpmn-js makes the canvas focusable (it can be moved with the arrow keys) but gives it
      // no name; a screen reader would announce an unnamed element.
      var focusable = container.querySelector("[tabindex]");
      if (focusable) { focusable.setAttribute("aria-label", "Procesdiagram van de casus; verschuif met de pijltjestoetsen"); }
      (markers.finished || []).forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, "zvt-finished"); }
      });
      (markers.active || []).forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, "zvt-active"); }
      });
    }).catch(function () {
      container.textContent = "Het diagram kan niet worden getoond.";
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
