// Body diagram: the checkboxes are the real controls; a click on a region of the figure ticks its checkbox,
// and every checkbox change fills or clears the region. Without JavaScript the checkboxes work alone.
(function () {
  "use strict";
  function setup(container) {
    var boxes = container.querySelectorAll('input[type="checkbox"]');
    function paint(box) {
      container.querySelectorAll('[data-region="' + box.value + '"]').forEach(function (shape) {
        shape.classList.toggle("marked", box.checked);
      });
    }
    boxes.forEach(function (box) {
      box.addEventListener("change", function () { paint(box); });
      paint(box);
    });
    container.querySelectorAll("svg [data-region]").forEach(function (shape) {
      shape.addEventListener("click", function () {
        var box = container.querySelector('input[type="checkbox"][value="' + shape.getAttribute("data-region") + '"]');
        if (!box) { return; }
        box.checked = !box.checked;
        box.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
  }
  document.querySelectorAll("[data-body-diagram]").forEach(setup);
})();
