// The benchmark driver (run by scripts/bench.sh, which builds everything first):
//
//   node bench/run.mjs [--quick] [--only app,duckdb,cli]     (or BENCH_ONLY=duckdb,cli)
//
// Runs the native counterparts (bench/native), then headless Chromium over the bench build
// (bench/tmp/dist, `--features bench`) and the production build (dist/), pairs every figure
// with a baseline measured in this same run, and writes bench/results.json and
// bench/RESULTS.md. --quick uses fewer repetitions (a smoke run; do not commit its results).
//
// Parts (all by default): `app` = everything above; `duckdb` = the DuckDB-WASM baseline in the
// same browser (bench/duckdb-driver.mjs, bench/duckdb.html; needs bench/node_modules, not the app
// build); `cli` = `probe-explorer stats` against polars and pandas (bench/baselines.py; needs
// bench/.venv and target/release-native/probe-explorer). A run of only some parts is partial:
// like --quick, it writes to bench/tmp/ and never replaces the committed results.
// BENCH_DUCKDB_INPUT=100k and BENCH_CLI_INPUT=PATH pick smaller inputs for a quick check.
//
// Timings are never asserted: this machine's numbers are documentation, not a test.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants as zlibConstants, gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { serve } from "../tests/e2e/server.mjs";
import { checkDuckdbInstalled, duckdbBench } from "./duckdb-driver.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..");
const quick = process.argv.includes("--quick");
const PARTS = ["app", "duckdb", "cli"];
const argValue = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
// --report-from FILE: no measuring; derive and write the reports of a results.json again (to bench/tmp/).
const reportFrom = argValue("--report-from");
const fromFile = reportFrom ? JSON.parse(readFileSync(reportFrom, "utf8")) : null;
const onlyArg = argValue("--only") ?? process.env.BENCH_ONLY;
// A results.json from before the baselines has only the app part.
const parts = new Set(fromFile ? (fromFile.parts ??= ["app"]) : onlyArg ? onlyArg.split(",").map((x) => x.trim()).filter(Boolean) : PARTS);
for (const part of parts) if (!PARTS.includes(part)) throw new Error(`--only: unknown part ${part} (parts: ${PARTS.join(", ")})`);
const partial = parts.size < PARTS.length || Boolean(fromFile);
const sharedDir = resolve(process.env.PROBE_SHARED_DIR ?? resolve(repo, "../shared/transcripts"));
const LARGEST_SHARED = "shuaijiumei__emergent_misalignment_further_explore/open_models/eval_res/eval_result_middle_severity.csv";
const native = join(repo, "target/bench-native/release/probe-bench-native");
const scenarios = JSON.parse(readFileSync(join(here, "scenarios.json"), "utf8"));
if (quick) scenarios.iterations = 5;
// What both sides run: the native bench reads the same (possibly --quick) scenarios.
const scenariosPath = join(repo, "bench/tmp/scenarios.json");
writeFileSync(scenariosPath, JSON.stringify(scenarios));

const R = quick
  ? { small: 3, large: 1, judge: 2, startup: 3, cli: 1 }
  : { small: 20, large: 5, judge: 5, startup: 10, cli: 5 };
// The fast default judge scores 2,400 answers per run; the others (the encoder scores ~60
// answers/s natively on one thread) score 240, so every judge's run takes seconds, not minutes.
const JUDGE_ANSWERS = 2400;
const SLOW_JUDGE_ANSWERS = 240;
const judgeAnswers = (name) => (name === results.bundled_judges?.[0]?.name ? JUDGE_ANSWERS : SLOW_JUDGE_ANSWERS);
const threadsAll = os.cpus().length;

const inputs = {
  shared: { label: "largest shared transcript", path: join(sharedDir, LARGEST_SHARED), url: `/shared/${LARGEST_SHARED}` },
  "1m": { label: "generated, 1M answers", path: join(repo, "bench/tmp/answers-1m.csv"), url: "/bench/tmp/answers-1m.csv" },
  "100k": { label: "generated, 100k answers", path: join(repo, "bench/tmp/answers-100k.csv"), url: "/bench/tmp/answers-100k.csv" },
};
// The CLI input: realistic rows with metadata columns (bench/gen-cli.mjs), ~300 MB.
const cliPath = resolve(repo, process.env.BENCH_CLI_INPUT ?? "bench/tmp/transcripts-300mb.csv");
inputs.cli = { label: "generated, realistic rows for the CLI", path: cliPath, url: null };
const duckdbKey = process.env.BENCH_DUCKDB_INPUT ?? "1m";
if (!["1m", "100k"].includes(duckdbKey)) throw new Error("BENCH_DUCKDB_INPUT: 1m or 100k");
const needed = new Set([...(parts.has("app") ? ["shared", "1m", "100k"] : []), ...(parts.has("duckdb") ? [duckdbKey] : []),
  ...(parts.has("cli") ? ["cli"] : [])]);
for (const key of Object.keys(inputs)) if (!needed.has(key)) delete inputs[key];
if (!fromFile) for (const input of Object.values(inputs)) input.bytes = statSync(input.path).size;
const cliBinary = join(repo, "target/release-native/probe-explorer");
const venvPython = join(here, ".venv/bin/python");
if (parts.has("cli") && !fromFile) {
  for (const [path, how] of [[cliBinary, "cargo build --profile release-native -p probe-explorer-cli"], [venvPython, "scripts/bench.sh (creates bench/.venv)"]]) {
    if (!existsSync(path)) throw new Error(`${path} missing: ${how}`);
  }
}
if (parts.has("duckdb") && !fromFile) checkDuckdbInstalled(here);

const log = (...a) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);
const started = Date.now();

// ---------------------------------------------------------------- statistics

