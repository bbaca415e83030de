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

  /* The PeerTube embed (embed-api.ts in PeerTube's client) is driven over jschannel 1.0.2, as
     @peertube/embed-api's PeerTubePlayer does. Messages are JSON strings: requests
     {id, method: "<scope>::<name>", params}, answered {id, result} or {id, error, message};
     notifications {method, params}. Each side greets with "<scope>::__ready"
     {type: "publish-request", publish: []} once it listens; the first greeting a side gets
     ends its handshake (a request is answered with a "publish-reply"), and until then it
     queues what it sends. The embed notifies "ready" once its player is built,
     "playbackStatusUpdate" every 500 ms and "playbackStatusChange" on play, pause and end. */
  function peertubePlayer(element) {
    var origin = element.getAttribute("data-origin");
    var scope = element.getAttribute("data-scope");
    var linked = false, ready = false, queue = [], pending = {};
    var nextId = Math.floor(Math.random() * 1000000) + 1;

    function send(message) { element.contentWindow.postMessage(JSON.stringify(message), origin); }
    function greet(type) { send({ method: scope + "::__ready", params: { type: type, publish: [] } }); }
    function call(method, params, onResult) {
      var message = { id: nextId++, method: scope + "::" + method, params: params };
      pending[message.id] = onResult;
      if (linked) { send(message); } else { queue.push(message); }
    }
    function link(greeting) {
      if (linked) { return; } // like jschannel, only the first greeting counts
      linked = true;
      if (greeting && greeting.type === "publish-request") { greet("publish-reply"); }
      while (queue.length) { send(queue.shift()); }
    }
    function becomeReady(isReady) {
      if (!isReady || ready) { return; }
      ready = true;
      document.documentElement.setAttribute("data-player", "ready");
    }
    function follow(position, state) {
      if (isFinite(position) && !(state === "unstarted" && position === 0)) { mark(cueAt(position)); }
    }
    function notified(name, params) {
      if (name === "ready") { becomeReady(params); }
      else if (name === "playbackStatusUpdate" && params) { follow(Number(params.position), params.playbackState); }
      else if (name === "playbackStatusChange" && params !== "ended") {
        call("getCurrentTime", null, function (position) { follow(Number(position), params); });
      }
    }

    window.addEventListener("message", function (event) {
      if (event.source !== element.contentWindow || event.origin !== origin) { return; }
      var message;
      try { message = JSON.parse(event.data); } catch (notJson) { return; }
      if (!message || typeof message !== "object") { return; }
      if (typeof message.method === "string") {
        var name = message.method.split("::");
        if (name.length !== 2 || name[0] !== scope) { return; }
        if (name[1] === "__ready") { link(message.params); }
        else if (message.id === undefined) { notified(name[1], message.params); }
      } else if (pending[message.id]) {
        var onResult = pending[message.id];
        delete pending[message.id];
        if (!message.error) { onResult(message.result); }
      }
    });
    call("isReady", null, becomeReady); // queued until the handshake, as PeerTubePlayer does
    element.addEventListener("load", function () { if (!linked) { greet("publish-request"); } });
    var loaded; // the embed may have loaded (and greeted nobody) before this script ran
    try { loaded = element.contentWindow.location.href !== "about:blank"; } catch (crossOrigin) { loaded = true; }
    if (loaded) { greet("publish-request"); }

    return {
      ready: function () { return ready; },
      seek: function (seconds) { call("seek", seconds, function () {}); }
    };
  }
}());
