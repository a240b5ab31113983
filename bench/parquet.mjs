// The Parquet load benchmark (part `parquet` of scripts/bench.sh): the same answers as CSV and
// as Parquet (written by pyarrow from that CSV, snappy and zstd: bench/to_parquet.py), loaded by
// the CLI (`probe-explorer stats --json`, a fresh process each time) and by the app in headless
// Chromium (file input → the rates table shows the run; Parquet goes through the lazily loaded
// Parquet module, its first fetch outside the timing: a warm-up load per page comes first).
// Formats alternate within each repetition, so load spikes on this shared machine hit all alike.
// Reports medians and the ratio CSV time / Parquet time (> 1: Parquet loads faster).
//
//   node bench/parquet.mjs [--quick]      (BENCH_PARQUET_INPUT=1m|100k, default 100k;
//                                          BENCH_PARQUET_TAB=0: the CLI only)
//
// Needs bench/tmp/answers-<input>.csv (bench/gen.mjs), bench/.venv with pyarrow, the CLI in
// target/release-native and the production app in dist/ (scripts/build.sh). Writes
// bench/tmp/parquet-results.json and prints a Markdown table.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "../tests/e2e/server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..");
const quick = process.argv.includes("--quick");
const input = process.env.BENCH_PARQUET_INPUT ?? "100k";
const repeats = { cli: quick ? 2 : 7, tab: quick ? 1 : 5 };
const log = (m) => console.error(`parquet bench: ${m}`);

const csv = join(repo, `bench/tmp/answers-${input}.csv`);
if (!existsSync(csv)) throw new Error(`${relative(repo, csv)} is missing: run node bench/gen.mjs first`);
const python = join(repo, "bench/.venv/bin/python");
const cli = join(repo, "target/release-native/probe-explorer");
log(`writing ${relative(repo, csv)} as Parquet with pyarrow`);
const written = JSON.parse(execFileSync(python, [join(here, "to_parquet.py"), csv, join(repo, `bench/tmp/answers-${input}`)],
  { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }));
const files = [
  { format: "csv", path: csv },
  { format: "parquet (snappy)", path: written.files.snappy.path },
  { format: "parquet (zstd)", path: written.files.zstd.path },
].map((f) => ({ ...f, bytes: statSync(f.path).size }));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : null;
};

// ---------------------------------------------------------------- CLI

log(`CLI: ${repeats.cli} × stats --json per format`);
const cliRuns = Object.fromEntries(files.map((f) => [f.format, []]));
const cliCounts = {};
for (let r = 0; r < repeats.cli; r++) {
  for (const f of files) {
    const start = process.hrtime.bigint();
    const out = spawnSync(cli, ["stats", "--json", f.path], { encoding: "utf8", maxBuffer: 64 << 20 });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (out.status !== 0) throw new Error(`${f.format}: stats exited ${out.status}: ${out.stderr}`);
    const file = JSON.parse(out.stdout).files[0];
    cliCounts[f.format] = { rows: file.rows, judged: file.judged, misaligned: file.misaligned };
    cliRuns[f.format].push(seconds);
  }
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
for (const f of files) {
  if (!same(cliCounts[f.format], cliCounts.csv)) {
    throw new Error(`${f.format} counts ${JSON.stringify(cliCounts[f.format])} differ from the CSV's ${JSON.stringify(cliCounts.csv)}`);
  }
}

// ---------------------------------------------------------------- tab

let tabRuns = null;
let tabNote = null;
if (process.env.BENCH_PARQUET_TAB === "0") {
  tabNote = "not measured (BENCH_PARQUET_TAB=0)";
} else if (!existsSync(join(repo, "dist/parquet/probe_parquet_web_bg.wasm"))) {
  tabNote = "dist/ has no Parquet module: build the app with scripts/build.sh";
} else {
  log(`tab: ${repeats.tab} × load per format in headless Chromium`);
  const server = await serve({ port: 0, root: join(repo, "dist") });
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  tabRuns = Object.fromEntries(files.map((f) => [f.format, []]));
  const warmup = join(repo, "tests/fixtures/formats/pyarrow-zstd.parquet");
  /** Milliseconds from the file input's change event to the rates table showing the run. */
  async function load(page, path, runs) {
    await page.evaluate(() => {
      window.__loadStart = null;
      document.querySelector("[data-testid=file-input]").addEventListener("change", () => {
        window.__loadStart = performance.now();
      }, { capture: true, once: true });
    });
    await page.setInputFiles("[data-testid=file-input]", path);
    await page.waitForFunction((runs) =>
      document.querySelectorAll("[data-testid=run]").length === runs &&
      document.querySelectorAll("[data-testid=in-flight] li").length === 0 &&
      document.querySelectorAll("[data-testid=rate-cell][data-question='*']").length >= runs, runs, { timeout: 600_000, polling: 20 });
    const ms = await page.evaluate(() => performance.now() - window.__loadStart);
    const errors = await page.$$eval("[data-testid=error]", (els) => els.map((e) => e.textContent));
    if (errors.length) throw new Error(`${path}: ${errors.join("; ")}`);
    return ms;
  }
  for (let r = 0; r < repeats.tab; r++) {
    for (const f of files) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(base);
      await page.waitForSelector("[data-testid=sources]");
      await load(page, warmup, 1); // replaces the demo; fetches and starts the Parquet module
      tabRuns[f.format].push(await load(page, f.path, 2));
      await context.close();
    }
  }
  await browser.close();
  await new Promise((ok) => server.close(ok));
}

// ---------------------------------------------------------------- report

const csvCli = median(cliRuns.csv);
const csvTab = tabRuns && median(tabRuns.csv);
const rows = files.map((f) => {
  const c = median(cliRuns[f.format]);
  const t = tabRuns && median(tabRuns[f.format]);
  return {
    format: f.format, path: relative(repo, f.path), bytes: f.bytes, cli_s: c, cli_ratio_csv_over_this: csvCli / c,
    tab_ms: t, tab_ratio_csv_over_this: t && csvTab / t,
  };
});
const results = {
  date: new Date().toISOString(), input, rows: written.rows, quick, repeats, counts: cliCounts.csv,
  cli: cliRuns, tab: tabRuns, tab_note: tabNote, summary: rows,
};
writeFileSync(join(repo, "bench/tmp/parquet-results.json"), JSON.stringify(results, null, 1) + "\n");
const f2 = (x, d = 2) => (x == null ? "–" : x.toFixed(d));
console.log(`\nParquet vs CSV, ${written.rows.toLocaleString("en")} answers (answers-${input}), medians of ${repeats.cli} CLI / ${repeats.tab} tab loads\n`);
console.log("| file | MB | CLI `stats` s | CSV / this | tab load ms | CSV / this |");
console.log("|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(`| ${r.format} | ${f2(r.bytes / 1e6, 1)} | ${f2(r.cli_s)} | ${f2(r.cli_ratio_csv_over_this)} | ${f2(r.tab_ms, 0)} | ${f2(r.tab_ratio_csv_over_this)} |`);
}
if (tabNote) console.log(`\n(tab: ${tabNote})`);