function quantile(sorted, q) {
  if (!sorted.length) return null;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** median, p5/p95, IQR (q1, q3), min/max and n of a sample. */
function summary(values) {
  const s = [...values].sort((a, b) => a - b);
  return {
    n: s.length, median: quantile(s, 0.5), p5: quantile(s, 0.05), p95: quantile(s, 0.95),
    q1: quantile(s, 0.25), q3: quantile(s, 0.75), min: s[0], max: s[s.length - 1],
  };
}

const ratio = (a, b) => (a == null || b == null || b === 0 ? null : a / b);

// ---------------------------------------------------------------- machine

function sh(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

function machine(chromiumVersion) {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const osRelease = existsSync("/etc/os-release") ? readFileSync("/etc/os-release", "utf8") : "";
  return {
    date: new Date().toISOString(),
    cpu_model: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memory_bytes: os.totalmem(),
    os: `${/PRETTY_NAME="?([^"\n]*)/.exec(osRelease)?.[1] ?? os.type()} (${os.type()} ${os.release()}, ${os.arch()})`,
    chromium: chromiumVersion,
    rustc: sh("rustc", ["--version"]),
    node: process.version,
    git_commit: sh("git", ["-C", repo, "rev-parse", "--short", "HEAD"]),
    git_dirty: (sh("git", ["-C", repo, "status", "--porcelain", "--untracked-files=no"]) ?? "") !== "",
    load_average_at_start: os.loadavg(),
  };
}

// ---------------------------------------------------------------- native

function runNative(...args) {
  log("native", args.join(" "));
  const out = execFileSync(native, args.map(String), {
    encoding: "utf8", maxBuffer: 64 << 20,
    env: { ...process.env, ORT_DYLIB_PATH: process.env.ORT_DYLIB_PATH ?? join(repo, ".ort/libonnxruntime.so") },
  });
  return JSON.parse(out);
}

// ---------------------------------------------------------------- browser

let results = fromFile;
if (!fromFile) {
  const useBrowser = parts.has("app") || parts.has("duckdb");
  const browser = !useBrowser ? null : await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--enable-precise-memory-info",
    ],
  });
  const benchServer = useBrowser ? await serve({ port: 0, root: repo, shared: sharedDir }) : null;
  const appServer = parts.has("app") ? await serve({ port: 0, root: join(repo, "dist") }) : null;
  const benchBase = benchServer && `http://127.0.0.1:${benchServer.address().port}`;
  const appBase = appServer && `http://127.0.0.1:${appServer.address().port}`;
  if (parts.has("app")) copyFileSync(join(here, "page.html"), join(repo, "bench/tmp/dist/bench.html"));

  /** The CLI against polars and pandas (bench/baselines.py): fresh processes, wall time and peak RSS. */
  function cliBench() {
    log(`cli: probe-explorer stats vs polars and pandas on ${relative(repo, inputs.cli.path)}, ${R.cli} × each`);
    const out = join(repo, "bench/tmp/baselines.json");
    execFileSync(venvPython, [join(here, "baselines.py"), inputs.cli.path, "--repeats", String(Math.max(R.cli, 1)),
      "--cli", cliBinary, "--json", out], { stdio: ["ignore", "inherit", "inherit"] });
    return JSON.parse(readFileSync(out, "utf8"));
  }

  async function openBench() {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("response", (r) => r.status() >= 400 && errors.push(`HTTP ${r.status()} ${r.url()}`));
    const cdp = await context.newCDPSession(page);
    await page.goto(`${benchBase}/bench/tmp/dist/bench.html`);
    await page.waitForFunction(() => window.bench?.ready, null, { timeout: 0 });
    const info = await page.evaluate(() => window.bench.ready);
    if (!info.crossOriginIsolated) throw new Error("bench page is not cross-origin isolated: no threads for ONNX Runtime Web");
    const gc = () => cdp.send("HeapProfiler.collectGarbage");
    const jsHeap = async () => (await cdp.send("Runtime.getHeapUsage")).usedSize;
    const call = (fn, ...args) => page.evaluate(([fn, args]) => window.bench[fn](...args), [fn, args]);
    return { page, context, cdp, info, errors, gc, jsHeap, call, close: () => context.close() };
  }

  /** Load: wasm and PapaParse alternately on the same bytes; keeps the last parse of each. */
  async function loadBench(tab, key, repeats) {
    const input = inputs[key];
    log(`browser load ${key}: ${repeats} × (wasm, PapaParse)`);
    await tab.call("fetchFile", key, input.url);
    const wasmRuns = [];
    const papaRuns = [];
    for (let i = 0; i < repeats; i++) {
      const keep = i === repeats - 1;
      await tab.call("dropParsed", key);
      await tab.gc();
      wasmRuns.push(await tab.call("wasmParse", key, keep));
      await tab.gc();
      papaRuns.push(await tab.call("papaParse", key, keep));
    }
    await tab.call("dropFile", key);
    return { wasm: wasmRuns, papa: papaRuns };
  }

  async function interactionBench(tab, key) {
    const out = {};
    for (const event of ["threshold", "question", "search", "judge"]) {
      for (const engine of ["wasm", "js"]) {
        log(`browser interaction ${key}: ${event} × ${scenarios.iterations} (${engine})`);
        await tab.gc();
        out[event] ??= {};
        out[event][engine] = await tab.call("interaction", key, scenarios, engine, event);
      }
    }
    return out;
  }

  async function judgeBench(judge, threads) {
    log(`browser judge ${judge.name}: ${threads} thread(s), ${R.judge} + 1 runs`);
    const tab = await openBench();
    try {
      await tab.call("fetchFile", "shared", inputs.shared.url);
      await tab.call("wasmParse", "shared", true);
      const init = await tab.call("judgeInit", threads);
      const load = await tab.call("judgeLoad", judge.folder);
      const runs = [];
      const answers = judgeAnswers(judge.name);
      for (let i = 0; i <= R.judge; i++) runs.push(await tab.call("judgeScore", "shared", answers));
      return { threads, answers, ...init, ...load, first: runs[0], runs: runs.slice(1), errors: tab.errors };
    } finally {
      await tab.close();
    }
  }

  /**
   * Memory after a load, in a fresh page, as the app holds it: the file's bytes are fetched, parsed
   * into wasm, then released. Then the same file through PapaParse, for the JS baseline.
   */
  async function memoryBench(key) {
    log(`browser memory ${key}`);
    const tab = await openBench();
    try {
      const measure = async () => {
        await tab.gc();
        return { ...(await tab.call("memory")), js_heap: await tab.jsHeap() };
      };
      const before = await measure();
      const inputBytes = await tab.call("fetchFile", key, inputs[key].url);
      await tab.call("resetPeak");
      const parse = await tab.call("wasmParse", key, true);
      await tab.call("dropFile", key);
      const afterWasm = await measure();
      await tab.call("fetchFile", key, inputs[key].url);
      await tab.call("papaParse", key, true);
      await tab.call("dropFile", key);
      const afterJs = await measure();
      return {
        input_bytes: inputBytes, answers: parse.answers, before, after_wasm_parse: afterWasm, after_papaparse: afterJs,
        rust_dataset_bytes: afterWasm.rust_heap_live_bytes - before.rust_heap_live_bytes,
        rust_peak_during_parse_bytes: afterWasm.rust_heap_peak_bytes - before.rust_heap_live_bytes,
        wasm_memory_bytes: afterWasm.wasm_memory_bytes,
        // What the tab holds for the dataset: JS heap + wasm memory, less the empty page's.
        tab_bytes: afterWasm.js_heap + afterWasm.wasm_memory_bytes - before.js_heap - before.wasm_memory_bytes,
        js_rows_bytes: afterJs.js_heap - afterWasm.js_heap,
        errors: tab.errors,
      };
    } finally {
      await tab.close();
    }
  }

  /** Time to first render and to the first rates view of the demo, fresh context (cold cache) each time. */
  async function startupBench() {
    const marks = () => {
      window.__marks = {};
      const look = () => {
        for (const [name, sel] of [["first_render", "[data-testid=sources]"], ["rates_view", "[data-testid=rate-matrix]"]]) {
          if (!(name in window.__marks) && document.querySelector(sel)) window.__marks[name] = performance.now();
        }
      };
      new MutationObserver(look).observe(document, { childList: true, subtree: true });
    };
    const app = [];
    const blank = [];
    for (let i = 0; i < R.startup; i++) {
      for (const which of ["app", "blank"]) {
        const context = await browser.newContext();
        const page = await context.newPage();
        if (which === "app") {
          await page.addInitScript(marks);
          await page.goto(`${appBase}/`);
          await page.waitForSelector("[data-testid=rate-matrix]", { timeout: 0 });
          app.push(await page.evaluate(() => {
            const nav = performance.getEntriesByType("navigation")[0];
            const bytes = performance.getEntriesByType("resource").reduce((n, r) => n + r.transferSize, nav.transferSize);
            return { ...window.__marks, dom_content_loaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, transferred_bytes: bytes };
          }));
        } else {
          await page.goto(`${benchBase}/bench/blank.html`);
          await page.waitForLoadState("load");
          blank.push(await page.evaluate(() => {
            const nav = performance.getEntriesByType("navigation")[0];
            return { dom_content_loaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd };
          }));
        }
        await context.close();
      }
    }
    return { app, blank };
  }

  function sizes() {
    const dist = join(repo, "dist");
    const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]);
    const entry = (path) => {
      const bytes = readFileSync(path);
      const brotli = brotliCompressSync(bytes, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }).length;
      return { file: relative(dist, path), raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, brotli };
    };
    const all = walk(dist).map(entry);
    const sum = (list) => list.reduce((a, f) => ({ raw: a.raw + f.raw, gzip: a.gzip + f.gzip, brotli: a.brotli + f.brotli }),
      { raw: 0, gzip: 0, brotli: 0 });
    const isOrt = (f) => f.file.startsWith("ort/");
    // The wasm modules public/boot.js imports only when needed (a zip or Parquet file arrives, a
    // judge is used), each a folder of dist/: counted apart from the startup download.
    const lazyModules = {
      "formats/": "formats module (Inspect AI logs, zip codecs)",
      "parquet/": "Parquet module (the parquet crate's reader, its codecs)",
      "judge-web/": "judge module (ONNX Runtime Web glue, judge.json, featurizers)",
    };
    const lazyOf = (f) => Object.keys(lazyModules).find((dir) => f.file.startsWith(dir));
    const code = all.filter((f) => !isOrt(f) && /\.(wasm|js|mjs|css|html)$/.test(f.file));
    const app = code.filter((f) => !lazyOf(f));
    const ortWasm = ["ort/ort.wasm.min.js", "ort/ort-wasm-simd-threaded.mjs", "ort/ort-wasm-simd-threaded.wasm"];
    const lazy = Object.entries(lazyModules).map(([dir, what]) => {
      const files = code.filter((f) => lazyOf(f) === dir);
      return { dir, what, files, total: sum(files) };
    }).filter((m) => m.files.length);
    const judgeFolders = (results.bundled_judges ?? [{ name: "probe-judge-hashed-ngrams", folder: "judge" }]);
    const judgeFiles = (folder) => all.filter((f) => f.file.startsWith(`${folder}/`) && !f.file.endsWith(".md"));
    return {
      app: { files: app, total: sum(app) },
      lazy_modules: lazy,
      judge_models: judgeFolders.map(({ name, folder }) => ({ name, folder, files: judgeFiles(folder).map((f) => f.file), total: sum(judgeFiles(folder)) })),
      ort_all: { files: all.filter(isOrt), total: sum(all.filter(isOrt)) },
      ort_fetched_wasm_backend: { files: ortWasm, total: sum(all.filter((f) => ortWasm.includes(f.file))) },
    };
  }

  // ---------------------------------------------------------------- run

  results = { quick, parts: [...parts], partial, repeats: R, scenarios, inputs: {}, machine: null };
  for (const [key, input] of Object.entries(inputs)) results.inputs[key] = { label: input.label, file: relative(repo, input.path).startsWith("..") ? LARGEST_SHARED : relative(repo, input.path), bytes: input.bytes };

  try {
    results.machine = machine(browser?.version() ?? null);
    log("machine:", JSON.stringify(results.machine));

    // Native first, so the browser's memory does not crowd it.
    if (parts.has("cli")) results.cli = cliBench();
    if (parts.has("app")) {
      // Every bundled judge (probe_judge::BUNDLED, default first) whose folder is there.
      results.bundled_judges = runNative("bundled").filter(({ folder }) => existsSync(join(repo, "public", folder, "judge.json")));
      results.native = {
        load: { shared: runNative("load", inputs.shared.path, R.small), "1m": runNative("load", inputs["1m"].path, R.large) },
        interaction: runNative("interaction", inputs["1m"].path, scenariosPath),
        judge: Object.fromEntries(results.bundled_judges.map(({ name, folder }) => [name, Object.fromEntries([...new Set([1, threadsAll])].map((t) =>
          [t, runNative("judge", inputs.shared.path, judgeAnswers(name), R.judge, t, join(repo, "public", folder))]))])),
      };

      const tab = await openBench();
      results.page = tab.info;
      results.browser = { load: {} };
      results.browser.load.shared = await loadBench(tab, "shared", R.small);
      await tab.call("dropParsed", "shared");
      results.browser.load["1m"] = await loadBench(tab, "1m", R.large);
      results.browser.interaction = await interactionBench(tab, "1m");
      log("browser interaction 1m: profile passes");
      results.browser.profile_ms = await tab.call("profile", "1m", Math.min(10, scenarios.iterations));
      results.browser.page_errors = tab.errors;
      await tab.close();
    }
    // DuckDB-WASM in the same browser, right after our load and interaction, over the same file.
    if (parts.has("duckdb")) {
      results.duckdb = await duckdbBench({
        browser, base: benchBase, url: inputs[duckdbKey].url, repeats: Math.max(R.large, quick ? 1 : 3), scenarios, log,
      });
      results.duckdb.input = duckdbKey;
    }
    if (parts.has("app")) {
      results.browser.judge = {};
      for (const judge of results.bundled_judges) {
        results.browser.judge[judge.name] = {};
        for (const t of [...new Set([1, threadsAll])]) results.browser.judge[judge.name][t] = await judgeBench(judge, t);
      }
      results.browser.memory = { "100k": await memoryBench("100k"), "1m": await memoryBench("1m") };
      log("startup");
      results.browser.startup = await startupBench();
      results.sizes = sizes();
    }
  } finally {
    await browser?.close();
    if (benchServer) await new Promise((ok) => benchServer.close(ok));
    if (appServer) await new Promise((ok) => appServer.close(ok));
  }
  results.duration_s = (Date.now() - started) / 1000;
  results.machine.load_average_at_end = os.loadavg();
}

