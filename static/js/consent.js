// Consent screen: the sign button stays disabled until the reader has reached the end of the text, by
// scrolling (an IntersectionObserver sees the end marker) or by ticking "I have read the whole text"
// (the keyboard path). The server checks every acknowledgement again; this only guides.
(function () {
  "use strict";
  var form = document.querySelector("[data-consent-form]");
  if (!form) { return; }
  var box = form.querySelector("[data-consent-text]");
  var end = form.querySelector("[data-consent-end]");
  var readBox = form.querySelector('input[name="read_to_end"]');
  var submit = form.querySelector("[data-consent-submit]");
  var status = form.querySelector("[data-consent-status]");
  // The words come from the page (data-hint, data-reached), in the page's language.
  var hint = (status && status.getAttribute("data-hint")) ||
    "Scroll to the end of the text, or tick the box below it, to enable the sign button.";
  var reached = (status && status.getAttribute("data-reached")) || "You have reached the end of the text.";
  function update() {
    submit.disabled = !readBox.checked;
    if (status && !readBox.checked) {
      status.textContent = hint;
    }
  }
  function reachedEnd() {
    if (!readBox.checked) {
      readBox.checked = true;
      update();
      if (status) { status.textContent = reached; }
    }
  }
  readBox.addEventListener("change", function () {
    update();
    if (status && readBox.checked) { status.textContent = ""; }
  });
  update();
  if ("IntersectionObserver" in window && box && end) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { reachedEnd(); observer.disconnect(); }
      });
    }, { root: box, threshold: 1.0 });
    observer.observe(end);
  }
})();
