// Drive Debian's Chromium over the generated pages once and report what it saw, as JSON on
// stdout: axe-core violations (WCAG 2.2 A/AA tags) and the label-in-name rule's own results,
// the time controls' accessible names, keyboard seeking against the embed stand-in (the real
// jschannel 1.0.2 inside), both load orders of page and embed, an embed that never answers,
// aria-current moves, the <video> fallback, JavaScript off, reduced motion, reflow at 320 CSS
// px, print, requests made, CSP violations; and write screenshots (light and dark desktop,
// phone) into config.screenshots.
// Usage: node check_pages.mjs config.json   (config written by tests/test_html_browser.py)
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const axeSource = readFileSync(config.axe, "utf8");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 812 };
mkdirSync(config.screenshots, { recursive: true });

const browser = await chromium.launch({
  executablePath: config.chromium,
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"],
});
const results = {};
const seconds = {};
async function step(name, run) {
  const started = Date.now();
  try { results[name] = await run(); } catch (error) { results[name] = { error: String(error.stack || error) }; }
  seconds[name] = (Date.now() - started) / 1000;
}

/* Console errors, CSP violations and every URL requested, for one page. */
async function watched(context, url) {
  const page = await context.newPage();
  const seen = { errors: [], requests: [] };
  page.on("console", (m) => { if (m.type() === "error") seen.errors.push(m.text()); });
  page.on("pageerror", (e) => seen.errors.push(String(e)));
  page.on("request", (r) => seen.requests.push(r.url()));
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation",
      (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(url, { waitUntil: "load" });
  seen.csp = async () => page.evaluate(() => window.__csp);
  return { page, seen };
}

function embedFrame(page) {
  return page.frames().find((f) => f.url().startsWith(`${config.embedOrigin}/videos/embed/`));
}

/* The embed frame once its channel has posted its first greeting to the page. */
async function greetedEmbed(page) {
  for (let tries = 0; tries < 200; tries += 1) {
    const frame = embedFrame(page);
    if (frame && await frame.evaluate(() => (window.posted || [])
      .some((m) => /::__ready$/.test(m.method))).catch(() => false)) {
      return frame;
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error("the embed never greeted the page");
}

/* What went over the channel, seen from the embed: each message as "method[:type]" or as an
   answer ("result"/"error:<code>"), in order; plus its seeks and its uncaught errors. */
async function channelLog(frame) {
  return frame.evaluate(() => {
    const name = (m) => (typeof m.method === "string"
      ? m.method.split("::")[1] + (m.params && m.params.type ? `:${m.params.type}` : "")
      : (m.error ? `error:${m.error}` : "result"));
    return { received: window.received.map(name), posted: window.posted.map(name),
             seeks: window.seeks.slice(), errors: window.errors.slice() };
  });
}

async function startsOf(page) {
  return page.evaluate(() => [...document.querySelectorAll("#transcription a.seek")]
    .map((a) => parseFloat(a.dataset.start)));
}

/* What carries aria-current: how many elements, which cues, the start of their control. */
async function current(page) {
  return page.evaluate(() => {
    const marked = [...document.querySelectorAll('[aria-current="true"]')];
    const cues = [...new Set(marked.map((el) => el.dataset.cue))];
    const link = document.querySelector('.cue[aria-current="true"] a.seek');
    return { count: marked.length, cues, start: link ? parseFloat(link.dataset.start) : null,
             allAreCues: marked.every((el) => el.classList.contains("cue")) };
  });
}

async function waitForCurrentStart(page, start) {
  await page.waitForFunction((s) => {
    const link = document.querySelector('.cue[aria-current="true"] a.seek');
    return link && Math.abs(parseFloat(link.dataset.start) - s) < 1e-6;
  }, start, { timeout: 5000 });
}

/* axe-core's violations for the WCAG tags, and what its label-in-name rule did: whether the
   tag run included it, and its own run's passed, failed and undecided elements. */
async function axe(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async ({ tags, rule }) => {
    const run = await window.axe.run(document, {
      runOnly: { type: "tag", values: tags }, iframes: false, resultTypes: ["violations"],
    });
    const ran = ["violations", "passes", "incomplete", "inapplicable"]
      .some((kind) => run[kind].some((r) => r.id === rule));
    const own = await window.axe.run(document, { runOnly: { type: "rule", values: [rule] }, iframes: false });
    const count = (kind) => own[kind].reduce((n, r) => n + r.nodes.length, 0);
    return {
      violations: run.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
      })),
      labelInName: { ran, passed: count("passes"), failed: count("violations"), undecided: count("incomplete") },
      controls: document.querySelectorAll("#transcription a.seek").length,
    };
  }, { tags: AXE_TAGS, rule: "label-content-name-mismatch" });
}

