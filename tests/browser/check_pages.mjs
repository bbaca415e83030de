// Drive Debian's Chromium over the generated pages once and report what it saw, as JSON on
// stdout: axe-core violations (WCAG 2.2 A/AA tags), keyboard seeking against the embed
// stand-in, aria-current moves, the <video> fallback, JavaScript off, reduced motion, reflow
// at 320 CSS px, print, requests made, CSP violations; and write screenshots (light and dark
// desktop, phone) into config.screenshots.
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
  return page.frames().find((f) => f.url().startsWith(config.embedOrigin));
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

async function axe(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async (tags) => {
    const run = await window.axe.run(document, {
      runOnly: { type: "tag", values: tags }, iframes: false, resultTypes: ["violations"],
    });
    return run.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
    }));
  }, AXE_TAGS);
}

async function playFrom(page, position) {
  await embedFrame(page).evaluate((p) => window.emit(p), position);
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
    const index = await watched(context, config.pages.index);
    await index.page.screenshot({ path: join(config.screenshots, `index-desktop-${scheme}.png`), fullPage: true });
    out[`index-${scheme}`] = await axe(index.page);
    if (scheme === "light") {
      for (const name of ["mp4", "none"]) {
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
  return {
    tabs, focusedStart, seeks, urlBefore, urlAfter: page.url(), afterEnter, target,
    targetStart: starts[target], afterUpdate, optionVisible, lastInView: true,
    embedRequests: await embed.evaluate(() => window.requests.slice()),
    errors: seen.errors, requests: seen.requests, csp: await seen.csp(),
  };
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
