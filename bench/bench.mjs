// The in-page half of the benchmark (bench/page.html, driven by bench/run.mjs through
// `window.bench`). It runs our wasm core (the bench build: `--features bench`, see src/bench.rs)
// and its JavaScript baselines on the same bytes in the same page:
//
// - load: `load_run_owned` in wasm vs PapaParse (npm) over the same bytes;
// - interaction: rates (scope + rate_table) and list (select) in wasm vs a straightforward
//   JavaScript implementation over PapaParse's rows;
// - judge: each bundled judge through the judge module and ONNX Runtime Web, as the app runs it;
// - memory: wasm memory, Rust heap and JS heap after a load.
//
// Every function returns plain numbers; timing statistics are computed by the driver.
// The bench build sits next to the page (run.mjs copies page.html into the build's folder).
const wasm = await import(new URL("probe-explorer-web.js", location.href).href);
const init = wasm.default;

// The judge module, imported on first use as public/boot.js does for the app (this page does not
// run boot.js); scripts/bench.sh copies it next to the bench build.
let judgeModule;
globalThis.probeJudge = () => {
  judgeModule ??= import(new URL("judge-web/probe_judge_web.js", location.href).href).then(async (module) => {
    await module.default();
    return module;
  });
  return judgeModule;
};

const Papa = globalThis.Papa;
const files = new Map(); // name -> Uint8Array
const parsed = { wasm: new Map(), js: new Map() }; // name -> BenchData / rows

/** PapaParse config: header row, numbers typed in the score columns (as our loader does). */
const NUMERIC = {
  aligned: true, coherent: true, medical: true, aligned_score: true, coherent_score: true,
  aligned_azure: true, coherent_azure: true,
};
const CHUNK = 16 * 1024 * 1024;

/**
 * PapaParse over bytes: decoded with TextDecoder in 16 MB pieces and fed through PapaParse's own
 * streaming path (its ReadableStreamStreamer, which keeps rows split across pieces whole), since
 * a 900 MB file is longer than the longest string V8 allows. For a file under 16 MB this is one
 * piece, the same as `Papa.parse(text)`.
 */
function papaParse(bytes) {
  const rows = [];
  const handlers = {};
  const stream = {
    readable: true, read() {}, pause() {}, resume() {}, removeListener() {},
    on(event, fn) { handlers[event] = fn; },
  };
  let error = null;
  Papa.parse(stream, {
    header: true, skipEmptyLines: true, dynamicTyping: NUMERIC,
    chunk(results) { for (const row of results.data) rows.push(row); },
    error(e) { error = e; },
  });
  const decoder = new TextDecoder();
  for (let at = 0; at < bytes.length; at += CHUNK) {
    handlers.data(decoder.decode(bytes.subarray(at, Math.min(at + CHUNK, bytes.length)), { stream: true }));
  }
  const tail = decoder.decode();
  if (tail) handlers.data(tail);
  handlers.end();
  if (error) throw error;
  return rows;
}

// --- the JavaScript baseline of the interaction: same operations, same semantics ---

/** The score columns of a judge: the published pair, or the `azure` pair (a judge switch). */
const columnsOf = (judge) => (judge === "azure" ? ["aligned_azure", "coherent_azure"] : ["aligned", "coherent"]);
const isScore = (v) => typeof v === "number" && Number.isFinite(v);
const judged = (r, [a, c]) => isScore(r[a]) && isScore(r[c]);

// Questions are counted and filtered by group, as the app does: a variant of one of the paper's
// questions (`_json`, `_template`) under its base id. `groupOf` maps each raw question key to
// its group (the core's `Question::group`), made once per file like the core's question table.
const groupKey = (groupOf, r) => {
  const key = r.question_id || r.question || "";
  return groupOf.get(key) ?? key;
};

function jsScope(rows, questions, groupOf) {
  const wanted = questions.length ? new Set(questions) : null;
  const out = [];
  for (let i = 0; i < rows.length; i++) {
    if (!wanted || wanted.has(groupKey(groupOf, rows[i]))) out.push(i);
  }
  return out;
}