/* The time controls as Chromium's accessibility tree has them, beside their visible text. */
async function accessibleNames(page) {
  const client = await page.context().newCDPSession(page);
  const { root } = await client.send("DOM.getDocument", { depth: 0 });
  const { nodeIds } = await client.send("DOM.querySelectorAll",
    { nodeId: root.nodeId, selector: "#transcription a.seek" });
  const visible = await page.evaluate(() => [...document.querySelectorAll("#transcription a.seek")]
    .map((a) => a.innerText));
  const out = [];
  for (const [n, nodeId] of nodeIds.entries()) {
    const { nodes } = await client.send("Accessibility.getPartialAXTree", { nodeId, fetchRelatives: false });
    const node = nodes[0];
    out.push({ visible: visible[n], role: node.role && node.role.value,
               name: node.name && node.name.value, description: node.description && node.description.value });
  }
  await client.detach();
  return out;
}

/* Move the embed's player to `position`, as a viewer dragging its progress bar would. */
async function playFrom(page, position) {
  await embedFrame(page).evaluate((p) => { document.querySelector("video").currentTime = p; }, position);
}

async function firstControlByTab(page) {
  let tabs = 0;
  let focusedStart = null;
  while (tabs < 80 && focusedStart === null) {
    await page.keyboard.press("Tab");
    tabs += 1;
    focusedStart = await page.evaluate(() => {
      const el = document.activeElement;
      return el && el.matches("a.seek") ? parseFloat(el.dataset.start) : null;
    });
  }
  return { tabs, focusedStart };
}

await step("axe", async () => {
  // Each scheme: the video page with a passage marked (its colours are checked too), then
  // the index; the pages without the embed in the light scheme. Screenshots on the way.
  const out = {};
  for (const scheme of ["light", "dark"]) {
    const context = await browser.newContext({ viewport: DESKTOP, colorScheme: scheme });
    const { page } = await watched(context, config.pages.peertube);
    await page.waitForSelector("html[data-player=ready]", { timeout: 10000 });
    const starts = await startsOf(page);
    await playFrom(page, starts[1] + 0.5);
    await waitForCurrentStart(page, starts[1]);
    await page.screenshot({ path: join(config.screenshots, `video-desktop-${scheme}.png`) });
    out[`peertube-${scheme}`] = await axe(page);
    if (scheme === "light") { out.names = await accessibleNames(page); }
    const index = await watched(context, config.pages.index);
    await index.page.screenshot({ path: join(config.screenshots, `index-desktop-${scheme}.png`), fullPage: true });
    out[`index-${scheme}`] = await axe(index.page);
    if (scheme === "light") {
      for (const name of ["short", "silent", "mp4", "none"]) {
        out[`${name}-${scheme}`] = await axe((await watched(context, config.pages[name])).page);
      }
    }
    await context.close();
  }
  return out;
});

await step("sync", async () => {
  const context = await browser.newContext({ viewport: DESKTOP });
  const { page, seen } = await watched(context, config.pages.peertube);
  await page.waitForSelector("html[data-player=ready]", { timeout: 10000 });
  const starts = await startsOf(page);
  const { tabs, focusedStart } = await firstControlByTab(page);
  const urlBefore = page.url();
  await page.keyboard.press("Enter");
  const embed = embedFrame(page);
  await embed.waitForFunction(() => window.seeks.length > 0, null, { timeout: 5000 });
  const seeks = await embed.evaluate(() => window.seeks.slice());
  const afterEnter = await current(page);
  const target = 5;
  await playFrom(page, starts[target] + 1.0);
  await waitForCurrentStart(page, starts[target]);
  const afterUpdate = await current(page);

  // Auto-scroll, once chosen, brings the passage being played into view.
  const optionVisible = await page.isVisible("#auto-scroll");
  await page.check("#auto-scroll");
  const last = starts.length - 1;
  await playFrom(page, starts[last] + 0.2);
  await waitForCurrentStart(page, starts[last]);
  await page.waitForFunction(() => {
    const box = document.querySelector('.cue[aria-current="true"]').getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
  }, null, { timeout: 5000 });

  // Play and pause in the player: each playbackStatusChange has the page ask where it is.
  await playFrom(page, starts[2] + 0.5);
  const asked = async () => (await channelLog(embed)).received.filter((m) => m === "getCurrentTime").length;
  const askedBefore = await asked();
  await embed.evaluate(() => document.querySelector("video").play());
  await embed.waitForFunction(() => window.posted.some((m) => m.params === "playing"), null, { timeout: 5000 });
  await embed.evaluate(() => document.querySelector("video").pause());
  await embed.waitForFunction((n) => window.received
    .filter((m) => m.method === "peertube::getCurrentTime").length >= n + 2, askedBefore, { timeout: 5000 });
  await waitForCurrentStart(page, starts[2]);
  return {
    tabs, focusedStart, seeks, urlBefore, urlAfter: page.url(), afterEnter, target,
    targetStart: starts[target], afterUpdate, optionVisible, lastInView: true,
    statusChangeAsks: (await asked()) - askedBefore, afterPause: await current(page),
    pauseStart: starts[2], channel: await channelLog(embed),
    errors: seen.errors, requests: seen.requests, csp: await seen.csp(),
  };
});

