/* Page behaviour wired through data attributes, so that templates carry no inline script or style
   (the Content-Security-Policy allows only these files). */
(function () {
  "use strict";

  // <select data-autosubmit>, <input type="checkbox" data-autosubmit>: a filter applies as soon as it changes.
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
  });

  // <input type="checkbox" data-check-all="SELECTOR">: ticks or clears every checkbox the selector matches.
  document.addEventListener("click", function (event) {
    const box = event.target;
    if (box.matches("[data-check-all]")) document.querySelectorAll(box.dataset.checkAll).forEach(function (c) { c.checked = box.checked; });
  });

  function enhance(root) {
    // Fields Django renders get Bootstrap's classes: every field of the form around [data-bootstrap-fields]
    // (data-bootstrap-fields="sm" for the small variants).
    root.querySelectorAll("[data-bootstrap-fields]").forEach(function (marker) {
      const small = marker.dataset.bootstrapFields === "sm";
      (marker.closest("form") || marker).querySelectorAll("input:not([type=hidden]):not([type=checkbox]), select, textarea").forEach(function (field) {
        const base = field.tagName === "SELECT" ? "form-select" : "form-control";
        field.classList.add(base);
        if (small) field.classList.add(base + "-sm");
      });
    });
    // <div class="progress-bar" data-progress="42">: the bar's width in percent.
    root.querySelectorAll("[data-progress]").forEach(function (bar) { bar.style.width = bar.dataset.progress + "%"; });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  // Content htmx swaps in (search results, job progress) gets the same treatment.
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
})();