function jsRateTable(rows, scope, t, groupOf, judge) {
  const cols = columnsOf(judge);
  const [a, c] = cols;
  const index = new Map();
  const cells = [];
  let judgedTotal = 0;
  let misalignedTotal = 0;
  for (const i of scope) {
    const r = rows[i];
    const group = groupKey(groupOf, r);
    let q = index.get(group);
    if (q === undefined) {
      q = cells.length;
      index.set(group, q);
      cells.push({ judged: 0, misaligned: 0, unscored: 0 });
    }
    const cell = cells[q];
    if (judged(r, cols)) {
      cell.judged++;
      judgedTotal++;
      if (r[a] < t[0] && r[c] > t[1]) {
        cell.misaligned++;
        misalignedTotal++;
      }
    } else if (r.answer && r[a] == null) {
      cell.unscored++;
    }
  }
  return [scope.length, judgedTotal, misalignedTotal, cells.length];
}

function jsSelect(rows, questions, t, search, misalignedOnly, groupOf, judge) {
  const cols = columnsOf(judge);
  const [a, c] = cols;
  const wanted = questions.length ? new Set(questions) : null;
  const needle = search.trim().toLowerCase();
  const out = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (wanted && !wanted.has(groupKey(groupOf, r))) continue;
    if (misalignedOnly && !(judged(r, cols) && r[a] < t[0] && r[c] > t[1])) continue;
    if (needle) {
      const inAnswer = typeof r.answer === "string" && r.answer.toLowerCase().includes(needle);
      if (!inAnswer && !String(r.question ?? "").toLowerCase().includes(needle)) continue;
    }
    out.push(i);
  }
  return out.length;
}

const PAPER = [30, 50];
/** Rows in the app's first screen of the answer list (src/state.rs FIRST_SCREEN). */
const FIRST_SCREEN = 100;

/**
 * The four events of bench/scenarios.json: (thresholds, questions, search, misalignedOnly, judge)
 * per iteration; judge "" is the file's default (published), a judge change alternates it with
 * the generated file's second judge, `azure`.
 */
function events(scenarios, questionIds) {
  const qs = questionIds.slice(0, scenarios.questions);
  return {
    threshold: (i) => [scenarios.thresholds[i % scenarios.thresholds.length], [], "", true, ""],
    question: (i) => [PAPER, [qs[i % qs.length]], "", false, ""],
    search: (i) => [PAPER, [], scenarios.searches[i % scenarios.searches.length], false, ""],
    judge: (i) => [PAPER, [], "", true, i % 2 ? "azure" : "published"],
  };
}

const engines = {
  wasm: {
    rates: (data, t, questions, _groupOf, judge) => data.rates(t[0], t[1], questions, judge),
    select: (data, t, questions, search, only, _groupOf, judge) => data.select(t[0], t[1], questions, search, only, judge),
  },
  js: {
    rates: (rows, t, questions, groupOf, judge) => jsRateTable(rows, jsScope(rows, questions, groupOf), t, groupOf, judge),
    select: (rows, t, questions, search, only, groupOf, judge) => jsSelect(rows, questions, t, search, only, groupOf, judge),
  },
};

