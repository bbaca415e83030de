// The review page: choose a cue, play it, fix its times or text, mark it checked, save the
// fixes (anchors file, transcript) and rebuild the video. Every action is a button; the same
// actions have single keys (listed on the page), which a checkbox turns off (WCAG 2.1.4).
"use strict";
(function () {
  const body = document.body;
  const token = body.dataset.token;
  const slug = body.dataset.slug;
  const frame = parseFloat(body.dataset.frame) || 0.04;
  const STEP = 0.2;
  const video = document.querySelector("video");
  const items = Array.from(document.querySelectorAll(".cue-list li"));
  const byIndex = new Map(items.map((li) => [Number(li.dataset.index), li]));
  const order = items.map((li) => Number(li.dataset.index)).sort((a, b) => a - b);
  const flagged = order.filter((k) => byIndex.get(k).dataset.flagged === "true");
  const status = document.getElementById("status");
  const current = document.getElementById("current");
  const position = document.getElementById("position");
  const startOut = document.getElementById("start-value");
  const endOut = document.getElementById("end-value");
  const textField = document.getElementById("cue-text");
  const letterKeys = document.getElementById("letter-keys");
  const pending = new Map(); // cue index -> {start?, end?, checked?, text?}
  let chosen = null;
  let stopAt = null;

  const stamp = (t) => {
    const ms = Math.max(0, Math.round(t * 1000));
    const h = Math.floor(ms / 3600000), m = Math.floor(ms / 60000) % 60, s = Math.floor(ms / 1000) % 60;
    const pad = (n, w) => String(n).padStart(w, "0");
    return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(ms % 1000, 3)}`;
  };
  const cueOf = (k) => {
    const li = byIndex.get(k);
    const change = pending.get(k) || {};
    return {
      start: change.start !== undefined ? change.start : parseFloat(li.dataset.start),
      end: change.end !== undefined ? change.end : parseFloat(li.dataset.end),
      text: change.text !== undefined ? change.text : li.dataset.text,
      checked: change.checked !== undefined ? change.checked : li.dataset.checked === "true",
    };
  };
  const say = (message) => { status.textContent = message; };
  const change = (k, values) => {
    pending.set(k, Object.assign(pending.get(k) || {}, values));
    byIndex.get(k).classList.add("changed");
    show(k);
  };

  function show(k) {
    if (k === null) return;
    const cue = cueOf(k);
    startOut.textContent = stamp(cue.start);
    endOut.textContent = stamp(cue.end);
    const li = byIndex.get(k);
    current.textContent = `Sous-titre no ${k + 1}${li.dataset.flagged === "true" ? ", à vérifier" : ""}` +
      `${cue.checked ? ", vérifié" : ""}${pending.has(k) ? ", modifié (non enregistré)" : ""}.`;
    if (document.activeElement !== textField) textField.value = cue.text;
  }

  function choose(k, focus) {
    if (chosen !== null) byIndex.get(chosen).removeAttribute("aria-current");
    chosen = k;
    const li = byIndex.get(k);
    li.setAttribute("aria-current", "true");
    li.scrollIntoView({ block: "nearest" });
    textField.disabled = false;
    history.replaceState(null, "", `#cue-${k}`);
    show(k);
    if (focus) li.querySelector(".pick").focus();
  }

  function step(list, direction) {
    if (!list.length) { say("Aucun sous-titre à vérifier."); return; }
    const here = chosen === null ? (direction > 0 ? -1 : Infinity) : chosen;
    const next = direction > 0 ? list.find((k) => k > here) : [...list].reverse().find((k) => k < here);
    if (next === undefined) { say(direction > 0 ? "C’était le dernier à vérifier." : "C’était le premier à vérifier."); return; }
    choose(next, true);
  }

  function play() {
    if (chosen === null || !video) return;
    const cue = cueOf(chosen);
    video.currentTime = Math.max(0, cue.start - 1);
    stopAt = cue.end;
    const started = video.play();
    if (started && started.catch) started.catch(() => say("La lecture n’a pas pu démarrer."));
  }

  function nudge(edge, amount) {
    if (chosen === null) return;
    const cue = cueOf(chosen);
    const value = Math.max(0, Math.round((cue[edge] + amount) * 1000) / 1000);
    change(chosen, { [edge]: value });
    say(`${edge === "start" ? "Début" : "Fin"} : ${stamp(value)}.`);
  }

  function setAtPosition(edge) {
    if (chosen === null || !video) return;
    const value = Math.round(video.currentTime * 1000) / 1000;
    change(chosen, { [edge]: value });
    say(`${edge === "start" ? "Début" : "Fin"} placé à ${stamp(value)}.`);
  }

  async function post(path, payload) {
    const response = await fetch(`/v/${encodeURIComponent(slug)}/${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Review-Token": token },
      body: JSON.stringify(payload),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || `erreur ${response.status}`);
    return data;
  }

  async function save() {
    if (!pending.size) { say("Rien à enregistrer."); return true; }
    const changes = [...pending].map(([k, values]) => Object.assign({ cue: k, was: byIndex.get(k).dataset.text }, values));
    try {
      const data = await post("save", { changes });
      pending.clear();
      items.forEach((li) => li.classList.remove("changed"));
      say(`Enregistré : ${data.saved.anchors} ancre(s), ${data.saved.checked} vérifié(s), ${data.saved.texts} texte(s) modifié(s). Reconstruisez pour voir le résultat.`);
      show(chosen);
      return true;
    } catch (error) {
      say(`Non enregistré : ${error.message}`);
      return false;
    }
  }

  async function rebuild() {
    if (pending.size && !(await save())) return;
    say("Reconstruction en cours…");
    try {
      const data = await post("rebuild", {});
      say(`Reconstruit en ${data.seconds} s : ${data.flagged} à vérifier.`);
      location.reload();
    } catch (error) {
      say(`La reconstruction a échoué : ${error.message}`);
    }
  }

  const actions = {
    previous: () => step(flagged, -1),
    next: () => step(flagged, 1),
    play,
    "set-start": () => setAtPosition("start"),
    "set-end": () => setAtPosition("end"),
    "start-frame-back": () => nudge("start", -frame),
    "start-frame-on": () => nudge("start", frame),
    "start-step-back": () => nudge("start", -STEP),
    "start-step-on": () => nudge("start", STEP),
    "end-frame-back": () => nudge("end", -frame),
    "end-frame-on": () => nudge("end", frame),
    "end-step-back": () => nudge("end", -STEP),
    "end-step-on": () => nudge("end", STEP),
    check: () => {
      if (chosen === null) return;
      const checked = !cueOf(chosen).checked;
      change(chosen, { checked });
      say(checked ? "Marqué vérifié." : "Marque « vérifié » retirée.");
    },
    edit: () => { if (chosen !== null) textField.focus(); },
    save,
    rebuild,
  };
  const keys = new Map();
  document.querySelectorAll("[data-action]").forEach((button) => {
    const action = button.dataset.action;
    button.addEventListener("click", () => actions[action]());
    keys.set(button.getAttribute("aria-keyshortcuts").replace("Shift+", ""), action);
  });

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (!letterKeys.checked || event.ctrlKey || event.altKey || event.metaKey) return;
    if (target.closest && target.closest("textarea, input, select, video")) return;
    const action = keys.get(event.key);
    if (!action) return;
    event.preventDefault();
    actions[action]();
  });

  textField.addEventListener("input", () => {
    if (chosen !== null) {
      pending.set(chosen, Object.assign(pending.get(chosen) || {}, { text: textField.value }));
      byIndex.get(chosen).classList.add("changed");
    }
  });
  textField.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); if (chosen !== null) byIndex.get(chosen).querySelector(".pick").focus(); }
  });

  items.forEach((li) => {
    li.querySelector(".pick").addEventListener("click", () => choose(Number(li.dataset.index), false));
  });

  if (video) {
    video.addEventListener("timeupdate", () => {
      position.textContent = stamp(video.currentTime);
      if (stopAt !== null && video.currentTime >= stopAt) { video.pause(); stopAt = null; }
    });
    video.addEventListener("seeked", () => { position.textContent = stamp(video.currentTime); });
  }

  const timeline = document.querySelector(".timeline");
  if (timeline && video) {
    const svg = timeline.querySelector("svg");
    const margin = parseFloat(timeline.dataset.margin), scale = parseFloat(timeline.dataset.scale);
    svg.addEventListener("click", (event) => {
      const point = svg.createSVGPoint();
      point.x = event.clientX; point.y = event.clientY;
      const t = Math.max(0, (point.matrixTransform(svg.getScreenCTM().inverse()).x - margin) / scale);
      video.currentTime = t;
      const hit = order.find((k) => cueOf(k).start <= t && t <= cueOf(k).end);
      if (hit !== undefined) choose(hit, false);
      say(`Position : ${stamp(t)}.`);
    });
  }

  window.addEventListener("beforeunload", (event) => { if (pending.size) event.preventDefault(); });
  const fromHash = /^#cue-(\d+)$/.exec(location.hash);
  if (fromHash && byIndex.has(Number(fromHash[1]))) choose(Number(fromHash[1]), false);
  window.review = { pending, get chosen() { return chosen; } }; // for tests and the console
})();
