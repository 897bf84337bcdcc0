/* CCM Portal: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // Ask before destructive actions: <form data-confirm="Translated question?">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // Numbers as the page writes them, not as the browser's own language would: the separators and grouping of
  // the page's language from the JavaScript catalogue (/jsi18n/, get_format) when the page loads it, else
  // Intl in the page's language. ccmNumber(1234567.5, 2) is "1 234 567,50" on a French page.
  window.ccmNumber = function (value, decimals) {
    var number = Number(value);
    var places = decimals || 0;
    if (typeof window.get_format !== "function") {
      return number.toLocaleString(document.documentElement.lang || undefined, {
        minimumFractionDigits: places,
        maximumFractionDigits: places,
      });
    }
    var parts = Math.abs(number).toFixed(places).split(".");
    var grouping = window.get_format("NUMBER_GROUPING");
    var sizes = Array.isArray(grouping) ? grouping : [grouping];
    var digits = parts[0];
    var groups = [];
    var size = 0;
    for (var i = 0; digits.length > 0 && Number(sizes[0]) > 0; i++) {
      size = i < sizes.length && Number(sizes[i]) > 0 ? Number(sizes[i]) : size || Number(sizes[0]);
      groups.unshift(digits.slice(-size));
      digits = digits.slice(0, -size);
    }
    var whole = groups.length ? groups.join(window.get_format("THOUSAND_SEPARATOR")) : digits;
    var text = places ? whole + window.get_format("DECIMAL_SEPARATOR") + parts[1] : whole;
    return number < 0 ? "-" + text : text;
  };

  // Move focus to an error summary so keyboard and screen-reader users land on it.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) {
      summary.focus();
    }
  });
})();
