// Autosave of a visit-note draft: while the form has unsaved changes, post it every few seconds to the
// autosave URL (the same fields as "Save draft"). Without JavaScript the Save draft button does the same.
(function () {
  "use strict";
  var form = document.getElementById("note-form");
  if (!form || !form.dataset.autosaveUrl || !window.fetch) return;
  var status = document.getElementById("autosave-status");
  var seconds = parseInt(form.dataset.autosaveSeconds, 10) || 20;
  var dirty = false;
  var busy = false;

  function say(text) { if (status) status.textContent = text; }

  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });

  var retryTimer = null;

  // The server answers 503 while its database is down: the change stays marked unsaved and is sent again
  // after the Retry-After the server gives (between 1 and 60 seconds), or at the next interval if sooner.
  function notSaved(response) {
    dirty = true;
    var wait = parseInt(response.headers.get("Retry-After"), 10) || seconds;
    wait = Math.min(Math.max(wait, 1), 60);
    say("Your last change was not saved: the clinic's system is temporarily unavailable. " +
        "Trying again in " + (wait === 1 ? "1 second" : wait + " seconds") + "; your entries are still on this page.");
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(save, wait * 1000);
  }

  function save() {
    if (!dirty || busy) return;
    busy = true;
    dirty = false;
    var data = new FormData(form);
    fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest" }
    }).then(function (response) {
      if (response.status === 503) { notSaved(response); return null; }
      return response.json().catch(function () { return { saved: false, message: "Not saved (status " + response.status + ")." }; });
    }).then(function (body) {
      // A refused save waits for the next change (the message says what to fix).
      if (body) say(body.message);
    }).catch(function () {
      dirty = true;
      say("Not saved: no connection. Your entries are still on this page; trying again in " + seconds + " seconds.");
    }).finally(function () { busy = false; });
  }

  window.setInterval(save, seconds * 1000);
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
})();