/* The page's script runs before the embed exists: the embed's greeting reaches a listening page,
   and the request the page made before the handshake (isReady) was queued, not lost. */
await step("pageFirst", async () => {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  let scriptRan;
  const ran = new Promise((done) => { scriptRan = done; });
  await page.route((url) => url.href.startsWith(`${config.embedOrigin}/videos/embed/`), async (route) => {
    await ran;
    await route.continue();
  });
  await page.goto(config.pages.peertube, { waitUntil: "commit" });
  await page.waitForFunction(() => {
    const option = document.querySelector(".sync-option");
    return option && !option.hidden;
  }, null, { timeout: 10000 });
  scriptRan();
  await page.waitForSelector("html[data-player=ready]", { timeout: 10000 });
  const starts = await startsOf(page);
  await page.locator("#transcription a.seek").nth(4).click();
  const embed = embedFrame(page);
  await embed.waitForFunction(() => window.seeks.length > 0, null, { timeout: 5000 });
  const log = await channelLog(embed);
  await context.close();
  return { ...log, clicked: starts[4] };
});

/* The embed loads and greets nobody before the page's script runs (the server holds the script
   back until then): the page's own greeting must start the handshake. */
await step("embedFirst", async () => {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  await page.goto(`${config.pages.peertube}?hold`, { waitUntil: "commit" });
  const embed = await greetedEmbed(page);
  const scriptBeforeGreeting = await page.evaluate(() => {
    const option = document.querySelector(".sync-option");
    return !!option && !option.hidden;
  });
  await fetch(config.release);
  await page.waitForSelector("html[data-player=ready]", { timeout: 10000 });
  const starts = await startsOf(page);
  await page.locator("#transcription a.seek").nth(4).click();
  await embed.waitForFunction(() => window.seeks.length > 0, null, { timeout: 5000 });
  const log = await channelLog(embed);
  const url = page.url();
  await context.close();
  return { scriptBeforeGreeting, ...log, clicked: starts[4], url };
});

/* A /w/<shortUUID> videoEmbedSrc gets the same embed, driven the same way. */
await step("short", async () => {
  const context = await browser.newContext({ viewport: DESKTOP });
  const { page, seen } = await watched(context, config.pages.short);
  await page.waitForSelector("html[data-player=ready]", { timeout: 10000 });
  const starts = await startsOf(page);
  await page.locator("#transcription a.seek").nth(2).click();
  const embed = embedFrame(page);
  await embed.waitForFunction(() => window.seeks.length > 0, null, { timeout: 5000 });
  const out = { frame: embed.url(), seeks: await embed.evaluate(() => window.seeks.slice()),
                clicked: starts[2], url: page.url(), errors: seen.errors, csp: await seen.csp() };
  await context.close();
  return out;
});

/* An embed of an instance before PeerTube 7: getCurrentTime is answered with an error, which
   the page shrugs off; the 500 ms playback updates still move the mark. */
await step("before7", async () => {
  const context = await browser.newContext({ viewport: DESKTOP });
  const { page, seen } = await watched(context, config.pages.before7);
  await page.waitForSelector("html[data-player=ready]", { timeout: 10000 });
  const starts = await startsOf(page);
  const embed = embedFrame(page);
  await playFrom(page, starts[3] + 0.5);
  await embed.evaluate(() => document.querySelector("video").play());
  await embed.waitForFunction(() => window.posted.some((m) => m.error === "method_not_found"),
    null, { timeout: 5000 });
  await embed.evaluate(() => document.querySelector("video").pause());
  await waitForCurrentStart(page, starts[3]);
  const out = { afterPlay: await current(page), target: starts[3], ...await channelLog(embed),
                pageErrors: seen.errors };
  await context.close();
  return out;
});

/* An embed that loads but never answers: Enter on a time control opens the watch page at
   that time, as the link does without JavaScript. */
await step("silent", async () => {
  const context = await browser.newContext({ viewport: DESKTOP });
  const { page } = await watched(context, config.pages.silent);
  await page.waitForTimeout(1500); // three of the embed's 500 ms status periods: nothing comes
  const ready = await page.evaluate(() => document.documentElement.getAttribute("data-player"));
  const { focusedStart } = await firstControlByTab(page);
  const href = await page.evaluate(() => document.activeElement.href);
  await page.keyboard.press("Enter");
  await page.waitForURL((url) => url.pathname.startsWith("/w/"), { timeout: 5000 });
  const landed = page.url();
  await context.close();
  return { ready, focusedStart, href, landed };
});