// ---------------------------------------------------------------- derive

const MB = 1e6;
const derived = { load: {}, interaction: {}, judge: {}, startup: {}, memory: {} };
if (parts.has("app")) {
  for (const key of ["shared", "1m"]) {
    const bytes = results.inputs[key].bytes;
    const rows = results.native.load[key].rows;
    const mbps = (ms) => bytes / MB / (ms / 1000);
    const row = (times) => ({ ms: summary(times), mb_s: summary(times.map(mbps)), rows_s: summary(times.map((ms) => rows / (ms / 1000))) });
    const b = results.browser.load[key];
    const d = {
      bytes, rows,
      wasm: row(b.wasm.map((r) => r.ms)),
      wasm_load_run_only: row(b.wasm.map((r) => r.load_run_ms)),
      papaparse: row(b.papa.map((r) => r.ms)),
      native: row(results.native.load[key].times_ms),
      rows_agree: b.wasm.every((r) => r.rows === rows) && b.papa.every((r) => r.rows === rows),
    };
    d.wasm_vs_papaparse = ratio(d.wasm.mb_s.median, d.papaparse.mb_s.median);
    d.wasm_vs_native = ratio(d.wasm.mb_s.median, d.native.mb_s.median);
    derived.load[key] = d;
  }
  for (const [event, engines] of Object.entries(results.browser.interaction)) {
    const total = (e) => e.rates_ms.map((r, i) => r + e.select_ms[i]);
    const nat = results.native.interaction.events[event];
    const d = {};
    for (const [name, e] of [["wasm", engines.wasm], ["js", engines.js], ["native", nat]]) {
      d[name] = { rates: summary(e.rates_ms), list: summary(e.select_ms), total: summary(total(e)) };
    }
    if (engines.wasm.first_screen_ms?.length) d.wasm.first_screen = summary(engines.wasm.first_screen_ms);
    d.checks_agree = JSON.stringify(engines.wasm.checks) === JSON.stringify(engines.js.checks) &&
      JSON.stringify(engines.wasm.checks) === JSON.stringify(nat.checks);
    d.js_over_wasm_p50 = ratio(d.js.total.median, d.wasm.total.median);
    d.js_over_wasm_p95 = ratio(d.js.total.p95, d.wasm.total.p95);
    d.wasm_over_native_p50 = ratio(d.wasm.total.median, d.native.total.median);
    derived.interaction[event] = d;
  }
  // Results written before there were several bundled judges hold one judge's runs by thread count.
  if (!results.bundled_judges) {
    results.bundled_judges = [{ name: "probe-judge-hashed-ngrams", folder: "judge" }];
    results.browser.judge = { "probe-judge-hashed-ngrams": results.browser.judge };
    results.native.judge = { "probe-judge-hashed-ngrams": results.native.judge };
  }
  for (const [name, byThreads] of Object.entries(results.browser.judge)) for (const t of Object.keys(byThreads)) {
    const web = byThreads[t];
    const nat = results.native.judge[name][t];
    // Both sides score the same answers (nat.answers); results from before per-judge counts used 2,400.
    const answers = nat.answers ?? JUDGE_ANSWERS;
    const aps = (ms) => answers / (ms / 1000);
    derived.judge[name] ??= {};
    derived.judge[name][t] = {
      browser_answers_s: summary(web.runs.map((r) => aps(r.ms))),
      native_answers_s: summary(nat.score_ms.map(aps)),
      browser_first_run_answers_s: aps(web.first.ms),
      browser_runtime_init_ms: web.init_ms,
      browser_model_load_ms: web.load_ms,
      native_runtime_init_ms: nat.runtime_init_ms,
      native_model_load_ms: summary(nat.load_ms),
      browser_num_threads: web.num_threads,
      checksum_browser: web.runs.at(-1).checksum,
      checksum_native: nat.checksum,
    };
    derived.judge[name][t].browser_vs_native = ratio(derived.judge[name][t].browser_answers_s.median, derived.judge[name][t].native_answers_s.median);
  }
  {
    const s = results.browser.startup;
    const pick = (list, k) => summary(list.map((x) => x[k]));
    derived.startup = {
      app_first_render_ms: pick(s.app, "first_render"),
      app_rates_view_ms: pick(s.app, "rates_view"),
      app_dom_content_loaded_ms: pick(s.app, "dom_content_loaded"),
      blank_dom_content_loaded_ms: pick(s.blank, "dom_content_loaded"),
      transferred_bytes: pick(s.app, "transferred_bytes"),
    };
    derived.startup.first_render_over_blank = ratio(derived.startup.app_first_render_ms.median, derived.startup.blank_dom_content_loaded_ms.median);
  }
  for (const [key, m] of Object.entries(results.browser.memory)) {
    derived.memory[key] = {
      input_bytes: m.input_bytes, answers: m.answers,
      rust_dataset_x: m.rust_dataset_bytes / m.input_bytes,
      rust_peak_during_parse_x: m.rust_peak_during_parse_bytes / m.input_bytes,
      wasm_memory_x: m.wasm_memory_bytes / m.input_bytes,
      tab_x: m.tab_bytes / m.input_bytes,
      js_rows_x: m.js_rows_bytes / m.input_bytes,
    };
  }
}
if (results.duckdb) {
  const dk = results.duckdb;
  const loadMs = dk.loads.map((r) => r.ms);
  const d = {
    input: dk.input, bytes: dk.input_bytes, rows: dk.loads.at(-1).rows, version: dk.version,
    load: {
      // The first load also grows DuckDB's wasm memory (ours is measured the same way: runs in one page).
      first_ms: loadMs[0],
      ms: summary(loadMs), register_ms: summary(dk.loads.map((r) => r.register_ms)),
      create_ms: summary(dk.loads.map((r) => r.create_ms)), mb_s: summary(loadMs.map((ms) => dk.input_bytes / MB / (ms / 1000))),
    },
    threshold_ms: summary(dk.threshold.ms),
    memory: dk.memory,
    no_external_requests: dk.external_requests.length === 0,
  };
  // Beside ours, same run and same file (a full run, or --only app,duckdb).
  const ours = derived.load[dk.input];
  if (ours) {
    d.rows_agree = ours.rows === d.rows;
    d.duckdb_over_wasm_load = ratio(d.load.ms.median, ours.wasm.ms.median);
    d.duckdb_over_papaparse_load = ratio(d.load.ms.median, ours.papaparse.ms.median);
  }
  const thr = results.browser?.interaction?.threshold;
  if (thr && dk.input === "1m") {
    // rate_table's counts [answers, judged, misaligned, questions] per change, same thresholds.
    d.checks_agree = JSON.stringify(thr.wasm.checks.map((c) => c[0])) === JSON.stringify(dk.threshold.checks);
    const wasmRates = derived.interaction.threshold.wasm.rates;
    d.duckdb_over_wasm_rates_p50 = ratio(d.threshold_ms.median, wasmRates.median);
    d.duckdb_over_wasm_rates_p95 = ratio(d.threshold_ms.p95, wasmRates.p95);
  }
  derived.duckdb = d;
}
if (results.cli) {
  const c = results.cli;
  const m = c.median;
  derived.cli = {
    file_bytes: c.file_bytes, rows: c.rows.probe, questions: c.questions, counts_agree: Object.values(c.counts_agree).every(Boolean),
    probe_over_polars_work: c.probe_over_polars_work, probe_over_polars_process: c.probe_over_polars_process,
    probe_over_pandas_work: c.probe_over_pandas_work, probe_over_pandas_process: c.probe_over_pandas_process,
    probe_rss_over_file: c.probe_rss_over_file, polars_rss_over_file: c.polars_rss_over_file, pandas_rss_over_file: c.pandas_rss_over_file,
    median: m, versions: { polars: c.engines.polars?.version, pandas: c.engines.pandas?.version },
  };
}
results.derived = derived;

