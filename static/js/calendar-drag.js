// Drag to move on the day view, the week of one practitioner and the week of everyone: a booked appointment
// dragged to another time, day or practitioner is moved by the server (the move form's checks, the same
// service). A refusal puts the block back and says why; a move can be undone for a few seconds. The move form
// on the appointment's page stays the keyboard and no-JavaScript way.
//
// Two layouts, one script. On a time grid (.cal[data-first-minute]) a block is placed by its --t (minutes from
// the top of the grid, see static/css/scheduling.css) and dropping it on a column ([data-practitioner][data-day])
// picks the time from where it lands. On the week of everyone (table[data-move-url-template], no time axis) an
// appointment dropped on another practitioner's day keeps its time of day. The move URL comes from the
// container's data-move-url-template, with the id read from the block's link by data-detail-url-template.
(function () {
  "use strict";
  var box = document.querySelector("[data-move-url-template]");
  var token = document.querySelector("#drag-move input[name=csrfmiddlewaretoken]");
  if (!box || !token || !window.fetch) return;
  var grid = box.hasAttribute("data-first-minute");
  var PX_PER_MINUTE = 1.6, STEP = 15; // as scheduling/calendar.py
  var UNDO_SECONDS = 8;
  var firstMinute = parseInt(box.dataset.firstMinute || "0", 10);
  var moveTemplate = box.dataset.moveUrlTemplate || "";
  var detailTemplate = box.dataset.detailUrlTemplate || "";
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

  // "09:00 Name", the block's first text: its time changes when it moves on the grid.
  function timeLabel(block) { return block.firstChild; }
  // Where a block is, so that it can go back: its parent, the element after it, its top on the grid.
  function place(block) {
    return { parent: block.parentNode, next: block.nextSibling, top: block.style.getPropertyValue("--t"),
      label: timeLabel(block).nodeValue };
  }
  function putBack(block, where) {
    where.parent.insertBefore(block, where.next && where.next.parentNode === where.parent ? where.next : null);
    if (grid) block.style.setProperty("--t", where.top);
    timeLabel(block).nodeValue = where.label;
  }
  // The week of everyone lists a day's appointments in time order (li > a): keep that order on a drop.
  function listOf(target) {
    var list = target.querySelector("ul.wk-list");
    var folded = list && list.closest("details");
    if (folded) folded.open = true; // the moved visit stays in sight
    if (!list) {
      list = document.createElement("ul");
      list.className = "wk-list list-unstyled mb-0";
      target.appendChild(list);
    }
    return list;
  }
  function insertInOrder(list, item, label) {
    var after = Array.prototype.find.call(list.children, function (li) {
      return li !== item && li.textContent.trim() > label;
    });
    list.insertBefore(item, after || null);
  }

  // Booked appointments move (the others have started, ended or are not active); a booked one has no
  // status- class. Its link may be relative: its pathname is absolute.
  box.querySelectorAll(".cal-block:not([class*='status-']), .wk-chip:not([class*='status-'])").forEach(function (block) {
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

  function dropped(target, event) {
    var block = dragged, label, before, back, here;
    if (grid) {
      var y = event.clientY - target.getBoundingClientRect().top - grabY;
      var minute = Math.max(firstMinute, firstMinute + Math.round(y / PX_PER_MINUTE / STEP) * STEP);
      label = hhmm(minute);
      before = place(block);
      back = function (to) { putBack(block, to); };
      here = function () { return place(block); };
      target.appendChild(block);
      block.style.setProperty("--t", String(minute - firstMinute));
      timeLabel(block).nodeValue = before.label.replace(/^\d\d:\d\d/, label);
    } else {
      var item = block.parentNode; // its li; the time of day stays
      label = timeLabel(block).nodeValue.slice(0, 5);
      here = function () { return { parent: item.parentNode, next: item.nextSibling }; };
      before = here();
      back = function (to) {
        to.parent.insertBefore(item, to.next && to.next.parentNode === to.parent ? to.next : null);
      };
      insertInOrder(listOf(target), item, label);
    }
    var was = grid ? before.label.slice(0, 5) : label;
    say("Moving to " + label + "…", false);
    post(block.dataset.moveUrl, target.dataset.day + "T" + label, target.dataset.practitioner).then(function (answer) {
      if (!answer.ok) {
        back(before);
        say(answer.message, true);
        return;
      }
      var after = here();
      block.classList.add("moved"); // above the free-time links under it (they refresh with the page)
      say(answer.message, false, function () {
        say("Moving back…", false);
        post(block.dataset.moveUrl, answer.undo.start, answer.undo.practitioner).then(function (again) {
          if (again.ok) { back(before); say("Moved back to " + was + ".", false); }
          else { back(after); say("Could not move it back: " + again.message, true); }
        });
      });
    });
  }

  box.querySelectorAll("[data-practitioner][data-day]").forEach(function (target) {
    target.addEventListener("dragover", function (event) {
      if (!dragged) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      target.classList.add("drop-target");
    });
    target.addEventListener("dragleave", function () { target.classList.remove("drop-target"); });
    target.addEventListener("drop", function (event) {
      if (!dragged) return;
      event.preventDefault();
      target.classList.remove("drop-target");
      dropped(target, event);
    });
  });

  undoButton.addEventListener("click", function () {
    var action = undoAction;
    undoButton.hidden = true;
    undoAction = null;
    if (action) action();
  });
})();
