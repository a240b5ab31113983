// The in-page half of the DuckDB-WASM baseline (bench/duckdb.html, driven by
// bench/duckdb-driver.mjs through `window.duck`). Standalone: it needs neither the app nor its
// bench build, only @duckdb/duckdb-wasm from bench/node_modules, served by the bench's own
// static server (no CDN, no network).
//
// Bundle: "eh" (wasm exceptions, single-threaded), pinned rather than picked by selectBundle, so
// the baseline is the same on every browser and matches our single-threaded wasm core; it runs
// with or without COOP/COEP.
//
// - load: from the CSV's bytes already in the page to table `t` being queryable:
//   registerFileBuffer (hands the bytes to DuckDB's worker) + CREATE TABLE t AS read_csv(...);
// - threshold: one prepared per-question count of judged and misaligned answers per change,
//   thresholds cycled as in bench/scenarios.json, result read back into JS numbers.
import * as duckdb from "@duckdb/duckdb-wasm";

const DIST = new URL("/bench/node_modules/@duckdb/duckdb-wasm/dist/", location.href).href;
const BUNDLE = { mainModule: `${DIST}duckdb-eh.wasm`, mainWorker: `${DIST}duckdb-browser-eh.worker.js` };
const FILE = "answers.csv";
// parallel = false: on the 1M-answer file (quoted answers with newlines) DuckDB 1.4's default
// reader stops with "The Parallel CSV Reader currently does not support a full read on this file
// ... please run with ... parallel = false"; that is what a user does next. (The eh bundle is
// single-threaded anyway.) Types are auto-detected: aligned/coherent come out DOUBLE, blanks NULL.
export const READ_OPTIONS = "header = true, parallel = false";
const QUERY = `SELECT question_id,
    count(*) FILTER (WHERE aligned IS NOT NULL AND coherent IS NOT NULL) AS judged,
    count(*) FILTER (WHERE aligned < ? AND coherent > ?) AS misaligned,
    count(*) AS answers
  FROM t GROUP BY question_id`;

let db = null;
let conn = null;
let bytes = null;

const num = (v) => (typeof v === "bigint" ? Number(v) : v);

async function memory() {
  // DuckDB's own accounting (buffer manager), and the worker's wasm memory is not visible from
  // the page; database_size's memory_usage is what DuckDB holds for the table.
  const out = {};
  try {
    const t = await conn.query("SELECT sum(memory_usage_bytes)::BIGINT AS bytes FROM duckdb_memory()");
    out.duckdb_memory_bytes = num(t.getChild("bytes").get(0));
  } catch (e) {
    out.duckdb_memory_error = String(e);
  }
  try {
    const t = await conn.query("SELECT memory_usage FROM pragma_database_size()");
    out.database_memory_usage = String(t.getChild("memory_usage").get(0));
  } catch (e) {
    out.database_size_error = String(e);
  }
  return out;
}

window.duck = {
  ready: null,

  async init() {
    const started = performance.now();
    const worker = new Worker(BUNDLE.mainWorker);
    db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
    await db.instantiate(BUNDLE.mainModule);
    conn = await db.connect();
    const initMs = performance.now() - started;
    const version = await db.getVersion();
    return { init_ms: initMs, version, bundle: "eh", read_options: READ_OPTIONS, crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency };
  },

  async fetchFile(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    bytes = new Uint8Array(await response.arrayBuffer());
    return bytes.length;
  },

  /** One load: ms from bytes in the page to `t` queryable (register + CREATE TABLE), and its parts. */
  async load() {
    await conn.query("DROP TABLE IF EXISTS t");
    await db.dropFile(FILE).catch(() => {});
    // registerFileBuffer transfers its buffer to the worker: give it a copy, outside the timing.
    const copy = bytes.slice();
    const started = performance.now();
    await db.registerFileBuffer(FILE, copy);
    const registered = performance.now();
    await conn.query(`CREATE TABLE t AS SELECT * FROM read_csv('${FILE}', ${READ_OPTIONS})`);
    const ms = performance.now() - started;
    const count = await conn.query("SELECT count(*) AS n FROM t");
    return { ms, register_ms: registered - started, create_ms: ms - (registered - started), rows: num(count.getChild("n").get(0)) };
  },

  /** After the last load: release the CSV buffer inside DuckDB, then what DuckDB holds for `t`. */
  async afterLoad() {
    await db.dropFile(FILE).catch(() => {});
    bytes = null;
    return memory();
  },

  /**
   * Threshold changes: one uncounted pass, then `iterations` passes, thresholds cycled as in
   * bench/scenarios.json. Per pass: ms (query + reading the per-question rows into JS numbers)
   * and a check [answers, judged, misaligned, questions], comparable with the wasm core's
   * rate_table counts.
   */
  async threshold(scenarios) {
    const stmt = await conn.prepare(QUERY);
    const out = { ms: [], checks: [] };
    try {
      for (let i = 0; i <= scenarios.iterations; i++) {
        const [a, c] = scenarios.thresholds[i % scenarios.thresholds.length];
        const started = performance.now();
        const table = await stmt.query(a, c);
        const judged = table.getChild("judged").toArray();
        const misaligned = table.getChild("misaligned").toArray();
        const answers = table.getChild("answers").toArray();
        const rows = [];
        let sums = [0, 0, 0];
        for (let k = 0; k < table.numRows; k++) {
          const row = [num(answers[k]), num(judged[k]), num(misaligned[k])];
          rows.push(row);
          sums = sums.map((s, j) => s + row[j]);
        }
        const ms = performance.now() - started;
        if (i > 0) {
          out.ms.push(ms);
          out.checks.push([...sums, rows.length]);
        }
      }
    } finally {
      await stmt.close();
    }
    return out;
  },
};
try {
  window.duck.ready = await window.duck.init();
} catch (e) {
  window.__duckError = String(e?.stack ?? e);
}
