// For the process modeler and the DMN editor: on "Opslaan en controleren" the editor saves its XML
// into the form's hidden field `field`, and the form posts it like any form (with its CSRF token,
// no inline script). Loaded before the page's own script.
window.zvtSaveIntoForm = function (form, field, editor, status) {
  "use strict";
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    editor.saveXML({ format: true }).then(function (result) {
      form.querySelector("input[name=" + field + "]").value = result.xml;
      form.submit();
    }).catch(function (error) {
      status.textContent = "Opslaan lukte niet: " + error.message;
    });
  });
};