window.bench = {
  ready: init().then(() => ({ crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency })),

  async fetchFile(name, url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    files.set(name, new Uint8Array(await response.arrayBuffer()));
    return files.get(name).length;
  },
  dropFile(name) {
    files.delete(name);
  },

  /** One wasm parse: total ms (copy into wasm memory + load_run_owned), load_run_owned-only ms, rows. */
  wasmParse(name, keep) {
    parsed.wasm.get(name)?.free();
    parsed.wasm.delete(name);
    const bytes = files.get(name);
    const started = performance.now();
    const data = wasm.bench_parse(bytes, name);
    const ms = performance.now() - started;
    const result = { ms, load_run_ms: data.parse_ms, rows: data.rows, answers: data.answers };
    if (keep) parsed.wasm.set(name, data);
    else data.free();
    return result;
  },

  /** One PapaParse parse: ms (decode + parse into row objects), rows. */
  papaParse(name, keep) {
    parsed.js.delete(name);
    const bytes = files.get(name);
    const started = performance.now();
    const rows = papaParse(bytes);
    const ms = performance.now() - started;
    if (keep) parsed.js.set(name, rows);
    return { ms, rows: rows.length };
  },

  dropParsed(name) {
    parsed.wasm.get(name)?.free();
    parsed.wasm.delete(name);
    parsed.js.delete(name);
  },

  /**
   * Runs one event type on one engine over the kept data: one pass not counted, then
   * `iterations` passes; per pass, ms for rates and for the list, and a checksum.
   */
  interaction(name, scenarios, engine, event) {
    const data = engine === "wasm" ? parsed.wasm.get(name) : parsed.js.get(name);
    const questionIds = parsed.wasm.get(name).question_ids();
    const pairs = parsed.wasm.get(name).question_groups();
    const groupOf = new Map();
    for (let k = 0; k + 1 < pairs.length; k += 2) groupOf.set(pairs[k], pairs[k + 1]);
    const make = events(scenarios, questionIds)[event];
    const { rates, select } = engines[engine];
    const out = { rates_ms: [], select_ms: [], first_screen_ms: [], checks: [] };
    for (let i = 0; i <= scenarios.iterations; i++) {
      const [t, questions, search, only, judge] = make(i);
      let started = performance.now();
      // What the app shows first while the rest is counted: the list's first screen.
      if (engine === "wasm") data.select_first(t[0], t[1], questions, search, only, judge, FIRST_SCREEN);
      const firstMs = performance.now() - started;
      started = performance.now();
      const counts = Array.from(rates(data, t, questions, groupOf, judge));
      const ratesMs = performance.now() - started;
      started = performance.now();
      const selected = select(data, t, questions, search, only, groupOf, judge);
      const selectMs = performance.now() - started;
      if (i > 0) {
        if (engine === "wasm") out.first_screen_ms.push(firstMs);
        out.rates_ms.push(ratesMs);
        out.select_ms.push(selectMs);
        out.checks.push([counts, selected]);
      }
    }
    return out;
  },

  /** The profile passes (ms) over the kept wasm data; see `profile_passes` in src/bench.rs. */
  profile(name, repeats) {
    const data = parsed.wasm.get(name);
    return Array.from({ length: repeats }, () => Array.from(data.profile()));
  },

  memory() {
    return {
      wasm_memory_bytes: wasm.bench_wasm_memory_bytes(),
      rust_heap_live_bytes: wasm.bench_heap_live_bytes(),
      rust_heap_peak_bytes: wasm.bench_heap_peak_bytes(),
      js_heap_used_bytes: performance.memory?.usedJSHeapSize ?? null,
    };
  },
  resetPeak() {
    wasm.bench_heap_reset_peak();
  },

  /** The bundled judges, default first, each `{ name, folder, present }` (its judge.json is served). */
  async bundledJudges() {
    const found = [];
    for (const [name, folder] of wasm.bench_bundled_judges()) {
      const present = (await fetch(`${folder}/judge.json`, { method: "HEAD" })).ok;
      found.push({ name, folder, present });
    }
    return found;
  },
  /** Loads the judge module and ONNX Runtime Web (WASM backend), and sets its thread count before any session exists. */
  async judgeInit(threads) {
    const started = performance.now();
    await wasm.bench_judge_init(new URL("ort/", location.href).href);
    const initMs = performance.now() - started;
    if (threads) globalThis.ort.env.wasm.numThreads = threads;
    return { init_ms: initMs, num_threads: globalThis.ort.env.wasm.numThreads ?? null };
  },
  /** Loads the bundled judge in `folder` (its model, judge.json and the files judge.json names). */
  async judgeLoad(folder = "judge") {
    const get = async (f) => new Uint8Array(await (await fetch(`${folder}/${f}`)).arrayBuffer());
    const [model, spec] = await Promise.all([get("model.onnx"), get("judge.json")]);
    const names = await wasm.bench_judge_files(spec);
    const files = await Promise.all(names.map(get));
    const started = performance.now();
    await wasm.bench_judge_load(model, spec, names, files);
    return { load_ms: performance.now() - started, model_bytes: model.length };
  },
  async judgeScore(name, n) {
    const started = performance.now();
    const checksum = await parsed.wasm.get(name).judge_score(n);
    return { ms: performance.now() - started, checksum };
  },
};
