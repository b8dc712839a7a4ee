// The day view's "now" line: today's page opens scrolled to it, and it moves down as the minutes pass.
// The server placed it (in the clinic's time zone); here it only advances by the time since the page loaded.
(function () {
  "use strict";
  var lines = document.querySelectorAll(".cal-now");
  if (!lines.length) return;
  var PX_PER_MINUTE = 1.6; // as scheduling/calendar.py
  var loaded = Date.now();

  function place() {
    var minutes = (Date.now() - loaded) / 60000;
    lines.forEach(function (line) {
      var top = parseFloat(line.dataset.top) + minutes * PX_PER_MINUTE;
      var inside = top <= parseFloat(line.dataset.max);
      line.hidden = !inside;
      if (inside) line.style.top = top + "px";
    });
  }

  // Open at now (a third down the window), unless the page was already scrolled (a reload, "back") or a
  // link points at a part of it.
  if (!window.location.hash && window.scrollY === 0) {
    var rect = lines[0].getBoundingClientRect();
    window.scrollTo(0, Math.max(0, window.scrollY + rect.top - window.innerHeight / 3));
  }
  window.setInterval(place, 60000);
})();
