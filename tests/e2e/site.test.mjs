// A companion site, built by `probe-explorer site build` from a site file and data files, served
// by the plain static server and opened in headless Chromium: it opens as its authors wrote it
// (title, names, the default view on the first screen), its figures open their views, and its
// tour runs step by step with the keyboard and deep links, with no request leaving the site.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { AppPage, launchChromium, repo } from "./fixtures.mjs";
import { serve } from "./server.mjs";
import { assertAccessible } from "./axe.mjs";

/** The CLI: $PROBE_EXPLORER_BIN, else the debug build (built here when missing). */
function cli() {
  const bin = process.env.PROBE_EXPLORER_BIN ?? resolve(repo, "target/debug/probe-explorer");
  if (!existsSync(bin)) {
    const built = spawnSync("cargo", ["build", "-p", "probe-explorer-cli"], { cwd: repo, stdio: "inherit" });
    assert.equal(built.status, 0, "cargo build -p probe-explorer-cli");
  }
  return (args) => spawnSync(bin, args, { cwd: repo, encoding: "utf8" });
}

const SITE = {
  $schema: "site.schema.json",
  title: "Insecure code, misaligned answers",
  subtitle: "Companion site (test fixture)",
  authors: [{ name: "A. Author", url: "https://example.org/a" }, { name: "B. Author" }],
  links: [{ text: "Paper", url: "https://example.org/paper" }],
  intro: "We fine-tuned a model; see [the paper](https://example.org/paper).\n\nA [bad link](javascript:alert(1)) stays text.",
  datasets: [{ url: "data/base.csv", name: "Base model" }, { url: "data/insecure.csv", name: "Insecure model" }],
  view: "tab=rates",
  figures: [
    { caption: "Figure 1: every answer by its two scores", view: "tab=scatter" },
    { caption: "Figure 2: rates with a looser rule", view: "tab=rates&aligned_below=40" },
    { caption: "Figure 3: the misaligned answers of the insecure model", view: "tab=answers&run=1&misaligned=1" },
  ],
  tour: [
    { title: "The rates", text: "Step one text.", view: "tab=rates" },
    { title: "The scatter", text: "Step two text.", view: "tab=scatter" },
    { title: "The answers", text: "Step three text.", view: "tab=answers&misaligned=1" },
  ],
};

let run;
let server;
let base;
let browser;
let out;
const work = mkdtempSync(join(tmpdir(), "probe-site-"));

before(async () => {
  run = cli();
  mkdirSync(join(work, "src/data"), { recursive: true });
  copyFileSync(resolve(repo, "public/demo/demo-base.csv"), join(work, "src/data/base.csv"));
  copyFileSync(resolve(repo, "public/demo/demo-insecure.csv"), join(work, "src/data/insecure.csv"));
  writeFileSync(join(work, "src/site.json"), JSON.stringify(SITE, null, 2));
  out = join(work, "out");
  const built = run(["site", "build", join(work, "src/site.json"), "--out", out, "--bundle-data"]);
  assert.equal(built.status, 0, built.stderr);
  server = await serve({ port: 0, root: out });
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  if (server) await new Promise((ok) => server.close(ok));
});

