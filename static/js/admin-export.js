/* CCM Portal: the admin's export page. django-import-export wires "Select all" with an onchange="…"
 * attribute, which the Content-Security-Policy blocks; templates/admin/import_export/export.html drops
 * it and this attaches the package's own handler (export_selectable_fields.js) instead. */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof window.onSelectToggleChange !== "function") {
      return;
    }
    document.querySelectorAll("input.select-toggle").forEach(function (toggle) {
      toggle.addEventListener("change", window.onSelectToggleChange);
    });
  });
})();
