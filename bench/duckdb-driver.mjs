// The DuckDB-WASM baseline, driver side (called by bench/run.mjs): opens bench/duckdb.html in a
// fresh context of the suite's headless Chromium, fetches the input into the page (not timed),
// then times `repeats` loads (bytes in the page -> table queryable) and the threshold changes
// of bench/scenarios.json. See bench/duckdb.mjs for what exactly is timed.
import { existsSync } from "node:fs";
import { join } from "node:path";

/** Throws a clear message when bench/node_modules lacks DuckDB-WASM (scripts/bench.sh installs it). */
export function checkDuckdbInstalled(benchDir) {
  const dist = join(benchDir, "node_modules/@duckdb/duckdb-wasm/dist/duckdb-eh.wasm");
  if (!existsSync(dist)) {
    throw new Error(`DuckDB-WASM not installed (${dist} missing): run (cd bench && npm ci), or scripts/bench.sh`);
  }
}

export async function duckdbBench({ browser, base, url, repeats, scenarios, log }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("response", (r) => r.status() >= 400 && errors.push(`HTTP ${r.status()} ${r.url()}`));
  // Anything not from the bench's own server would be a CDN: refuse it, so the run proves there is none.
  const external = [];
  await context.route((u) => !u.href.startsWith(base), (route) => {
    external.push(route.request().url());
    return route.abort();
  });
  try {
    await page.goto(`${base}/bench/duckdb.html`);
    await page.waitForFunction(() => window.duck?.ready || window.__duckError, null, { timeout: 120_000 });
    const failed = await page.evaluate(() => window.__duckError);
    if (failed) throw new Error(`DuckDB-WASM failed to start: ${failed}; page errors: ${errors.join("; ")}`);
    const info = await page.evaluate(() => window.duck.ready);
    log(`duckdb: DuckDB-WASM ${info.version} (${info.bundle} bundle), init ${info.init_ms.toFixed(0)} ms`);
    const call = (fn, ...args) => page.evaluate(([fn, args]) => window.duck[fn](...args), [fn, args]);
    const bytes = await call("fetchFile", url);
    const loads = [];
    for (let i = 0; i < repeats; i++) {
      log(`duckdb load ${i + 1}/${repeats} (${(bytes / 1e6).toFixed(0)} MB)`);
      loads.push(await call("load"));
    }
    const memory = await call("afterLoad");
    log(`duckdb threshold: ${scenarios.iterations} changes`);
    const threshold = await call("threshold", scenarios);
    return { ...info, input_bytes: bytes, loads, memory, threshold, errors, external_requests: external };
  } finally {
    await context.close();
  }
}
