// A recording control stays disabled until its consent box is ticked (data-needs-consent names the box).
// Without JavaScript the controls stay usable and the server refuses a recording without consent.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-needs-consent]").forEach(function (control) {
      var box = document.getElementById(control.getAttribute("data-needs-consent"));
      if (!box) { return; }
      var hint = control.form ? control.form.querySelector("[data-consent-hint]") : null;
      function sync() {
        control.disabled = !box.checked;
        if (!box.checked) { control.value = ""; }
        if (hint) { hint.hidden = box.checked; }
      }
      box.addEventListener("change", sync);
      sync();
    });
  });
})();
