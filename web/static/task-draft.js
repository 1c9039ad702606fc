// Autosave of a task form as the user's draft (web/drafts.py): a moment after typing stops,
// and when the page is closed. The form works the same without this script ("Tussentijds
// opslaan"). The CSRF token goes along as the form's own hidden field.
(function () {
  "use strict";
  var form = document.querySelector("form[data-concept-url]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var url = form.getAttribute("data-concept-url");
  var absolute = new URL(url, window.location.href).href;  // a form's .action is absolute
  var status = document.getElementById("concept-status");
  var WAIT_MS = 2000;
  var timer = null;
  var changed = false;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function save() {
    timer = null;
    if (!changed) {
      return;
    }
    changed = false;
    fetch(url, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: {"X-ZVT-Autosave": "1"}
    }).then(function (response) {
      if (response.status === 204) {
        var time = new Date().toLocaleTimeString("nl-NL", {hour: "2-digit", minute: "2-digit"});
        say("Concept automatisch bewaard om " + time + ".");
      } else if (response.redirected && response.url.indexOf("/inloggen") !== -1) {
        // Logged out after a quiet while: what was typed is kept as a draft; log in again.
        window.location.assign(response.url);
      } else {
        changed = true;
        say("Het concept kon niet automatisch worden bewaard. Kies ‘Tussentijds opslaan’.");
      }
    }).catch(function () {
      changed = true;
      say("Het concept kon niet automatisch worden bewaard. Kies ‘Tussentijds opslaan’.");
    });
  }

  function later() {
    changed = true;
    if (timer !== null) {
      window.clearTimeout(timer);
    }
    timer = window.setTimeout(save, WAIT_MS);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  function beacon() {
    if (changed && navigator.sendBeacon) {
      navigator.sendBeacon(url, new FormData(form));
    }
    changed = false;
  }

  // Sending the form itself, or throwing the draft away, leaves nothing to save; any other button
  // on the page (oppakken, uitloggen) leaves the page: save what is pending first.
  document.addEventListener("submit", function (event) {
    if (timer !== null) {
      window.clearTimeout(timer);
      timer = null;
    }
    var target = event.target;
    if (target === form || (typeof target.action === "string" && target.action.indexOf(absolute) === 0)) {
      changed = false;
    } else {
      beacon();
    }
  }, true);
  window.addEventListener("pagehide", beacon);
})();
