/*
 * CCM Portal — report editor: autosave and small helps. The pages work without this file
 * (the Save, Add a row and Delete buttons are plain form submissions).
 *
 * Autosave posts the whole form with fetch (Accept: application/json) about two seconds after
 * the last keystroke and when a field loses focus. The server answers
 *   200 {"revision", "saved_at", "message", "errors": {path: message}, "complete",
 *        "status": {"complete", "label", "text"}, "nav": [{"code", "complete"}], "suggestions": {code: text}}
 * and the banner above the page, the ticks on the tabs, the save bar and the suggestions next to
 * the choices are all updated from it, so that they never disagree after a save.
 *   409 {"conflict": true, "by", "at", "changed", "message"} — someone else saved meanwhile.
 *   503 {"retry": true, "message"} — the database was busy; nothing saved, autosave tries again.
 * On a conflict autosave stops: saving over someone else's work must be a deliberate click on
 * Save, which shows the server's conflict page with the other person's name and the parts changed.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  var DELAY = 2000;

  function init() {
    var form = document.querySelector("form[data-autosave]");
    if (!form || !window.fetch || !window.FormData) {
      return;
    }
    var status = document.querySelector("[data-autosave-status]");
    var revision = form.querySelector("[data-revision]");
    var timer = null;
    var inFlight = null;
    var edits = 0; // bumped on every edit
    var savedEdits = 0; // the edit count the last successful save covered
    var stopped = false; // after a conflict: no more automatic saves
    var submitting = false;

    function say(text, kind) {
      if (!status) {
        return;
      }
      status.textContent = text;
      status.classList.toggle("is-saved", kind === "saved");
      status.classList.toggle("is-problem", kind === "problem");
    }

    function dirty() {
      return edits !== savedEdits;
    }

    function cellError(input, message) {
      var id = input.id + "-error";
      var slot = document.getElementById(id);
      var described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
      var cell = input.closest("td, .field, .choice-sub");
      if (message) {
        if (!slot) {
          slot = document.createElement("p");
          slot.className = "cell-error";
          slot.id = id;
          input.insertAdjacentElement("afterend", slot);
        }
        slot.textContent = message;
        input.setAttribute("aria-invalid", "true");
        if (described.indexOf(id) === -1) {
          described.push(id);
        }
      } else {
        if (slot) {
          slot.remove();
        }
        input.removeAttribute("aria-invalid");
        described = described.filter(function (d) {
          return d !== id;
        });
      }
      if (described.length) {
        input.setAttribute("aria-describedby", described.join(" "));
      } else {
        input.removeAttribute("aria-describedby");
      }
      if (cell) {
        cell.classList.toggle(cell.tagName === "TD" ? "cell--error" : "field--error", Boolean(message));
      }
    }

    function showErrors(errors) {
      var inputs = form.querySelectorAll("[data-path]");
      for (var i = 0; i < inputs.length; i++) {
        var input = inputs[i];
        var message = errors[input.getAttribute("data-path")] || "";
        var current = document.getElementById(input.id + "-error");
        if (message || current) {
          cellError(input, message);
        }
      }
      var rows = form.querySelectorAll("tr[data-row-id]");
      for (var j = 0; j < rows.length; j++) {
        rows[j].classList.toggle("grid-row--error", Boolean(rows[j].querySelector(".cell--error")));
      }
    }

    function showStatus(data) {
      var banner = document.querySelector("[data-editor-status]");
      var state = data.status;
      if (banner && state) {
        banner.classList.toggle("editor-status--complete", state.complete);
        var icon = banner.querySelector("[data-status-icon]");
        var label = banner.querySelector("[data-status-label]");
        var text = banner.querySelector("[data-status-text]");
        if (icon) {
          icon.hidden = !state.complete;
        }
        if (label) {
          label.textContent = state.label || "";
          label.hidden = !state.label;
        }
        if (text) {
          text.textContent = state.text;
        }
      }
      (data.nav || []).forEach(function (item) {
        var link = document.querySelector('[data-nav-code="' + item.code + '"]');
        if (!link) {
          return;
        }
        link.classList.toggle("is-complete", item.complete);
        var mark = link.querySelector("[data-nav-icon]");
        if (mark) {
          mark.hidden = !item.complete;
        }
        var words = link.querySelector("[data-nav-state]");
        if (words) {
          words.textContent = words.getAttribute(item.complete ? "data-complete" : "data-incomplete");
        }
      });
      var slots = document.querySelectorAll("[data-suggestion-for]");
      for (var i = 0; i < slots.length; i++) {
        var suggestion = (data.suggestions || {})[slots[i].getAttribute("data-suggestion-for")] || "";
        slots[i].textContent = suggestion;
        slots[i].hidden = !suggestion;
      }
    }

    function save() {
      timer = null;
      if (stopped || submitting || !dirty()) {
        return Promise.resolve();
      }
      if (inFlight) {
        // Save again once the running save is done, with whatever was typed meanwhile.
        return inFlight.then(save);
      }
      var covered = edits;
      say(status && status.getAttribute("data-saving"), "");
      inFlight = fetch(form.getAttribute("action") || window.location.href, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json", "X-Requested-With": "fetch" },
        credentials: "same-origin",
        redirect: "manual",
      })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (response.type === "opaqueredirect" || type.indexOf("application/json") === -1) {
            throw new Error("not json");
          }
          return response.json().then(function (data) {
            return { status: response.status, data: data };
          });
        })
        .then(function (result) {
          var data = result.data;
          if (result.status === 200) {
            revision.value = data.revision;
            savedEdits = covered;
            var text = data.message;
            if (status && typeof data.complete === "boolean") {
              text += " · " + status.getAttribute(data.complete ? "data-complete" : "data-incomplete");
            }
            say(dirty() ? status.getAttribute("data-unsaved") : text, "saved");
            showErrors(data.errors || {});
            showStatus(data);
          } else if (data.retry) {
            // The database was busy: nothing was saved, the page keeps what was typed; try again shortly.
            say(data.message, "problem");
            schedule(DELAY * 5);
          } else {
            stopped = true;
            say(data.message, "problem");
          }
        })
        .catch(function () {
          say(status && status.getAttribute("data-failed"), "problem");
        })
        .then(function () {
          inFlight = null;
        });
      return inFlight;
    }

    function schedule(delay) {
      if (stopped) {
        return;
      }
      if (timer) {
        window.clearTimeout(timer);
      }
      timer = window.setTimeout(save, delay);
    }

    form.addEventListener("input", function () {
      edits += 1;
      if (!stopped) {
        say(status && status.getAttribute("data-unsaved"), "");
      }
      schedule(DELAY);
    });
    form.addEventListener("change", function () {
      edits += 1;
      schedule(DELAY);
    });
    form.addEventListener("focusout", function () {
      if (dirty()) {
        schedule(0);
      }
    });

    // A click on Save, Add a row or Delete: wait for a running autosave (so the revision sent is
    // the one it produced), then submit the ordinary way.
    form.addEventListener("submit", function (event) {
      if (timer) {
        window.clearTimeout(timer);
        timer = null;
      }
      if (inFlight && !submitting) {
        event.preventDefault();
        var submitter = event.submitter || null;
        inFlight.then(function () {
          submitting = true;
          if (form.requestSubmit) {
            form.requestSubmit(submitter);
          } else {
            form.submit();
          }
        });
        return;
      }
      submitting = true;
    });

    window.addEventListener("beforeunload", function (event) {
      if (dirty() && !submitting) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  // "Use it": put the standard not-applicable statement in its field.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-use-statement]");
    if (!button) {
      return;
    }
    var input = document.getElementById(button.getAttribute("data-use-statement"));
    if (input) {
      input.value = button.getAttribute("data-statement");
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.focus();
    }
  });

  // Characters left in long narratives.
  function counters() {
    var spans = document.querySelectorAll("[data-count-for]");
    Array.prototype.forEach.call(spans, function (span) {
      var field = document.getElementById(span.getAttribute("data-count-for"));
      if (!field) {
        return;
      }
      var max = parseInt(field.getAttribute("maxlength"), 10);
      var update = function () {
        var n = field.value.length;
        if (!max) {
          span.textContent = "";
        } else if (window.interpolate) {
          // In the page's language and number format (the JavaScript catalogue, /jsi18n/), not the browser's.
          span.textContent = window.interpolate(
            window.gettext("(%(count)s / %(max)s)"),
            { count: window.ccmNumber(n), max: window.ccmNumber(max) },
            true
          );
        } else {
          span.textContent = "(" + window.ccmNumber(n) + " / " + window.ccmNumber(max) + ")";
        }
      };
      field.addEventListener("input", update);
      update();
    });
  }

  // After "Add a row", the page opens at the new row: put the cursor in its first field.
  function focusTargetRow() {
    var hash = window.location.hash;
    if (hash.indexOf("#row-") !== 0) {
      return;
    }
    var row = document.getElementById(hash.slice(1));
    var field = row && row.querySelector("input:not([type=hidden]), select, textarea");
    if (field && !document.querySelector("[data-focus-on-load]")) {
      field.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    init();
    counters();
  });
  // After the browser has scrolled to the #row-… fragment (which would take focus back).
  window.addEventListener("load", function () {
    window.setTimeout(focusTargetRow, 0);
  });
})();