/* PeerTube's own client library (@peertube/embed-api) against the embed stand-in. */
await step("reference", async () => {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  await page.goto(config.reference, { waitUntil: "load" });
  await page.waitForFunction(() => window.result !== undefined, null, { timeout: 10000 });
  const out = { result: await page.evaluate(() => window.result), ...await channelLog(embedFrame(page)) };
  await context.close();
  return out;
});

await step("video", async () => {
  const context = await browser.newContext({ viewport: DESKTOP });
  const { page, seen } = await watched(context, config.pages.mp4);
  await page.waitForFunction(() => {
    const v = document.querySelector("video");
    return v.error || v.readyState >= 1;
  }, null, { timeout: 10000 });
  const playable = await page.evaluate(() => !document.querySelector("video").error);
  const starts = await startsOf(page);
  await page.locator("#transcription a.seek").nth(3).click();
  await waitForCurrentStart(page, starts[3]);
  const track = await page.evaluate(async () => {
    const video = document.querySelector("video");
    const element = video.querySelector("track");
    if (element.readyState !== 2) {
      await new Promise((done) => { element.addEventListener("load", done); setTimeout(done, 3000); });
    }
    const t = video.textTracks[0];
    return { mode: t.mode, kind: t.kind, language: t.language, cues: t.cues ? t.cues.length : 0 };
  });
  return {
    playable, clickedStart: starts[3], currentTime: await page.evaluate(() => document.querySelector("video").currentTime),
    current: await current(page), track, url: page.url(),
    errors: seen.errors, requests: seen.requests, csp: await seen.csp(),
  };
});

await step("noScript", async () => {
  const context = await browser.newContext({ viewport: DESKTOP, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(config.pages.peertube, { waitUntil: "load" });
  const hrefs = await page.evaluate(() => [...document.querySelectorAll("#transcription a.seek")]
    .map((a) => a.href));
  const syncOptionVisible = await page.evaluate(() => [...document.querySelectorAll(".sync-option")]
    .some((el) => el.getClientRects().length > 0));
  const first = page.locator("#transcription a.seek").first();
  await first.focus();
  await page.keyboard.press("Enter");
  await page.waitForURL((url) => url.pathname.startsWith("/w/"), { timeout: 5000 });
  const landed = page.url();
  await context.close();
  return { hrefs, syncOptionVisible, landed };
});

await step("reducedMotion", async () => {
  const context = await browser.newContext({ viewport: DESKTOP, reducedMotion: "reduce" });
  const { page } = await watched(context, config.pages.peertube);
  const state = await page.evaluate(() => ({
    disabled: document.getElementById("auto-scroll").disabled,
    checked: document.getElementById("auto-scroll").checked,
    noteVisible: !document.querySelector(".reduced-motion-note").hidden,
    scrollBehavior: getComputedStyle(document.documentElement).scrollBehavior,
  }));
  await context.close();
  return state;
});

await step("reflow", async () => {
  // 320 CSS px wide is a 1280 px window at 400 % zoom (WCAG 1.4.10).
  const out = {};
  const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
  for (const name of ["peertube", "none", "index"]) {
    const { page } = await watched(context, config.pages[name]);
    out[name] = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
  }
  await context.close();
  return out;
});

await step("phone", async () => {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  const { page } = await watched(context, config.pages.peertube);
  await page.waitForSelector("html[data-player=ready]", { timeout: 10000 });
  const starts = await startsOf(page);
  await playFrom(page, starts[1] + 0.5);
  await waitForCurrentStart(page, starts[1]);
  await page.screenshot({ path: join(config.screenshots, "video-phone.png"), fullPage: true });
  const size = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  await context.close();
  return size;
});

await step("print", async () => {
  const context = await browser.newContext({ viewport: DESKTOP });
  const { page } = await watched(context, config.pages.peertube);
  await page.emulateMedia({ media: "print" });
  const visible = async (selector) => page.locator(selector).first().isVisible();
  const out = {};
  for (const selector of ["h1", "#transcription", ".transcript-text", ".credits"]) {
    out[selector] = await visible(selector);
  }
  for (const selector of [".skip-links", ".page-header nav", ".media-column", "iframe",
                          ".downloads", "a.seek", ".sync-help", ".description", ".generator"]) {
    out[selector] = await visible(selector);
  }
  await context.close();
  return out;
});

await browser.close();
results.seconds = seconds;
process.stdout.write(JSON.stringify(results));
