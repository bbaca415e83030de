/* subtitler: sync the transcript with the video.
   Without this script every time control is a plain link to the video at that instant. With
   it, a control seeks the player on the page (PeerTube embed API, or a <video> element) and the
   passage being played is marked with aria-current="true" (styled with a shape, not only a
   colour). Auto-scroll is opt-in and off when the system asks to reduce motion. */
(function () {
  "use strict";

  var transcript = document.getElementById("transcription");
  if (!transcript) { return; }
  var links = transcript.querySelectorAll("a.seek[data-start]");
  var frame = document.querySelector(".player iframe[data-scope]");
  var video = document.querySelector(".player video[data-sync]");
  if (!links.length || (!frame && !video)) { return; }

  var SEEK_TOLERANCE = 0.05; // a player reports 83.19 after a seek to 83.2

  var cues = buildCues();
  var current = null;
  var autoScroll = setUpAutoScroll();
  var player = frame ? peertubePlayer(frame) : videoPlayer(video);

  transcript.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.seek") : null;
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return; // let the browser open the link (new tab, download...)
    }
    if (!player.ready()) { return; } // the link opens the video's page at that time instead
    event.preventDefault();
    var start = parseFloat(link.getAttribute("data-start"));
    player.seek(start);
    mark(cueAt(start));
  });

  function buildCues() {
    var parts = {};
    Array.prototype.forEach.call(transcript.querySelectorAll(".cue[data-cue]"), function (el) {
      var number = el.getAttribute("data-cue");
      (parts[number] = parts[number] || []).push(el);
    });
    return Array.prototype.map.call(links, function (link) {
      var span = link.closest(".cue");
      return { start: parseFloat(link.getAttribute("data-start")), parts: parts[span.getAttribute("data-cue")] };
    }).sort(function (a, b) { return a.start - b.start; });
  }

  /* The last cue started at `position`: a pause between two cues keeps the previous one marked. */
  function cueAt(position) {
    var low = 0, high = cues.length - 1, found = null;
    while (low <= high) {
      var middle = (low + high) >> 1;
      if (cues[middle].start <= position + SEEK_TOLERANCE) { found = cues[middle]; low = middle + 1; }
      else { high = middle - 1; }
    }
    return found;
  }

  function mark(cue) {
    if (cue === current) { return; }
    if (current) { current.parts.forEach(function (el) { el.removeAttribute("aria-current"); }); }
    current = cue;
    if (!cue) { return; }
    cue.parts.forEach(function (el) { el.setAttribute("aria-current", "true"); });
    if (autoScroll && autoScroll.checked && !autoScroll.disabled) { reveal(cue.parts[0]); }
  }

  function reveal(element) {
    var box = element.getBoundingClientRect();
    var height = window.innerHeight || document.documentElement.clientHeight;
    if (box.top < 0 || box.bottom > height) { element.scrollIntoView({ block: "center" }); }
  }

  function setUpAutoScroll() {
    var box = document.getElementById("auto-scroll");
    if (!box) { return null; }
    var note = transcript.querySelector(".reduced-motion-note");
    var reduce = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;
    function follow() {
      var reduced = !!(reduce && reduce.matches);
      box.disabled = reduced;
      if (reduced) { box.checked = false; }
      if (note) { note.hidden = !reduced; }
    }
    follow();
    if (reduce && reduce.addEventListener) { reduce.addEventListener("change", follow); }
    Array.prototype.forEach.call(transcript.querySelectorAll(".sync-option"), function (el) { el.hidden = false; });
    return box;
  }

  function videoPlayer(element) {
    function follow() {
      if (!(element.paused && element.currentTime === 0)) { mark(cueAt(element.currentTime)); }
    }
    element.addEventListener("timeupdate", follow);
    element.addEventListener("seeked", follow);
    return {
      ready: function () { return !element.error; },
      seek: function (seconds) { element.currentTime = seconds; }
    };
  }

  /* The PeerTube embed API speaks jschannel over postMessage: JSON strings; requests
     {id, method: "<scope>::<name>", params}, answers {id, result} or {id, error}, notifications
     {method, params}; each side sends "__ready" "ping" once listening and answers a ping with
     "pong". The embed then notifies "ready" and sends "playbackStatusUpdate" every 500 ms. */
  function peertubePlayer(element) {
    var origin = element.getAttribute("data-origin");
    var scope = element.getAttribute("data-scope") || "peertube";
    var linked = false, ready = false, queue = [], pending = {};
    var nextId = 2 * Math.floor(Math.random() * 500000) + 1;

    function post(message, force) {
      if (!linked && !force) { queue.push(message); return; }
      element.contentWindow.postMessage(JSON.stringify(message), origin);
    }
    function call(method, params, onResult) {
      var id = nextId++;
      if (onResult) { pending[id] = onResult; }
      post({ id: id, method: scope + "::" + method, params: params });
    }
    function ping() { post({ method: scope + "::__ready", params: "ping" }, true); }
    function becomeReady() {
      if (ready) { return; }
      ready = true;
      document.documentElement.setAttribute("data-player", "ready");
    }
    function notified(name, params) {
      if (name === "__ready" && !linked) {
        linked = true;
        if (params === "ping") { post({ method: scope + "::__ready", params: "pong" }, true); }
        while (queue.length) { post(queue.shift()); }
        call("isReady", null, function (isReady) { if (isReady) { becomeReady(); } });
      } else if (name === "ready" && params) {
        becomeReady();
      } else if (name === "playbackStatusUpdate" && params && params.playbackState !== "unstarted") {
        var position = Number(params.position);
        if (isFinite(position)) { mark(cueAt(position)); }
      }
    }

    window.addEventListener("message", function (event) {
      if (event.source !== element.contentWindow || event.origin !== origin) { return; }
      var message;
      try { message = typeof event.data === "string" ? JSON.parse(event.data) : null; } catch (e) { return; }
      if (!message || typeof message !== "object") { return; }
      if (typeof message.method === "string") {
        var name = message.method.split("::");
        if (name.length === 2 && name[0] === scope && !message.id) { notified(name[1], message.params); }
      } else if (message.id && pending[message.id]) {
        var onResult = pending[message.id];
        delete pending[message.id];
        if (!message.error) { onResult(message.result); }
      }
    });
    element.addEventListener("load", function () { if (!linked) { ping(); } });
    var loaded; // the embed may have loaded before this script ran: then greet it now
    try { loaded = element.contentWindow.location.href !== "about:blank"; } catch (crossOrigin) { loaded = true; }
    if (loaded) { ping(); }

    return {
      ready: function () { return ready; },
      seek: function (seconds) { call("seek", seconds); }
    };
  }
}());
