// Lesson videos (courses/templates/courses/pages/_video.html): the transcript follows the playback and seeks the
// video, and the parts watched are reported for the learner's progress. The page works without it.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function followTranscript(video, list) {
    var cues = Array.prototype.slice.call(list.querySelectorAll("button.cue")).map(function (button) {
      return { button: button, start: parseFloat(button.getAttribute("data-start")),
               end: parseFloat(button.getAttribute("data-end")) };
    });
    var current = null;
    cues.forEach(function (cue) {
      cue.button.addEventListener("click", function () {
        video.currentTime = cue.start;
        if (video.paused) { video.play().catch(function () { /* the browser may refuse autoplay */ }); }
      });
    });
    function show(cue) {
      if (cue === current) { return; }
      if (current) { current.button.removeAttribute("aria-current"); }
      current = cue;
      if (!cue) { return; }
      cue.button.setAttribute("aria-current", "true");
      // Scroll the panel only (never the page, never the focus) so the spoken line stays in sight.
      var top = cue.button.offsetTop - list.offsetTop;
      if (top < list.scrollTop || top + cue.button.offsetHeight > list.scrollTop + list.clientHeight) {
        list.scrollTop = Math.max(0, top - list.clientHeight / 3);
      }
    }
    function update() {
      var time = video.currentTime, found = null;
      for (var i = 0; i < cues.length; i += 1) {
        if (time >= cues[i].start && time < cues[i].end) { found = cues[i]; break; }
      }
      show(found);
    }
    video.addEventListener("timeupdate", update);
    video.addEventListener("seeked", update);
  }

  function reportWatching(video) {
    var url = video.getAttribute("data-watch-url"), token = video.getAttribute("data-csrf");
    if (!url || !window.fetch) { return; }
    var sent = "";
    function send() {
      var ranges = [];
      for (var i = 0; i < video.played.length; i += 1) {
        ranges.push([Math.round(video.played.start(i) * 1000) / 1000, Math.round(video.played.end(i) * 1000) / 1000]);
      }
      var body = JSON.stringify({ ranges: ranges });
      if (!ranges.length || body === sent) { return; }
      sent = body;
      window.fetch(url, { method: "POST", body: body, keepalive: true, credentials: "same-origin",
                          headers: { "Content-Type": "application/json", "X-CSRFToken": token } })
        .catch(function () { sent = ""; });
    }
    video.addEventListener("pause", send);
    video.addEventListener("ended", send);
    window.addEventListener("pagehide", send);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { send(); }
    });
  }

  ready(function () {
    document.querySelectorAll("video[data-video-player]").forEach(function (video) {
      var list = document.querySelector('[data-transcript-for="' + video.id + '"]');
      if (list) { followTranscript(video, list); }
      reportWatching(video);
    });
  });
}());
