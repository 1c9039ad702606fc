// Live preview in the form editor (web/form_editor.py): a moment after the proceseigenaar stops
// typing, the page's form goes (with its own CSRF token) to the preview address, and the server
// draws the form with the renderer caseworkers see. Nothing is saved. Without this script the
// page works the same through "Voorbeeld bekijken zonder opslaan" and the save buttons.
(function () {
  "use strict";
  var form = document.querySelector("form[data-voorbeeld-url]");
  var target = document.getElementById("voorbeeld-inhoud");
  if (!form || !target || !window.fetch || !window.FormData) {
    return;
  }
  var url = form.getAttribute("data-voorbeeld-url");
  var status = document.getElementById("voorbeeld-status");
  var region = target.closest("section");
  var WAIT_MS = 400;
  var timer = null;
  var asked = 0;  // the newest request; an older answer arriving late is dropped

  function say(text) {
    if (status && status.textContent !== text) {
      status.textContent = text;
    }
  }

  function refresh() {
    timer = null;
    var number = ++asked;
    region.setAttribute("aria-busy", "true");
    fetch(url, {method: "POST", body: new FormData(form), credentials: "same-origin"}).then(function (response) {
      if (!response.ok || response.redirected) {
        throw new Error(String(response.status));  // refused, or logged out: the login page is no preview
      }
      return response.text();
    }).then(function (html) {
      if (number === asked) {
        target.innerHTML = html;  // drawn and escaped by the server's renderer
        say("");
      }
    }).catch(function () {
      if (number === asked) {
        say("Het voorbeeld kon niet worden bijgewerkt. Kies ‘Voorbeeld bekijken zonder opslaan’.");
      }
    }).then(function () {
      if (number === asked) {
        region.removeAttribute("aria-busy");
      }
    });
  }

  function later() {
    if (timer !== null) {
      window.clearTimeout(timer);
    }
    timer = window.setTimeout(refresh, WAIT_MS);
  }

  // The choices of a new field matter only for the two kinds with a list.
  var choices = document.getElementById("nieuw-keuzes-veld");
  function showChoices() {
    var kind = form.querySelector("input[name='nieuw-soort']:checked");
    var text = document.getElementById("nieuw-keuzes");
    choices.hidden = !(kind && (kind.value === "keuze" || kind.value === "meerdere_keuzes")) && !(text && text.value.trim());
  }

  form.addEventListener("input", later);
  form.addEventListener("change", function (event) {
    if (choices && event.target.name === "nieuw-soort") {
      showChoices();
    }
    later();
  });
  if (choices) {
    showChoices();
  }
})();