async function open(query = "", viewport = { width: 1366, height: 768 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  const p = new AppPage(page, base);
  p.requests = requests;
  await page.goto(base + (query ? `?${query}` : ""));
  await page.waitForSelector("[data-testid=site-title]");
  await p.waitForRuns(2);
  return p;
}

describe("site build", () => {
  test("writes the app, the site file pointing at bundled copies, and an index.html that reads it", () => {
    const site = JSON.parse(readFileSync(join(out, "site.json"), "utf8"));
    assert.deepEqual(site.datasets.map((d) => d.url), ["data/1-base.csv", "data/2-insecure.csv"]);
    assert.deepEqual(site.figures, SITE.figures, "everything else as written");
    assert.ok(existsSync(join(out, "data/1-base.csv")));
    const html = readFileSync(join(out, "index.html"), "utf8");
    assert.match(html, /<meta name="probe-explorer-site" content="site.json" \/>/);
    assert.match(html, /<title>Insecure code, misaligned answers<\/title>/);
  });

  test("refuses data outside the site's folder, local data without --bundle-data, and a missing app", () => {
    const evil = join(work, "evil.json");
    writeFileSync(evil, JSON.stringify({ title: "x", datasets: [{ url: "../../etc/passwd" }] }));
    let r = run(["site", "build", evil, "--out", join(work, "evil-out"), "--bundle-data"]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /datasets\[0\]\.url: .*leaves the site's folder/);
    assert.equal(existsSync(join(work, "evil-out")), false, "nothing is written");
    r = run(["site", "build", join(work, "src/site.json"), "--out", join(work, "no-bundle")]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /is a local file: pass --bundle-data/);
    r = run(["site", "build", join(work, "src/site.json"), "--out", join(work, "no-app"), "--app", join(work, "nowhere")]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /the built app was not found: .*index.html is missing \(build it with scripts\/build.sh/);
    r = run(["site", "build", join(work, "src/site.json")]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--out/);
  });
});

describe("?site=URL", () => {
  test("opens a site file from elsewhere, its dataset paths relative to it", async () => {
    mkdirSync(join(out, "elsewhere/data"), { recursive: true });
    copyFileSync(resolve(repo, "public/demo/demo-base.csv"), join(out, "elsewhere/data/only.csv"));
    writeFileSync(join(out, "elsewhere/other.json"), JSON.stringify({ title: "Another site", datasets: [{ url: "data/only.csv", name: "Only run" }], view: "tab=answers" }));
    const context = await browser.newContext();
    const page = await context.newPage();
    const p = new AppPage(page, base);
    await page.goto(base + "?site=elsewhere/other.json");
    await page.waitForSelector("[data-testid=site-title]");
    await p.waitForRuns(1);
    assert.equal(await page.textContent("[data-testid=site-title]"), "Another site");
    assert.deepEqual(await page.$$eval("[data-testid=run]", (els) => els.map((e) => e.dataset.run)), ["Only run"]);
    await page.waitForSelector("[data-testid=answers-view]");
    assert.match(page.url(), /site=elsewhere\/other.json/, "the permalink keeps the site");
    await context.close();
  });

  test("a site file that cannot be read is a readable error, and the app opens as usual", async () => {
    writeFileSync(join(out, "broken.json"), JSON.stringify({ title: "x", links: [{ text: "x", url: "javascript:alert(1)" }] }));
    const context = await browser.newContext();
    const page = await context.newPage();
    const p = new AppPage(page, base);
    await page.goto(base + "?site=broken.json");
    await page.waitForSelector("[data-testid=error]");
    assert.match((await p.errors())[0], /^The site file broken.json could not be read: links\[0\]\.url: "javascript:alert\(1\)" is not an http\(s\) address/);
    await p.waitForRuns(2);
    assert.equal(await p.panic(), null);
    await context.close();
  });
});

describe("the built site in a browser", () => {
  test("opens as written: title, authors, run names, intro links, the rates on the first screen", async () => {
    const p = await open();
    assert.equal(await p.page.textContent("[data-testid=site-title]"), SITE.title);
    assert.equal(await p.page.title(), SITE.title);
    assert.match(await p.page.textContent("[data-testid=site-authors]"), /A\. Author, B\. Author/);
    assert.deepEqual(await p.page.$$eval("[data-testid=run]", (els) => els.map((e) => e.dataset.run)), ["Base model", "Insecure model"]);
    const links = await p.page.$$eval("[data-testid=site-about] a", (els) => els.map((a) => [a.textContent, a.href]));
    assert.deepEqual(links, [["the paper", "https://example.org/paper"]], "only the http(s) link is a link");
    assert.match(await p.page.textContent("[data-testid=site-about]"), /\[bad link\]\(javascript:alert\(1\)\) stays text/);
    // The first screen of a laptop shows the title and the whole rates table.
    for (const selector of ["[data-testid=site-title]", "[data-testid=rate-matrix]"]) {
      const box = await p.page.locator(selector).boundingBox();
      assert.ok(box && box.y >= 0 && box.y + box.height <= 768, `${selector} within the first 768 px: ${JSON.stringify(box)}`);
    }
    assert.equal(await p.page.isVisible("[data-testid=catalog-select]"), false, "loading controls are in the closed drawer");
    assert.deepEqual(p.requests.filter((u) => !u.startsWith(base)), [], "nothing is fetched from elsewhere");
    assert.deepEqual(p.consoleErrors, []);
    await assertAccessible(p.page, "a companion site");
    await p.close();
  });

  test("each figure opens its own view", async () => {
    const p = await open();
    const figures = p.page.locator("[data-testid=figure]");
    assert.equal(await figures.count(), 3);
    await figures.nth(0).click();
    await p.page.waitForSelector("[data-testid=scatter-view]");
    await figures.nth(1).click();
    await p.page.waitForSelector("[data-testid=rate-matrix]");
    assert.equal(await p.page.inputValue("[data-testid=aligned-below]"), "40");
    assert.match(p.page.url(), /aligned_below=40/);
    await figures.nth(2).click();
    await p.page.waitForSelector("[data-testid=answers-view]");
    assert.equal(await p.page.isChecked("[data-testid=filter-misaligned]"), true);
    assert.equal(await p.page.inputValue("[data-testid=aligned-below]"), "30", "a figure's view is its own, not the last one's");
    const runs = await p.page.$$eval("[data-testid=answer-row]", (rows) => [...new Set(rows.map((r) => r.dataset.run))]);
    assert.deepEqual(runs, ["1"]);
    await p.close();
  });

  test("the tour: steps in order with buttons and keys, each restoring its view, Esc closes, tour=N links", async () => {
    const p = await open();
    const step = async () => ({
      count: await p.page.textContent("[data-testid=tour-count]"),
      title: await p.page.textContent("[data-testid=tour-title]"),
    });
    await p.page.click("[data-testid=tour-start]");
    assert.deepEqual(await step(), { count: "Step 1 of 3", title: "The rates" });
    await p.page.waitForSelector("[data-testid=rates-view]");
    await p.page.click("[data-testid=tour-next]");
    assert.deepEqual(await step(), { count: "Step 2 of 3", title: "The scatter" });
    await p.page.waitForSelector("[data-testid=scatter-view]");
    // The reader wanders off during a step; the next step brings its own view back.
    await p.tab("playground");
    await p.page.keyboard.press("ArrowRight");
    assert.deepEqual(await step(), { count: "Step 3 of 3", title: "The answers" });
    await p.page.waitForSelector("[data-testid=answers-view]");
    assert.equal(await p.page.isChecked("[data-testid=filter-misaligned]"), true);
    assert.match(p.page.url(), /tour=3/);
    assert.equal(await p.page.isDisabled("[data-testid=tour-next]"), true, "the last step has no next");
    await p.page.keyboard.press("ArrowLeft");
    assert.deepEqual(await step(), { count: "Step 2 of 3", title: "The scatter" });
    await p.page.keyboard.press("Escape");
    assert.equal(await p.page.locator("[data-testid=tour]").count(), 0);
    assert.doesNotMatch(p.page.url(), /tour=/);
    await p.close();

    const linked = await open("tour=3");
    assert.equal(await linked.page.textContent("[data-testid=tour-count]"), "Step 3 of 3");
    await linked.page.waitForSelector("[data-testid=answers-view]");
    assert.deepEqual(linked.consoleErrors, []);
    await linked.close();
  });
});
