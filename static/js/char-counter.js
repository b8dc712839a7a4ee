// A "characters left" counter under every field marked data-char-counter (with a maxlength).
// The visible count updates as one types; screen readers hear it only near the limit, not on every key.
(function () {
  "use strict";
  function attach(field) {
    var max = parseInt(field.getAttribute("maxlength"), 10);
    if (!max || field.dataset.counterReady) return;
    field.dataset.counterReady = "1";
    var shown = document.createElement("div");
    shown.className = "form-text char-counter";
    shown.id = field.id + "-counter";
    shown.setAttribute("aria-hidden", "true");
    var spoken = document.createElement("div");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", spoken);
    field.insertAdjacentElement("afterend", shown);
    function update() {
      var left = max - field.value.length;
      shown.textContent = left + " of " + max + " characters left";
      shown.classList.toggle("text-danger", left <= 20);
      spoken.textContent = left <= 20 ? left + " characters left" : "";
    }
    field.addEventListener("input", update);
    update();
  }
  document.querySelectorAll("[data-char-counter]").forEach(attach);
})();