// A --quick run is a smoke test: it never replaces the committed results.
// A run of only some parts (--only) is partial: it never replaces them either.
const outDir = quick || partial ? join(repo, "bench/tmp") : here;
writeFileSync(join(outDir, "results.json"), JSON.stringify(results, null, 1) + "\n");
writeFileSync(join(outDir, "RESULTS.md"), report(results));
log(`done in ${results.duration_s.toFixed(0)} s: ${relative(repo, join(outDir, "RESULTS.md"))}, ${relative(repo, join(outDir, "results.json"))}`);

// ---------------------------------------------------------------- report

function report(r) {
  const d = r.derived;
  const f = (x, digits = 1) => (x == null ? "–" : Number(x).toFixed(digits));
  const n0 = (x) => (x == null ? "–" : Math.round(x).toLocaleString("en-US"));
  const spread = (s, digits = 1) => `${f(s.median, digits)} (p5–p95 ${f(s.p5, digits)}–${f(s.p95, digits)}, IQR ${f(s.q1, digits)}–${f(s.q3, digits)})`;
  const kb = (b) => `${f(b / 1000, 1)} kB`;
  const mb = (b) => `${f(b / 1e6, 1)} MB`;
  const ok = (pass) => (pass ? "✅" : "❌");
  const m = r.machine;
  const lines = [];
  const p = (s = "") => lines.push(s);
  p("# Benchmark results");
  p();
  p(`Generated by \`scripts/bench.sh\`${r.quick ? " **(--quick: smoke run, too few repetitions to track)**" : ""}${reportFrom ? ` (reports re-derived from ${reportFrom})` : r.partial ? ` **(partial run: --only ${r.parts.join(",")})**` : ""} on ${m.date.slice(0, 10)} in ${f(r.duration_s / 60, 1)} min (benchmarks only, builds excluded).`);
  p("Every figure is paired with a baseline measured in the same run; the ratio is what we track.");
  p("Medians with p5–p95 and the interquartile range over the repetitions given. Raw samples: `bench/results.json`.");
  p();
  p("## Machine");
  p();
  p("| | |");
  p("|---|---|");
  p(`| CPU | ${m.cpu_model}, ${m.cores} cores (shared with other builds; 1/5/15-min load average ${m.load_average_at_start.map((x) => x.toFixed(2)).join(", ")} at start, ${m.load_average_at_end.map((x) => x.toFixed(2)).join(", ")} at end) |`);
  p(`| Memory | ${f(m.memory_bytes / 2 ** 30, 1)} GiB |`);
  p(`| OS | ${m.os} |`);
  const pageInfo = r.page ?? r.duckdb;
  if (pageInfo) p(`| Browser | headless Chromium ${m.chromium}, cross-origin isolated: ${pageInfo.crossOriginIsolated}, hardwareConcurrency ${pageInfo.hardwareConcurrency} |`);
  p(`| Toolchain | ${m.rustc}; Node ${m.node} |`);
  p(`| Code | ${m.git_commit}${m.git_dirty ? " + uncommitted changes in the working tree" : ""} |`);
  p();
  p("## Summary against targets");
  p();
  p("| Measure | Ours | Baseline (same run) | Ratio | Target | Met |");
  p("|---|---|---|---|---|---|");
  if (r.parts.includes("app")) {
    for (const key of ["shared", "1m"]) {
      const l = d.load[key];
      p(`| Load ${r.inputs[key].label}: wasm vs PapaParse (MB/s) | ${f(l.wasm.mb_s.median)} | ${f(l.papaparse.mb_s.median)} | ${f(l.wasm_vs_papaparse, 2)}× | ≥ 1.5× | ${ok(l.wasm_vs_papaparse >= 1.5)} |`);
      p(`| Load ${r.inputs[key].label}: wasm vs native (MB/s) | ${f(l.wasm.mb_s.median)} | ${f(l.native.mb_s.median)} | ${f(l.wasm_vs_native, 2)}× | ≥ 0.5× | ${ok(l.wasm_vs_native >= 0.5)} |`);
    }
    for (const [event, i] of Object.entries(d.interaction)) {
      if (event === "search" && i.wasm.first_screen) {
        p(`| Interaction, 1M answers, search change: first screen (100 answers) p95 ms, wasm vs the JS full list | ${f(i.wasm.first_screen.p95)} | ${f(i.js.total.p95)} | ${f(i.js.total.p95 / i.wasm.first_screen.p95, 1)}× | p95 ≤ 16 ms | ${ok(i.wasm.first_screen.p95 <= 16)} |`);
        p(`| Interaction, 1M answers, search change: full count p95 ms, wasm vs JS (JS/wasm) | ${f(i.wasm.total.p95)} | ${f(i.js.total.p95)} | ${f(i.js_over_wasm_p95, 2)}× | p95 ≤ 250 ms and ≥ 5× JS | ${ok(i.wasm.total.p95 <= 250 && i.js_over_wasm_p95 >= 5)} |`);
        continue;
      }
      p(`| Interaction, 1M answers, ${event} change: p95 ms, wasm vs JS (JS/wasm) | ${f(i.wasm.total.p95)} | ${f(i.js.total.p95)} | ${f(i.js_over_wasm_p95, 2)}× | p95 ≤ 16 ms and ≥ 5× JS | ${ok(i.wasm.total.p95 <= 16 && i.js_over_wasm_p95 >= 5)} |`);
    }
    for (const [name, byThreads] of Object.entries(d.judge)) for (const [t, j] of Object.entries(byThreads)) {
      p(`| Judge ${name}, ${t} thread(s): browser vs native (answers/s) | ${n0(j.browser_answers_s.median)} | ${n0(j.native_answers_s.median)} | ${f(j.browser_vs_native, 2)}× | – | |`);
    }
    const app = r.sizes.app.total;
    p(`| App download without ONNX Runtime (gzip; startup files, lazily loaded modules apart) | ${kb(app.gzip)} | ONNX Runtime Web, WASM backend: ${kb(r.sizes.ort_fetched_wasm_backend.total.gzip)} | ${f(app.gzip / r.sizes.ort_fetched_wasm_backend.total.gzip, 3)}× | ≤ 350 kB | ${ok(app.gzip <= 350_000)} |`);
    p(`| Time to first rates view of the demo (ms) | ${f(d.startup.app_rates_view_ms.median)} | blank page DOMContentLoaded: ${f(d.startup.blank_dom_content_loaded_ms.median)} | ${f(d.startup.app_rates_view_ms.median / d.startup.blank_dom_content_loaded_ms.median, 1)}× | – | |`);
    for (const [key, mem] of Object.entries(d.memory)) {
      p(`| Memory after loading ${n0(mem.answers)} answers: JS heap + wasm memory (× input) | ${f(mem.tab_x, 2)}× (Rust heap, live: ${f(mem.rust_dataset_x, 2)}×) | JS rows (PapaParse): ${f(mem.js_rows_x, 2)}× | ${f(mem.tab_x / mem.js_rows_x, 2)}× | ≤ 1.3× | ${ok(mem.tab_x <= 1.3)} |`);
    }
  }
  if (d.duckdb) {
    const k = d.duckdb;
    const label = r.inputs[k.input].label;
    const ours = d.load[k.input];
    p(`| CSV load, ${label}: wasm vs DuckDB-WASM (ms, bytes in the page → queryable; ratio DuckDB/wasm) | ${ours ? f(ours.wasm.ms.median, 0) : "not in this run"} | ${f(k.load.ms.median, 0)} | ${ours ? `${f(k.duckdb_over_wasm_load, 2)}×` : "–"} | – | |`);
    const thr = d.interaction?.threshold;
    p(`| Threshold change, ${label}: per-question counts p95 ms, wasm rates vs DuckDB-WASM (ratio DuckDB/wasm) | ${thr && k.input === "1m" ? f(thr.wasm.rates.p95) : "not in this run"} | ${f(k.threshold_ms.p95)} | ${k.duckdb_over_wasm_rates_p95 != null ? `${f(k.duckdb_over_wasm_rates_p95, 2)}×` : "–"} | p95 ≤ 16 ms | ${thr && k.input === "1m" ? ok(thr.wasm.rates.p95 <= 16) : ""} |`);
  }
  if (d.cli) {
    const c = d.cli;
    const mm = c.median;
    p(`| CLI \`stats --json\`, ${mb(c.file_bytes)} file: wall s, probe-explorer vs polars read_csv + group_by (pandas: ${f(mm.pandas?.work_s, 2)} s) | ${f(mm.probe.wall_s, 2)} | ${f(mm.polars.work_s, 2)} | ${f(c.probe_over_polars_work, 2)}× | ≤ 0.5× | ${ok(c.probe_over_polars_work <= 0.5)} |`);
    p(`| CLI \`stats --json\`, ${mb(c.file_bytes)} file: peak RSS / file size (polars ${f(c.polars_rss_over_file, 2)}×, pandas ${f(c.pandas_rss_over_file, 2)}×) | ${f(c.probe_rss_over_file, 2)}× | polars ${f(c.polars_rss_over_file, 2)}× | ${f(c.probe_rss_over_file / c.polars_rss_over_file, 2)}× | ≤ 0.25× | ${ok(c.probe_rss_over_file <= 0.25)} |`);
  }
  p();
  if (r.parts.includes("app")) p("Notes: the machine is shared with other engineers' builds and tests, so spreads are wide; compare ratios, and rerun before reading much into a small change. The app itself refuses a single file over 400 MiB (`MAX_INPUT_BYTES` in src/load.rs) and holds at most 1 GiB in all, so 1M answers of realistic length (900 MB) reach the app only as several files; the benchmark calls the core directly.");
  p();
  if (r.parts.includes("app")) {
    p("## 1. Load");
    p();
    p("Parse from bytes already in memory to a dataset. wasm: `bench_parse` = copy into wasm memory + `probe_core::load::load_run_owned` (the app's path: a CSV file's answers stay in its own buffer); native: `load_run_owned` on a copy of the bytes made before the clock starts, release-native settings; PapaParse 5.7.1: `TextDecoder` + `Papa.parse` (header row, score columns typed) into row objects, fed in 16 MB pieces through PapaParse's streaming path (a 900 MB file exceeds V8's longest string).");
    p();
    p("| Input | Engine | MB/s | rows/s | ms |");
    p("|---|---|---|---|---|");
    for (const key of ["shared", "1m"]) {
      const l = d.load[key];
      const label = `${r.inputs[key].label} (${f(l.bytes / MB, 1)} MB, ${n0(l.rows)} rows, ${key === "shared" ? r.repeats.small : r.repeats.large} runs)`;
      for (const [name, e] of [["wasm (in Chromium)", l.wasm], ["wasm, load_run_owned only", l.wasm_load_run_only], ["native", l.native], ["PapaParse (in Chromium)", l.papaparse]]) {
        p(`| ${label} | ${name} | ${spread(e.mb_s)} | ${n0(e.rows_s.median)} | ${spread(e.ms)} |`);
      }
      p(`| | **ratios** | wasm/PapaParse **${f(l.wasm_vs_papaparse, 2)}×**, wasm/native **${f(l.wasm_vs_native, 2)}×** | | row counts agree: ${l.rows_agree} |`);
    }
    p();
    p("## 2. Interaction (1M answers)");
    p();
    p(`Per change: **rates** = \`filter::scope\` + \`stats::rate_table\`; **list** = \`filter::select\` (file order); **total** = both, what one change costs before rendering. ${r.scenarios.iterations} changes per event after one uncounted pass (bench/scenarios.json): *threshold* cycles ${r.scenarios.thresholds.length} threshold pairs with "misaligned only" on; *question* filters to one of the first ${r.scenarios.questions} questions; *search* cycles ${r.scenarios.searches.length} words over every answer; *judge* alternates the generated file's two judges (published and \`azure\`, its scores moved by up to ±15 points) with "misaligned only" on. JS: a straightforward implementation of the same operations over PapaParse's row objects (\`Set\`/\`Map\` lookups, \`toLowerCase().includes\`), in the same page, grouping questions as the app does (a variant of one of the paper's questions under its base id, from a key → group map made once per file). Results (counts) of wasm, JS and native are compared.`);
    p();
    p("| Event | Engine | rates p50 / p95 (ms) | list p50 / p95 (ms) | total p50 / p95 (ms) | total spread |");
    p("|---|---|---|---|---|---|");
    for (const [event, i] of Object.entries(d.interaction)) {
      for (const name of ["wasm", "js", "native"]) {
        const e = i[name];
        p(`| ${event} | ${name} | ${f(e.rates.median)} / ${f(e.rates.p95)} | ${f(e.list.median)} / ${f(e.list.p95)} | **${f(e.total.median)} / ${f(e.total.p95)}** | min ${f(e.total.min)}, IQR ${f(e.total.q1)}–${f(e.total.q3)}, max ${f(e.total.max)} |`);
      }
      p(`| | **ratios** | JS/wasm p50 **${f(i.js_over_wasm_p50, 2)}×**, p95 **${f(i.js_over_wasm_p95, 2)}×**; wasm/native p50 ${f(i.wasm_over_native_p50, 2)}× | | | results agree: ${i.checks_agree} |`);
    }
    p();
    // bench/profile.rs's passes, in order.
    const passes = ["verdicts of every answer under the default judge", "filter::scope, default filter", "stats::rate_table over that scope (threshold change)", "stats::rate_table under another judge name (judge switch)", "filter::scope with a question filter", "filter::select with a search for \"bank\"", "filter::select, default filter"];
    const prof = (rows) => passes.map((_, k) => summary(rows.map((x) => x[k])));
    const wp = prof(r.browser.profile_ms);
    const np = prof(r.native.interaction.profile_ms);
    p();
    p("Where a rates update's time goes (`profile_passes` in src/bench.rs): single passes over the 1M answers.");
    p();
    p("| Pass | wasm p50 (ms) | native p50 (ms) |");
    p("|---|---|---|");
    passes.forEach((name, k) => p(`| ${name} | ${f(wp[k].median)} | ${f(np[k].median)} |`));
    p();
    p("## 3. Judge");
    p();
    const judgeList = r.bundled_judges.map(({ name, folder }) => `${name} (public/${folder}, ${kb(Object.values(r.browser.judge[name])[0].model_bytes)} model)`).join("; ");
    p(`Each bundled judge found (probe_judge::BUNDLED, default first: ${judgeList}) scoring the first answers of the largest shared transcript in one call (${n0(JUDGE_ANSWERS)} for the default judge, ${n0(SLOW_JUDGE_ANSWERS)} for the others) (batches of the judge's own size, featurizing included), ${r.repeats.judge} runs after a first, uncounted one. Browser: the app's judge module (dist/judge-web, called from the main module as the app calls it: texts packed into one buffer, scores back as one array) on ONNX Runtime Web 1.30 WASM backend through ort-web, \`ort.env.wasm.numThreads\` set before the session is created; *init* includes fetching the judge module. Native: ONNX Runtime (load-dynamic) with \`intra_threads\`.`);
    p();
    p("| Judge | Threads | Browser answers/s | Native answers/s | Browser/native | Browser first run answers/s | Browser: judge module + ORT Web init / session create (ms) | Native: ORT init / session create (ms) | Checksums agree |");
    p("|---|---|---|---|---|---|---|---|---|");
    for (const [name, byThreads] of Object.entries(d.judge)) for (const [t, j] of Object.entries(byThreads)) {
      p(`| ${name} | ${t} (ORT Web numThreads ${j.browser_num_threads}) | ${n0(j.browser_answers_s.median)} (p5–p95 ${n0(j.browser_answers_s.p5)}–${n0(j.browser_answers_s.p95)}) | ${n0(j.native_answers_s.median)} (p5–p95 ${n0(j.native_answers_s.p5)}–${n0(j.native_answers_s.p95)}) | **${f(j.browser_vs_native, 2)}×** | ${n0(j.browser_first_run_answers_s)} | ${f(j.browser_runtime_init_ms)} / ${f(j.browser_model_load_ms)} | ${f(j.native_runtime_init_ms)} / ${f(j.native_model_load_ms.median)} | ${Math.abs(j.checksum_browser - j.checksum_native) <= 1e-3 * Math.max(1, Math.abs(j.checksum_native))} (Σp ${f(j.checksum_browser, 3)} vs ${f(j.checksum_native, 3)}) |`);
    }
    p();
    p("## 4. Startup");
    p();
    p("Production build (`dist/`, `scripts/build.sh`). kB = 1,000 bytes; gzip level 9, brotli quality 11.");
    p();
    p("| Files | Raw | gzip | brotli |");
    p("|---|---|---|---|");
    for (const file of r.sizes.app.files) p(`| ${file.file} | ${kb(file.raw)} | ${kb(file.gzip)} | ${kb(file.brotli)} |`);
    const t = r.sizes.app.total;
    p(`| **App startup download (wasm, JS, CSS, HTML)** | **${kb(t.raw)}** | **${kb(t.gzip)}** (target ≤ 350 kB: ${ok(t.gzip <= 350_000)}) | ${kb(t.brotli)} |`);
    for (const m of r.sizes.lazy_modules ?? []) {
      p(`| Lazily loaded: ${m.what} (${m.files.map((f) => f.file).join(", ")}) | ${kb(m.total.raw)} | ${kb(m.total.gzip)} | ${kb(m.total.brotli)} |`);
    }
    const o = r.sizes.ort_fetched_wasm_backend.total;
    p(`| ONNX Runtime Web fetched when judging (WASM backend: ${r.sizes.ort_fetched_wasm_backend.files.join(", ")}) | ${mb(o.raw)} | ${mb(o.gzip)} | ${mb(o.brotli)} |`);
    const a = r.sizes.ort_all.total;
    p(`| All of public/ort/ (WASM and WebGPU builds) | ${mb(a.raw)} | ${mb(a.gzip)} | ${mb(a.brotli)} |`);
    for (const { name, files, total: j } of r.sizes.judge_models ?? [{ name: "bundled judge", files: ["judge/model.onnx", "judge/judge.json"], total: r.sizes.judge_model.total }]) {
      p(`| Judge ${name} fetched when it is chosen (${files.join(", ")}) | ${mb(j.raw)} | ${mb(j.gzip)} | ${mb(j.brotli)} |`);
    }
    p();
    const s = d.startup;
    p(`Times on localhost, fresh browser context (cold cache) each of ${r.repeats.startup} runs, from navigation start; baseline: a blank page from the same kind of server.`);
    p();
    p("| Measure | ms |");
    p("|---|---|");
    p(`| App: first render (\`[data-testid=sources]\` in the DOM) | ${spread(s.app_first_render_ms)} |`);
    p(`| App: first rates view of the demo (\`[data-testid=rate-matrix]\`) | ${spread(s.app_rates_view_ms)} |`);
    p(`| App: DOMContentLoaded | ${spread(s.app_dom_content_loaded_ms)} |`);
    p(`| Baseline: blank page DOMContentLoaded | ${spread(s.blank_dom_content_loaded_ms)} |`);
    p(`| Bytes transferred until the rates view | ${n0(s.transferred_bytes.median)} |`);
    p();
    p("## 5. Memory");
    p();
    p("Fresh page per input, as the app holds a file: fetched, parsed into wasm, the bytes released; measured after garbage collection, less the empty page. *JS heap* (CDP `Runtime.getHeapUsage`) + *wasm memory* (`WebAssembly.Memory` size, which never shrinks, so it keeps the parse's high-water mark: the input copied into wasm plus the dataset under construction). *Rust heap*: bytes allocated (a counting allocator in the bench build), live after the parse and at its peak. Baseline: JS heap growth for PapaParse's row objects of the same file.");
    p();
    p("| Input | Answers | Input size | JS heap + wasm memory (target ≤ 1.3×) | wasm memory | Rust heap, live (the dataset) | Rust heap, peak during parse | JS rows (PapaParse) |");
    p("|---|---|---|---|---|---|---|---|");
    for (const [key, mem] of Object.entries(r.browser.memory)) {
      const x = d.memory[key];
      p(`| ${r.inputs[key].label} | ${n0(mem.answers)} | ${mb(mem.input_bytes)} | ${mb(mem.tab_bytes)} (**${f(x.tab_x, 2)}×**) ${ok(x.tab_x <= 1.3)} | ${mb(mem.wasm_memory_bytes)} (${f(x.wasm_memory_x, 2)}×) | ${mb(mem.rust_dataset_bytes)} (${f(x.rust_dataset_x, 2)}×) | ${mb(mem.rust_peak_during_parse_bytes)} (${f(x.rust_peak_during_parse_x, 2)}×) | ${mb(mem.js_rows_bytes)} (${f(x.js_rows_x, 2)}×) |`);
    }
    p();
  }
  if (d.duckdb) duckdbSection(r, p, f, mb);
  if (d.cli) cliSection(r, p, f, mb);
  return lines.join("\n") + "\n";
}

