// The proceseigenaar's DMN editor (web/templates/decision_table_editor.html): dmn-js opens the
// draft's DMN file at its decision requirements diagram (DRD), from which a decision's table
// opens; "Opslaan en controleren" puts what it saves into the form, which posts it.
(function () {
  "use strict";
  var frame = document.getElementById("dmn-editor");
  var form = document.getElementById("dmn-save");
  var status = document.getElementById("dmn-status");
  if (!frame || !form || !window.DmnJS) { return; }
  frame.hidden = false;
  var editor = new window.DmnJS({ container: frame });
  status.textContent = "De beslistabel wordt geladen.";
  editor.importXML(frame.getAttribute("data-dmn")).then(function () {
    form.hidden = false;
    status.textContent = "";
  }).catch(function (error) {
    status.textContent = "De beslistabel kon niet geladen worden: " + error.message;
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    editor.saveXML({ format: true }).then(function (result) {
      form.querySelector("input[name=dmn]").value = result.xml;
      form.submit();
    }).catch(function (error) {
      status.textContent = "Opslaan lukte niet: " + error.message;
    });
  });
}());
