// Drive the review page in Debian's Chromium as an editor does, by keyboard: open it, go to
// the first flagged cue (n), play it (l), move the playing position, set the cue's start
// there (d), save (s), rebuild (b); then report what the reloaded page and its caption track
// say. Also runs axe-core (WCAG 2.2 A/AA) on the page, light and dark, and takes screenshots.
// Usage: node review_loop.mjs config.json   (config written by tests/test_review_browser.py)
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const axeSource = readFileSync(config.axe, "utf8");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const browser = await chromium.launch({
  executablePath: config.chromium,
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required",
         "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
});
const result = { errors: [] };
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (e) => result.errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") result.errors.push(m.text()); });
  await page.goto(config.url, { waitUntil: "load" });
  await page.waitForFunction(() => document.querySelector("video").readyState >= 1);

  async function axe(scheme) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.evaluate(axeSource);
    const run = await page.evaluate(async (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } }), AXE_TAGS);
    return run.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  }
  result.axeLight = await axe("light");
  result.axeDark = await axe("dark");
  await page.emulateMedia({ colorScheme: "light" });

  result.firstFlagged = await page.evaluate(() => Number(document.querySelector('.cue-list li[data-flagged="true"]').dataset.index));
  await page.locator("body").press("n");
  result.chosen = await page.evaluate(() => window.review.chosen);
  result.focused = await page.evaluate(() => document.activeElement.closest("li")?.dataset.index);
  const cue = await page.evaluate((k) => { const li = document.getElementById(`cue-${k}`); return { start: +li.dataset.start, end: +li.dataset.end }; }, result.chosen);
  result.cueBefore = cue;

  await page.keyboard.press("l");
  await page.waitForFunction(() => !document.querySelector("video").paused, null, { timeout: 10000 });
  result.playedFrom = await page.evaluate(() => document.querySelector("video").currentTime);
  await page.waitForFunction(() => document.querySelector("video").paused, null, { timeout: 30000 });
  result.stoppedAt = await page.evaluate(() => document.querySelector("video").currentTime);

  await page.evaluate((t) => new Promise((done) => {
    const video = document.querySelector("video");
    video.addEventListener("seeked", () => done(), { once: true });
    video.currentTime = t;
  }), config.target);
  result.position = await page.evaluate(() => document.querySelector("video").currentTime);
  await page.locator(".pick").nth(0).focus();
  await page.keyboard.press("d");
  result.pending = await page.evaluate((k) => window.review.pending.get(k), result.chosen);
  await page.keyboard.press("s");
  await page.waitForFunction(() => /Enregistré/.test(document.getElementById("status").textContent));
  result.savedStatus = await page.evaluate(() => document.getElementById("status").textContent);

  const started = Date.now();
  await Promise.all([page.waitForNavigation({ waitUntil: "load", timeout: 60000 }), page.keyboard.press("b")]);
  result.rebuildSeconds = (Date.now() - started) / 1000;
  await page.waitForFunction(() => { const t = document.querySelector("video").textTracks[0]; return t && t.cues && t.cues.length > 0; });
  result.after = await page.evaluate((k) => {
    const li = document.getElementById(`cue-${k}`);
    const track = document.querySelector("video").textTracks[0];
    return { start: +li.dataset.start, state: li.querySelector(".state")?.textContent || "",
             current: li.getAttribute("aria-current"), trackStart: track.cues[k].startTime,
             trackCount: track.cues.length, items: document.querySelectorAll(".cue-list li").length };
  }, result.chosen);
  await page.screenshot({ path: config.screenshot, fullPage: false });
  result.axeAfter = await axe("light");

  // The other keys, on the reloaded page (nothing saved): p after n n, frame and 200 ms nudges,
  // f at the playing position, x, t then typing (letters typed are text, not actions) and Esc;
  // a click on the QA timeline seeks there and chooses the cue it falls in.
  const keys = {};
  const chosenNow = () => page.evaluate(() => window.review.chosen);
  const pendingNow = () => page.evaluate(() => { const k = window.review.chosen; return { ...(window.review.pending.get(k) || {}) }; });
  await page.locator(`#cue-${result.chosen} .pick`).focus();
  keys.frame = await page.evaluate(() => parseFloat(document.body.dataset.frame) || 0.04);
  keys.steps = [];
  for (const key of ["n", "n", "p"]) { await page.keyboard.press(key); keys.steps.push(await chosenNow()); }
  keys.cue = await page.evaluate((k) => { const li = document.getElementById(`cue-${k}`); return { start: +li.dataset.start, end: +li.dataset.end, flagged: li.dataset.flagged, checked: li.dataset.checked }; }, await chosenNow());
  await page.keyboard.press("r");
  keys.afterFrameOn = (await pendingNow()).start;
  await page.keyboard.press("Shift+E");
  keys.afterStepBack = (await pendingNow()).start;
  await page.keyboard.press("v");
  keys.afterEndFrameOn = (await pendingNow()).end;
  keys.position = await page.evaluate((t) => new Promise((done) => {
    const video = document.querySelector("video");
    video.addEventListener("seeked", () => done(video.currentTime), { once: true });
    video.currentTime = t;
  }), (keys.cue.start + keys.cue.end) / 2);
  await page.keyboard.press("f");
  keys.afterSetEnd = (await pendingNow()).end;
  await page.keyboard.press("x");
  keys.checked = (await pendingNow()).checked;
  await page.keyboard.press("t");
  keys.editing = await page.evaluate(() => document.activeElement.id);
  await page.keyboard.press("End");
  await page.keyboard.type(" nxp");
  keys.typedChosen = await chosenNow();
  keys.text = (await pendingNow()).text;
  keys.checkedAfterTyping = (await pendingNow()).checked;
  await page.keyboard.press("Escape");
  keys.backTo = await page.evaluate(() => document.activeElement.closest("li")?.dataset.index);
  const target = await page.evaluate(() => {
    const items = [...document.querySelectorAll(".cue-list li")].map((li) => ({ k: +li.dataset.index, start: +li.dataset.start, end: +li.dataset.end }));
    const cue = items[Math.floor(items.length / 2)];
    return { k: cue.k, t: (cue.start + cue.end) / 2 };
  });
  const point = await page.evaluate((t) => {
    const timeline = document.querySelector(".timeline"), svg = timeline.querySelector("svg");
    const x = parseFloat(timeline.dataset.margin) + t * parseFloat(timeline.dataset.scale);
    svg.scrollIntoView();
    const p = svg.createSVGPoint(); p.x = x; p.y = 75;
    const screen = p.matrixTransform(svg.getScreenCTM());
    timeline.scrollLeft = Math.max(0, screen.x - timeline.getBoundingClientRect().left - 100);
    const again = p.matrixTransform(svg.getScreenCTM());
    return { x: again.x, y: again.y };
  }, target.t);
  await page.mouse.click(point.x, point.y);
  keys.clicked = { expected: target.k, chosen: await chosenNow(), t: target.t,
                   position: await page.evaluate(() => document.querySelector("video").currentTime) };
  result.keys = keys;
} catch (error) {
  result.failure = String(error.stack || error);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result));