function duckdbSection(r, p, f, mb) {
  const k = r.derived.duckdb;
  const dk = r.duckdb;
  const spread = (s, digits = 1) => `${f(s.median, digits)} (p5–p95 ${f(s.p5, digits)}–${f(s.p95, digits)}, IQR ${f(s.q1, digits)}–${f(s.q3, digits)})`;
  const ours = r.derived.load?.[k.input];
  const thr = r.derived.interaction?.threshold;
  p("## 6. Baseline: DuckDB-WASM in the same browser");
  p();
  p(`DuckDB-WASM ${k.version} (npm @duckdb/duckdb-wasm, bench/package.json), single-threaded "eh" bundle, in a standalone page (bench/duckdb.html) of the same headless Chromium, files served by the bench's own server (requests elsewhere are refused: ${dk.external_requests.length} were made). Input: ${r.inputs[k.input].label} (${mb(k.bytes)}, ${k.rows.toLocaleString("en-US")} rows; the same file as *Load* and *Interaction*). **Load** = from the bytes in the page to the table being queryable: \`registerFileBuffer\` (hands a copy to DuckDB's worker) + \`CREATE TABLE t AS SELECT * FROM read_csv(..., ${dk.read_options})\` (types auto-detected; \`parallel = false\` because DuckDB's parallel reader refuses the 1M file's quoted multi-line answers and says to), ${dk.loads.length} runs. **Threshold change** = one prepared \`SELECT question_id, count(*) FILTER (WHERE aligned IS NOT NULL AND coherent IS NOT NULL), count(*) FILTER (WHERE aligned < ? AND coherent > ?), count(*) FROM t GROUP BY question_id\` per change, thresholds cycled as in bench/scenarios.json, ${dk.threshold.ms.length} changes after one uncounted, result read back into JS numbers; beside our \`rates\` (scope + rate_table), its counterpart.`);
  p();
  p("| Measure | DuckDB-WASM | Ours, wasm (same run) | JS baseline (same run) | DuckDB/wasm |");
  p("|---|---|---|---|---|");
  p(`| CSV load (ms) | ${spread(k.load.ms, 0)} | ${ours ? spread(ours.wasm.ms, 0) : "not in this run"} | ${ours ? `PapaParse ${f(ours.papaparse.ms.median, 0)}` : "–"} | ${k.duckdb_over_wasm_load != null ? f(k.duckdb_over_wasm_load, 2) + "×" : "–"} |`);
  p(`| CSV load (MB/s) | ${f(k.load.mb_s.median)} | ${ours ? f(ours.wasm.mb_s.median) : "–"} | ${ours ? `PapaParse ${f(ours.papaparse.mb_s.median)}` : "–"} | |`);
  p(`| First load of the page (also grows DuckDB's wasm memory; included in the median above) (ms) | ${f(k.load.first_ms, 0)} | ${ours ? f(r.browser.load[k.input].wasm[0].ms, 0) : "–"} | | |`);
  p(`| of which registerFileBuffer / CREATE TABLE (ms) | ${f(k.load.register_ms.median, 0)} / ${f(k.load.create_ms.median, 0)} | | | |`);
  const t1m = thr && k.input === "1m";
  p(`| Threshold change, per-question counts p50 / p95 (ms) | **${f(k.threshold_ms.median)} / ${f(k.threshold_ms.p95)}** | ${t1m ? `rates ${f(thr.wasm.rates.median)} / ${f(thr.wasm.rates.p95)}` : "not in this run"} | ${t1m ? `rates ${f(thr.js.rates.median)} / ${f(thr.js.rates.p95)}` : "–"} | ${k.duckdb_over_wasm_rates_p50 != null ? `p50 ${f(k.duckdb_over_wasm_rates_p50, 2)}×, p95 ${f(k.duckdb_over_wasm_rates_p95, 2)}×` : "–"} |`);
  p(`| Memory after the load (DuckDB's own accounting: \`duckdb_memory()\`, \`pragma_database_size\`; the worker's wasm memory is not visible from the page) | ${k.memory.duckdb_memory_bytes != null ? mb(k.memory.duckdb_memory_bytes) + ` (${f(k.memory.duckdb_memory_bytes / k.bytes, 2)}× input)` : "–"}, database memory_usage ${k.memory.database_memory_usage ?? "–"} | ${r.derived.memory?.[k.input] ? `Rust heap, live ${f(r.derived.memory[k.input].rust_dataset_x, 2)}× input` : "–"} | | |`);
  p();
  p(`Row counts agree with ours: ${k.rows_agree ?? "not compared (ours not in this run)"}; per-change counts (answers, judged, misaligned, questions) agree with rate_table's: ${k.checks_agree ?? "not compared (ours not in this run)"}. DuckDB-WASM start-up (worker + instantiate + connect, not counted above): ${f(dk.init_ms, 0)} ms.`);
  p();
}

