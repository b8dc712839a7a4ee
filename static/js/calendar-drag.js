// Drag to move on the day view: a booked appointment dragged to another time or practitioner column is moved
// by the server (the move form's checks, the same service). A refusal puts the block back and says why;
// a move can be undone for a few seconds. The move form on the appointment's page stays the keyboard way.
// A block is placed by its --t (minutes from the top of the grid, see static/css/scheduling.css); its move URL
// comes from the grid's data-move-url-template, with the id read from its link by data-detail-url-template.
(function () {
  "use strict";
  var cal = document.querySelector(".cal[data-first-minute]");
  var token = document.querySelector("#drag-move input[name=csrfmiddlewaretoken]");
  if (!cal || !token || !window.fetch) return;
  var PX_PER_MINUTE = 1.6, STEP = 15; // as scheduling/calendar.py
  var UNDO_SECONDS = 8;
  var firstMinute = parseInt(cal.dataset.firstMinute, 10);
  var moveTemplate = cal.dataset.moveUrlTemplate || "";
  var detailTemplate = cal.dataset.detailUrlTemplate || "";
  if (moveTemplate.indexOf("{pk}") < 0 || detailTemplate.indexOf("{pk}") < 0) return;
  var detailPattern = new RegExp("^" + detailTemplate.split("{pk}").map(function (part) {
    return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }).join("(\\d+)") + "$");
  var toast = document.getElementById("drag-toast");
  var status = document.getElementById("drag-status");
  var error = document.getElementById("drag-error");
  var undoButton = document.getElementById("drag-undo");
  var dragged = null, grabY = 0, undoTimer = null, undoAction = null;

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function hhmm(minute) { return pad(Math.floor(minute / 60)) + ":" + pad(minute % 60); }

  function say(text, isError, undo) {
    window.clearTimeout(undoTimer);
    status.textContent = isError ? "" : text;
    error.textContent = isError ? text : "";
    toast.hidden = false;
    undoAction = undo || null;
    undoButton.hidden = !undo;
    undoTimer = window.setTimeout(function () {
      undoButton.hidden = true;
      undoAction = null;
      if (!isError) toast.hidden = true;
    }, UNDO_SECONDS * 1000);
  }

  function post(url, start, practitioner) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", token.value);
    data.append("start", start);
    data.append("practitioner", practitioner);
    return fetch(url, {
      method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "XMLHttpRequest" }
    }).then(function (response) {
      return response.json().catch(function () {
        return { ok: false, message: "Not moved: the clinic's system did not answer (status " + response.status + ")." };
      });
    }, function () {
      return { ok: false, message: "Not moved: no connection. The appointment is where it was." };
    });
  }

  // Where a block is, so that it can go back: its column and its top (minutes from the top of the grid).
  function place(block) {
    return { body: block.parentNode, top: block.style.getPropertyValue("--t"), label: timeLabel(block).nodeValue };
  }
  function timeLabel(block) { return block.firstChild; } // "09:00 Name", the block's first line
  function putBack(block, where) {
    where.body.appendChild(block);
    block.style.setProperty("--t", where.top);
    timeLabel(block).nodeValue = where.label;
  }

  // Booked appointments move (the others have started, ended or are not active); a booked block has no
  // status- class. Its link may be relative: its pathname is absolute.
  cal.querySelectorAll(".cal-block:not([class*='status-'])").forEach(function (block) {
    var id = detailPattern.exec(block.pathname);
    if (!id) return;
    block.dataset.moveUrl = moveTemplate.split("{pk}").join(id[1]);
    block.draggable = true;
    block.addEventListener("dragstart", function (event) {
      dragged = block;
      grabY = event.clientY - block.getBoundingClientRect().top;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", block.dataset.moveUrl);
      block.classList.add("dragging");
    });
    block.addEventListener("dragend", function () {
      block.classList.remove("dragging");
      dragged = null;
    });
  });

  cal.querySelectorAll(".cal-body[data-practitioner]").forEach(function (body) {
    body.addEventListener("dragover", function (event) {
      if (!dragged) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      body.classList.add("drop-target");
    });
    body.addEventListener("dragleave", function () { body.classList.remove("drop-target"); });
    body.addEventListener("drop", function (event) {
      if (!dragged) return;
      event.preventDefault();
      body.classList.remove("drop-target");
      var block = dragged;
      var y = event.clientY - body.getBoundingClientRect().top - grabY;
      var minute = firstMinute + Math.round(y / PX_PER_MINUTE / STEP) * STEP;
      minute = Math.max(firstMinute, minute);
      var before = place(block);
      body.appendChild(block);
      block.style.setProperty("--t", String(minute - firstMinute));
      timeLabel(block).nodeValue = before.label.replace(/^\d\d:\d\d/, hhmm(minute));
      say("Moving to " + hhmm(minute) + "…", false);
      post(block.dataset.moveUrl, body.dataset.day + "T" + hhmm(minute), body.dataset.practitioner).then(function (answer) {
        if (!answer.ok) {
          putBack(block, before);
          say(answer.message, true);
          return;
        }
        var after = place(block);
        block.classList.add("moved"); // above the free-time links under it (they refresh with the page)
        say(answer.message, false, function () {
          say("Moving back…", false);
          post(block.dataset.moveUrl, answer.undo.start, answer.undo.practitioner).then(function (back) {
            if (back.ok) { putBack(block, before); say("Moved back to " + before.label.slice(0, 5) + ".", false); }
            else { putBack(block, after); say("Could not move it back: " + back.message, true); }
          });
        });
      });
    });
  });

  undoButton.addEventListener("click", function () {
    var action = undoAction;
    undoButton.hidden = true;
    undoAction = null;
    if (action) action();
  });
})();
