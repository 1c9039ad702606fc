// Draws the case's process with bpmn-js and marks what was done and what is open.
// Without JavaScript the page still says all of this in the timeline and the task list, and shows
// no diagram box and no zoom buttons (both wait, hidden, for this script).
(function () {
  "use strict";
  // Below this scale the labels in the diagram are too small to read (bpmn-js draws them at 12 px).
  var READABLE = 0.8;
  var MIN_ZOOM = 0.05;
  var MAX_ZOOM = 3;
  var STEP = 1.25;

  function centre(shape) {
    return { x: shape.x + shape.width / 2, y: shape.y + shape.height / 2 };
  }

  // The viewbox at `scale` with `point` (diagram coordinates) in the middle of the frame.
  function showAround(canvas, point, scale) {
    var outer = canvas.viewbox().outer;
    canvas.viewbox({
      x: point.x - outer.width / scale / 2, y: point.y - outer.height / scale / 2,
      width: outer.width / scale, height: outer.height / scale
    });
  }

  // On load: the whole diagram if it can be read that way; otherwise readable, around what is open
  // now (or what was done last), which is what "Waar staat de casus?" asks.
  function initialView(canvas, registry, markers) {
    var fitted = canvas.zoom("fit-viewport", "auto");
    if (fitted >= READABLE) { return; }
    var ids = (markers.active || []).concat((markers.finished || []).slice(-1));
    var focus = ids.map(function (id) { return registry.get(id); }).filter(Boolean)[0];
    if (focus) { showAround(canvas, centre(focus), READABLE); }
  }

  function connectTools(tools, canvas) {
    var status = document.getElementById("diagram-zoom");
    function report() {
      status.textContent = "Zoom: " + Math.round(canvas.zoom() * 100) + "%";
    }
    tools.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-zoom]");
      if (!button) { return; }
      var kind = button.getAttribute("data-zoom");
      if (kind === "fit") {
        canvas.zoom("fit-viewport", "auto");
      } else {
        var scale = canvas.zoom() * (kind === "in" ? STEP : 1 / STEP);
        canvas.zoom(Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, scale)));  // around the middle of the frame
      }
      report();
    });
    tools.hidden = false;
    report();
  }

  // bpmn-js moves the canvas with a mouse only: a finger dragging over it would scroll the page.
  // Sideways finger moves (touch-action: pan-y in case.css) move the diagram; up and down still
  // scroll the page, so a phone user never gets stuck in the frame.
  function connectTouch(container, canvas) {
    var last = null;
    container.addEventListener("pointerdown", function (event) {
      if (event.pointerType === "touch") { last = { x: event.clientX, y: event.clientY }; }
    });
    container.addEventListener("pointermove", function (event) {
      if (!last || event.pointerType !== "touch") { return; }
      canvas.scroll({ dx: event.clientX - last.x, dy: event.clientY - last.y });
      last = { x: event.clientX, y: event.clientY };
    });
    ["pointerup", "pointercancel"].forEach(function (type) {
      container.addEventListener(type, function () { last = null; });
    });
  }

  function draw() {
    var container = document.getElementById("diagram");
    if (!container || typeof window.BpmnJS === "undefined") { return; }
    var markers = JSON.parse(container.getAttribute("data-markers") || "{}");
    container.textContent = "";  // the sentence for pages without JavaScript
    container.classList.add("zvt-diagram--drawn");  // its frame and height, before bpmn-js measures it
    var viewer = new window.BpmnJS({ container: container });
    viewer.importXML(container.getAttribute("data-bpmn")).then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      // bpmn-js makes the canvas focusable (it can be moved with the arrow keys) but gives it
      // no name; a screen reader would announce an unnamed element.
      var focusable = container.querySelector("[tabindex]");
      if (focusable) {
        focusable.setAttribute("aria-label", "Procesdiagram van de casus; verschuif met de pijltjestoetsen");
        focusable.setAttribute("aria-describedby", "diagram-hint");
      }
      (markers.finished || []).forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, "zvt-finished"); }
      });
      (markers.active || []).forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, "zvt-active"); }
      });
      initialView(canvas, registry, markers);
      connectTouch(container, canvas);
      var tools = document.getElementById("diagram-knoppen");
      if (tools) { connectTools(tools, canvas); }
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
