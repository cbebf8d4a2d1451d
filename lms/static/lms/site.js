// Progressive enhancement for the learner pages; every page works without it.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  var NARROW = "(max-width: 47.99rem)";  // below the lesson player's two columns (site.css)
  ready(function () {
    // Phone header: the menu folds behind its button (without JavaScript the links wrap in view).
    var header = document.querySelector(".site-header");
    var toggle = header && header.querySelector(".menu-toggle");
    var menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
    if (menu) {
      header.classList.add("js-menu");
      var setOpen = function (open) {
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
        menu.classList.toggle("open", open);
      };
      toggle.addEventListener("click", function () { setOpen(toggle.getAttribute("aria-expanded") !== "true"); });
      header.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") { setOpen(false); toggle.focus(); }
      });
    }
    // A wide table that scrolls sideways in its frame can be scrolled from the keyboard: the frame takes focus and
    // is named after its table (templates do this themselves where they can; this covers the rest).
    document.querySelectorAll(".table-scroll:not([tabindex])").forEach(function (frame) {
      var table = frame.querySelector("table");
      if (!table || frame.scrollWidth <= frame.clientWidth) { return; }
      frame.setAttribute("tabindex", "0");
      frame.setAttribute("role", "region");
      var caption = table.querySelector("caption");
      var name = table.getAttribute("aria-label") || (caption && caption.textContent.trim());
      if (name) { frame.setAttribute("aria-label", name); }
      else if (table.getAttribute("aria-labelledby")) { frame.setAttribute("aria-labelledby", table.getAttribute("aria-labelledby")); }
    });
    // The course outline beside an activity starts folded on a narrow screen, open beside it on a wide one.
    var narrow = window.matchMedia ? window.matchMedia(NARROW) : null;
    document.querySelectorAll("details[data-fold-narrow]").forEach(function (details) {
      if (!narrow) { return; }
      if (narrow.matches) { details.open = false; }
      var follow = function (event) { details.open = !event.matches; };
      if (narrow.addEventListener) { narrow.addEventListener("change", follow); }
    });
    // The language menu submits itself; its button stays for people without JavaScript.
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      var button = select.form && select.form.querySelector("button[type=submit]");
      if (button) { button.classList.add("visually-hidden"); }
      select.addEventListener("change", function () { select.form.submit(); });
    });
    // A form with errors moves focus to its summary so screen readers announce it.
    var summary = document.querySelector("[data-focus]");
    if (summary) { summary.focus(); }
    // Countdown for timed work (the server enforces the limit; this only shows it).
    document.querySelectorAll("[data-deadline]").forEach(function (node) {
      var deadline = Date.parse(node.getAttribute("data-deadline"));
      if (isNaN(deadline)) { return; }
      function tick() {
        var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
        var minutes = Math.floor(left / 60), seconds = left % 60;
        node.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
        if (left > 0) { window.setTimeout(tick, 1000); }
      }
      tick();
    });
    // Copy-link buttons (share a course, a certificate).
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        if (navigator.clipboard) {
          navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
            button.textContent = button.getAttribute("data-copied") || button.textContent;
          });
        }
      });
    });
    // Confirm destructive actions (cancel a registration, withdraw).
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  });
})();
