// The lesson editor's live preview: after typing pauses, the article is drawn again by the server (the same renderer,
// sanitizer and fragment as the learner's page) and the reading time follows. Without this script the form's
// "Preview" button does the same with a page load.
(function () {
  "use strict";
  var PAUSE_MS = 700;
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var form = document.querySelector("form[data-article-editor]");
    var body = form && form.querySelector("textarea[name=body]");
    var preview = document.getElementById("article-preview");
    var reading = document.getElementById("reading-time");
    if (!form || !body || !preview || !window.fetch || !window.FormData) { return; }
    var timer = null, sent = 0;
    function refresh() {
      var data = new FormData();
      data.append("body", body.value);
      data.append("csrfmiddlewaretoken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
      var number = ++sent;
      fetch(form.getAttribute("data-preview-url"), {method: "POST", body: data, credentials: "same-origin",
                                                    headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (!answer || number !== sent) { return; }  // a later keystroke's answer is on its way
          preview.innerHTML = answer.html;  // sanitized on the server, as the learner's page is
          if (reading) { reading.textContent = answer.reading_time; }
        })
        .catch(function () { /* the Preview button still works */ });
    }
    body.addEventListener("input", function () {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(refresh, PAUSE_MS);
    });
  });
})();
