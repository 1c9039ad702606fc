// The proceseigenaar's DMN editor (web/templates/decision_table_editor.html): dmn-js opens the
// draft's DMN file at its decision requirements diagram (DRD), from which a decision's table
// opens; "Opslaan en controleren" puts what it saves into the form, which posts it.
(function () {
  "use strict";
  var frame = document.getElementById("dmn-editor");
  var form = document.getElementById("dmn-save");
  var status = document.getElementById("dmn-status");
  if (!frame || !form || !window.DmnJS || !window.zvtSaveIntoForm) { return; }
  frame.hidden = false;
  // Dutch for what a proceseigenaar meets first (the rest of dmn-js stays English).
  var DUTCH = {
    "When": "Als", "And": "En", "Then": "Dan", "Hit policy": "Welke regel telt", "Hit policy:": "Welke regel telt:",
    "View DRD": "Naar het schema (DRD)", "Annotation": "Notitie", "Annotations": "Notities",
    "Add rule": "Regel toevoegen", "Add rule above": "Regel erboven", "Add rule below": "Regel eronder",
    "Remove rule": "Regel verwijderen", "Copy rule": "Regel kopiëren", "Cut rule": "Regel knippen",
    "Paste rule above": "Regel erboven plakken", "Paste rule below": "Regel eronder plakken", "Move rule": "Regel verplaatsen",
    "Input": "Invoer", "Output": "Uitkomst", "Input label": "Naam van de invoer", "Output label": "Naam van de uitkomst",
    "Input expression": "Uitdrukking (Python)", "Output name": "Naam in de casus", "Type": "Soort", "Value": "Waarde",
    "Values": "Waarden", "Expression language": "Taal van de uitdrukking", "Decision name": "Naam van de beslissing",
    "Yes": "Ja", "No": "Nee", "Delete": "Verwijderen", "Edit": "Aanpassen", "Search in diagram": "Zoeken in het schema",
    "Activate hand tool": "Hand: het schema verschuiven", "Activate lasso tool": "Lasso: meer elementen kiezen",
    "Create decision": "Beslissing maken", "Create input data": "Invoergegevens maken",
    "Create knowledge model": "Kennismodel maken", "Create knowledge source": "Kennisbron maken",
    "Add text annotation": "Notitie toevoegen", "Connect to other element": "Met een ander element verbinden"
  };
  function translate(template, replacements) {
    var values = replacements || {};
    return (DUTCH[template] || template).replace(/{([^}]+)}/g, function (_, key) {
      return key in values ? values[key] : "{" + key + "}";
    });
  }
  // Per view: dmn-js passes a view its own additionalModules only, not those under "common".
  var dutch = { additionalModules: [{ translate: ["value", translate] }] };
  var editor = new window.DmnJS({ container: frame, drd: dutch, decisionTable: dutch, literalExpression: dutch });
  status.textContent = "De beslistabel wordt geladen.";
  editor.importXML(frame.getAttribute("data-dmn")).then(function () {
    form.hidden = false;
    status.textContent = "";
  }).catch(function (error) {
    status.textContent = "De beslistabel kon niet geladen worden: " + error.message;
  });
  window.zvtSaveIntoForm(form, "dmn", editor, status);
}());