function cliSection(r, p, f, mb) {
  const c = r.derived.cli;
  const raw = r.cli;
  const m = c.median;
  p("## 7. Baseline: the CLI against polars and pandas");
  p();
  p(`\`target/release-native/probe-explorer stats --json FILE\` against polars ${c.versions.polars} and pandas ${c.versions.pandas} (bench/requirements.txt, bench/.venv) on ${r.inputs.cli?.file ?? raw.file} (${mb(c.file_bytes)}, ${c.rows.toLocaleString("en-US")} rows, ${c.questions} questions with judged answers; bench/gen-cli.mjs: real shared records with the metadata columns of the shared files' most common schema). bench/baselines.py runs each as a fresh process, ${raw.repeats} times, alternating; wall time and peak RSS (\`ru_maxrss\` from \`wait4\`) per process; medians. polars/pandas: \`read_csv(path)\` then \`group_by("question_id")\` counting judged (aligned and coherent non-null) and misaligned (aligned < ${raw.thresholds[0]}, coherent > ${raw.thresholds[1]}) answers; *work* = read_csv + group_by timed inside the process, *process* = the whole process (interpreter start and import included, as probe-explorer's wall time includes its start). Per-question counts of all three agree: ${c.counts_agree}.`);
  p();
  p("| Engine | Wall, process (s) | Work: read_csv + group_by (s) | read_csv (s) | import (s) | Peak RSS | Peak RSS / file |");
  p("|---|---|---|---|---|---|---|");
  p(`| probe-explorer stats --json | **${f(m.probe.wall_s, 2)}** | – | – | – | ${mb(m.probe.peak_rss_bytes)} | **${f(c.probe_rss_over_file, 2)}×** |`);
  for (const e of ["polars", "pandas"]) {
    if (!m[e]) continue;
    p(`| ${e} ${c.versions[e]} | ${f(m[e].wall_s, 2)} | ${f(m[e].work_s, 2)} | ${f(m[e].read_s, 2)} | ${f(m[e].import_s, 2)} | ${mb(m[e].peak_rss_bytes)} | ${f(c[`${e}_rss_over_file`], 2)}× |`);
  }
  p();
  p(`Ratios: probe wall / polars work **${f(c.probe_over_polars_work, 2)}×** (goal ≤ 0.5×), / polars process ${f(c.probe_over_polars_process, 2)}×; probe wall / pandas work ${f(c.probe_over_pandas_work, 2)}×, / pandas process ${f(c.probe_over_pandas_process, 2)}×; probe peak RSS / file size **${f(c.probe_rss_over_file, 2)}×** (goal ≤ 0.25×). polars uses all ${r.machine.cores} cores; probe-explorer and pandas one. probe-explorer reads the whole file into memory before parsing (\`std::fs::read\`), so its peak RSS cannot go below 1× the file without streaming. pandas' C parser keeps one Python object per distinct string, and the generated rows reuse the shared files' ~49k real answers (and 1,309 judge_* dicts), so its memory here is lower than on a file of all-distinct answers.`);
  p();
}
