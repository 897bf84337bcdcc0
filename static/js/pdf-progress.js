/* CCM Portal: PDF status page. Polls the JSON status and moves the <progress> bar; reloads the
 * page once the PDF is ready or has failed, so the server shows the download link or the error.
 * Without this script the page refreshes itself (<noscript> meta refresh) and has a reload link. The page loads
 * the JavaScript catalogue (/jsi18n/) first: the percentage is written in the page's language. */
(function () {
  "use strict";

  var INTERVAL = 1500;

  function start() {
    var box = document.querySelector("[data-pdf-status]");
    if (!box || !window.fetch) {
      return;
    }
    var status = box.getAttribute("data-status");
    if (status !== "queued" && status !== "rendering") {
      return;
    }
    var url = box.getAttribute("data-pdf-status");
    var bar = box.querySelector("progress");
    var stage = box.querySelector("[data-pdf-stage]");
    var percent = box.querySelector("[data-pdf-percent]");

    function poll() {
      window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (data) {
          if (data.status !== "queued" && data.status !== "rendering") {
            window.location.reload();
            return;
          }
          var shown = window.ccmNumber ? window.ccmNumber(data.progress) : String(data.progress);
          if (bar) {
            bar.value = data.progress;
            bar.textContent = window.interpolate
              ? window.interpolate(window.gettext("%(share)s%%"), { share: shown }, true).replace("%%", "%")
              : shown + " %";
          }
          if (stage && data.stage && stage.textContent !== data.stage) {
            stage.textContent = data.stage;
          }
          if (percent) {
            percent.textContent = shown;
          }
          window.setTimeout(poll, INTERVAL);
        })
        .catch(function () {
          // A network hiccup: try again a little later; the reload link still works.
          window.setTimeout(poll, INTERVAL * 4);
        });
    }

    window.setTimeout(poll, INTERVAL);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
