// Shared setup for the end-to-end tests: one static server over dist/ (+ ../shared under
// /shared/), one headless Debian Chromium, and a page object for the app.
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, "../..");
export const sharedDir = resolve(process.env.PROBE_SHARED_DIR ?? resolve(repo, "../shared/transcripts"));
export const hasShared = existsSync(resolve(sharedDir, "MANIFEST.json"));
export const SKIP_SHARED = hasShared ? false : `shared transcripts not found at ${sharedDir}: skipping real-data browser tests`;

/** The independent per-file counts our loaders must reproduce. */
export function manifest() {
  return JSON.parse(readFileSync(resolve(sharedDir, "MANIFEST.json"), "utf8"));
}

/** Debian's headless Chromium, as root, with no background traffic (the machine has no internet). */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync",
    ],
  });
}

/** Starts the server and the browser once per test file. */
export async function startApp() {
  if (!existsSync(resolve(repo, "dist/index.html"))) {
    throw new Error("dist/ is missing: build the app first (trunk build --release)");
  }
  const server = await serve({ port: 0, root: resolve(repo, "dist"), shared: hasShared ? sharedDir : null });
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await launchChromium();
  return {
    base,
    browser,
    async close() {
      await browser.close();
      await new Promise((ok) => server.close(ok));
    },
  };
}

/** A page object: the few ways tests look at and drive the app. */
export class AppPage {
  constructor(page, base) {
    this.page = page;
    this.base = base;
    this.dialogs = [];
    this.consoleErrors = [];
    page.on("dialog", (d) => {
      this.dialogs.push(d.message());
      d.dismiss().catch(() => {});
    });
    page.on("console", (m) => m.type() === "error" && this.consoleErrors.push(m.text()));
  }

  /** Opens the app at `?query`; `watch(page)` runs before navigation (to observe requests, say). */
  static async open(app, query = "", watch = () => {}) {
    const context = await app.browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    watch(page);
    const p = new AppPage(page, app.base);
    await page.goto(app.base + (query ? `?${query}` : ""));
    await page.waitForSelector("[data-testid=sources]");
    return p;
  }

  async close() {
    await this.page.context().close();
  }

  /** Waits until `n` runs are loaded and no download is in flight. */
  async waitForRuns(n, timeout = 60_000) {
    await this.page.waitForFunction(
      (n) => document.querySelectorAll("[data-testid=run]").length === n &&
        document.querySelectorAll("[data-testid=in-flight] li").length === 0,
      n, { timeout });
  }

  async loadFiles(paths) {
    const before = await this.page.locator("[data-testid=run]").count();
    await this.page.setInputFiles("[data-testid=file-input]", paths);
    await this.waitForRuns(before + paths.length);
  }

  /** Every rate cell as {run, runIndex, question, judged, misaligned}. */
  async rateCells() {
    await this.page.waitForSelector("[data-testid=rate-matrix]");
    return this.page.$$eval("[data-testid=rate-cell]", (cells) =>
      cells.map((c) => ({
        run: c.dataset.run, runIndex: Number(c.dataset.runIndex), question: c.dataset.question,
        judged: Number(c.dataset.judged), misaligned: Number(c.dataset.misaligned),
      })));
  }

  async tab(name) {
    await this.page.click(`[data-testid=tab-${name}]`);
  }

  async answerCount() {
    const text = await this.page.textContent("[data-testid=answer-count]");
    return Number(text.split(" ")[0]);
  }

  async errors() {
    return this.page.$$eval("[data-testid=error]", (els) => els.map((e) => e.textContent));
  }

  /** A panic anywhere in the app marks <body data-panic>; tests assert it never happens. */
  async panic() {
    return this.page.getAttribute("body", "data-panic");
  }
}
