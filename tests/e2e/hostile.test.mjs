// Hostile input: transcripts and links full of markup, script and tricks (tests/e2e/payloads/)
// are shown as inert text in every view. Nothing runs: no dialog, no global set, no request
// beyond the app's own files and the requested data, no CSP violation, no panic.
// The first tests prove the detectors work, so a removed protection makes this file fail.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { CLEAN, openGuarded, startGuardedApp } from "./guard.mjs";
import { COLUMN_PAYLOADS, PAYLOADS } from "./payloads/payloads.mjs";
import {
  CSV_RUN, FILE_NAMES, JSONL_RUN, MAPPING_ANSWER_COLUMN, hostileCsv, hostileJsonl, mappingCsv, plainCsv,
} from "./payloads/files.mjs";

const TEXTS = PAYLOADS.map((p) => p.text);
const file = (name, text, mimeType = "text/csv") => ({ name, mimeType, buffer: Buffer.from(text, "utf8") });
const HOSTILE_FILES = [
  file(FILE_NAMES.csv, hostileCsv()),
  file(FILE_NAMES.jsonl, hostileJsonl(), "application/x-ndjson"),
  file(FILE_NAMES.plain, plainCsv()),
];

let app;
before(async () => { app = await startGuardedApp(); });
after(async () => { await app?.close(); });

/** Fails with everything an attack left behind. */
async function assertClean(p, where) {
  const traces = await p.page.evaluate(() => 0).then(() => p.guard.traces(p.dialogs));
  assert.deepEqual(traces, CLEAN, `${where}: the page shows traces of an attack`);
}

/** Every answer row of the list, scrolled through: key "run:index" → answer cell text. */
async function allAnswerRows(p) {
  const rows = new Map();
  const total = await p.answerCount();
  for (let top = 0; ; top += 256) {
    await p.page.$eval("[data-testid=answer-viewport]", (el, top) => { el.scrollTop = top; el.dispatchEvent(new Event("scroll")); }, top);
    await p.page.waitForTimeout(30);
    const seen = await p.page.$$eval("[data-testid=answer-row]", (els) =>
      els.map((el) => [`${el.dataset.run}:${el.dataset.index}`, el.querySelector(".c-answer").textContent]));
    for (const [key, text] of seen) rows.set(key, text);
    if (rows.size >= total || top > total * 32 + 600) break;
  }
  return rows;
}

async function loadHostileFiles(p) {
  await p.waitForRuns(2); // the demo
  await p.page.setInputFiles("[data-testid=file-input]", HOSTILE_FILES);
  await p.waitForRuns(HOSTILE_FILES.length);
}

describe("the detectors", () => {
  test("catch a dialog, a global, DOM clobbering, a foreign request and new markup", async () => {
    const p = await openGuarded(app);
    await assertClean(p, "a fresh page");
    await p.page.evaluate(() => {
      alert("detector test");
      window.__pwned = 1;
      const a = document.createElement("a");
      a.id = "__pwned";
      document.body.append(a);
      const img = document.createElement("img");
      img.src = "/pwned/detector.png";
      document.body.append(img);
      const div = document.createElement("div");
      div.setAttribute("onclick", "void 0");
      document.body.append(div);
    });
    await p.page.waitForTimeout(200);
    const traces = await p.guard.traces(p.dialogs);
    assert.deepEqual(traces.dialogs, ["detector test"]);
    assert.ok(traces.globals.some((g) => g.startsWith("__pwned=")), JSON.stringify(traces.globals));
    assert.equal(traces.clobbered, true);
    assert.ok(traces.foreignRequests.some((u) => u.endsWith("/pwned/detector.png")), JSON.stringify(traces.foreignRequests));
    assert.ok(traces.newMarkup.includes("img") && traces.newMarkup.includes("on* attributes"), JSON.stringify(traces.newMarkup));
    await assert.rejects(assertClean(p, "after a deliberate attack"));
    await p.close();
  });

  test("the page's CSP is in effect: injected inline script, handlers and foreign images are blocked and reported", async () => {
    const p = await openGuarded(app);
    const csp = await p.page.$eval("meta[http-equiv=Content-Security-Policy]", (m) => m.content);
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'|'unsafe-hashes'/);
    await p.page.evaluate(() => {
      const s = document.createElement("script");
      s.textContent = "window.__cspProbe = 'inline script ran'";
      document.body.append(s);
      const holder = document.createElement("div");
      holder.innerHTML = `<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" onerror="window.__cspProbe='handler ran'" onload="window.__cspProbe='handler ran'">`;
      document.body.append(holder);
      const img = document.createElement("img");
      img.src = "http://127.0.0.1:9/csp-probe.png"; // another origin (the discard port): img-src 'self' forbids it
      document.body.append(img);
    });
    await p.page.waitForFunction(() => window.__cspViolations.length >= 3);
    const result = await p.page.evaluate(() => ({ probe: window.__cspProbe ?? null, violations: window.__cspViolations }));
    assert.equal(result.probe, null, "nothing injected ran");
    const directives = result.violations.map((v) => v.directive);
    assert.ok(directives.filter((d) => d.startsWith("script-src")).length >= 2, JSON.stringify(result.violations));
    assert.ok(directives.includes("img-src"), JSON.stringify(result.violations));
    await p.close();
  });

  test("the app's own files cause no CSP violation, from start to every view", async () => {
    const p = await openGuarded(app);
    await p.waitForRuns(2);
    for (const tab of ["rates", "scatter", "answers", "rates"]) {
      await p.tab(tab);
      await p.page.waitForSelector(`[data-testid=${tab}-view]`);
    }
    await assertClean(p, "the demo in every view");
    await p.close();
  });
});

describe("payloads in transcript files stay text", () => {
  test(`${PAYLOADS.length} payloads in answers, questions, ids, column names, metadata, run and file names: rates, chart and scatter`, async () => {
    const p = await openGuarded(app);
    await loadHostileFiles(p);
    await assertClean(p, "after loading");

    // Run list: run names and file names, as text.
    const runs = await p.page.$$eval("[data-testid=run]", (els) =>
      els.map((el) => ({ name: el.querySelector("[data-testid=run-name]").value, source: el.querySelector(".run-source").textContent })));
    assert.deepEqual(runs.map((r) => r.name), [CSV_RUN, JSONL_RUN, FILE_NAMES.plain.replace(/\.csv$/, "")]);
    assert.deepEqual(runs.map((r) => r.source), HOSTILE_FILES.map((f) => f.name));

    // Rates: one column per payload question id, shown literally.
    const headers = await p.page.$$eval("[data-testid=rate-matrix] thead th", (els) => els.map((e) => e.textContent));
    for (const text of TEXTS) assert.ok(headers.includes(text), `question id shown as text: ${JSON.stringify(text)}`);
    const rowHeads = await p.page.$$eval("[data-testid=rate-matrix] tbody th", (els) => els.map((e) => e.textContent));
    assert.ok(rowHeads[0].startsWith(CSV_RUN) && rowHeads[1].startsWith(JSONL_RUN), JSON.stringify(rowHeads));
    const cells = await p.rateCells();
    const total = cells.find((c) => c.runIndex === 0 && c.question === "*");
    assert.deepEqual([total.judged, total.misaligned], [PAYLOADS.length - 1, Math.ceil((PAYLOADS.length - 1) / 3)]);

    // Chart tooltips (<title>) and labels hold the payloads as text; hovering shows no markup.
    const titles = await p.page.$$eval("[data-testid=rates-chart] title", (els) => els.map((e) => e.textContent));
    for (const text of TEXTS.slice(0, 20)) {
      assert.ok(titles.some((t) => t.startsWith(`${CSV_RUN} · ${text}: `)), `tooltip for ${JSON.stringify(text)}`);
    }
    const bars = p.page.locator("[data-testid=rates-chart] g.bar");
    // Tooltips are native <title>s; pointer events over the bars and a sweep across the chart run nothing.
    for (let i = 0; i < 12; i += 1) {
      for (const type of ["pointerover", "mouseover", "mousemove", "click"]) await bars.nth(i).locator("rect").dispatchEvent(type);
    }
    const chart = await p.page.locator("[data-testid=rates-chart] svg").boundingBox();
    for (let x = 0; x < Math.min(chart.width, 1200); x += 40) await p.page.mouse.move(chart.x + x, chart.y + chart.height / 2);
    await assertClean(p, "rates and chart");

    // The exported chart is an SVG file with no script, no handler, no foreign content.
    const [download] = await Promise.all([p.page.waitForEvent("download"), p.page.click("[data-testid=export-svg]")]);
    const svg = readFileSync(await download.path(), "utf8");
    const parsed = await p.page.evaluate((svg) => {
      const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
      const all = [...doc.querySelectorAll("*")];
      return {
        error: doc.querySelector("parsererror")?.textContent ?? null,
        tags: [...new Set(all.map((e) => e.localName))].sort(),
        handlers: all.flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => a.name)),
        titles: [...doc.querySelectorAll("title")].map((t) => t.textContent),
      };
    }, svg);
    assert.equal(parsed.error, null);
    // Drawing primitives only (the runs' fill patterns are defs > pattern > line / circle, laid as paths).
    assert.deepEqual(parsed.tags, ["circle", "defs", "g", "line", "path", "pattern", "rect", "svg", "text", "title"]);
    assert.deepEqual(parsed.handlers, []);
    assert.ok(parsed.titles.some((t) => t.includes(TEXTS[0])));

    // Scatter: points' tooltips name the runs as text; hovering and clicking run nothing.
    await p.tab("scatter");
    await p.page.waitForSelector("[data-testid=scatter-view] circle.point");
    const pointTitles = await p.page.$$eval("[data-testid=scatter-view] circle.point title", (els) => els.map((e) => e.textContent));
    assert.ok(pointTitles.some((t) => t.startsWith(`${CSV_RUN}: `)), JSON.stringify(pointTitles.slice(0, 3)));
    const point = p.page.locator("[data-testid=scatter-view] circle.point").last(); // drawn last: on top
    await point.hover();
    await point.click();
    await p.page.waitForSelector("[data-testid=answers-view]");
    await assertClean(p, "scatter");
    await p.close();
  });

  test("answer list, search highlighting, detail pane and metadata filters", async () => {
    const p = await openGuarded(app);
    await loadHostileFiles(p);
    await p.tab("answers");
    await p.page.waitForSelector("[data-testid=answers-view]");

    // Every answer is listed as its literal text.
    const rows = await allAnswerRows(p);
    assert.equal(rows.size, PAYLOADS.length * 2 + 5);
    const listed = new Set(rows.values());
    for (const text of TEXTS) assert.ok(listed.has(text), `answer shown as text: ${JSON.stringify(text)}`);

    // Search for payload pieces: matches are <mark>ed text, the count is right, nothing runs.
    for (const term of ["<script>", "onerror=", "javascript:", "{{7*7}}", "__pwned", "</title>", "&lt;", "%3C"]) {
      await p.page.fill("[data-testid=search]", term);
      const lower = term.toLowerCase();
      const expected = TEXTS.filter((t) => t.toLowerCase().includes(lower)).length * 2 +
        TEXTS.slice(0, 5).filter((t) => t.toLowerCase().includes(lower)).length;
      await p.page.waitForFunction((n) => document.querySelector("[data-testid=answer-count]").textContent === `${n} answers`, expected);
      const marks = await p.page.$$eval("[data-testid=answer-row] mark", (m) => m.map((x) => x.textContent.toLowerCase()));
      assert.ok(marks.length > 0 && marks.every((m) => m === lower), `${term}: ${JSON.stringify(marks.slice(0, 5))}`);
      await assertClean(p, `search ${term}`);
    }
    await p.page.fill("[data-testid=search]", "\u202E");
    await p.page.waitForFunction(() => document.querySelectorAll("[data-testid=answer-row] mark").length > 0);

    // Detail pane: step through the CSV run's answers; question, answer and metadata are text.
    await p.page.fill("[data-testid=search]", "");
    await p.page.selectOption("[data-testid=filter-run]", "0");
    await p.page.waitForFunction((n) => document.querySelector("[data-testid=answer-count]").textContent === `${n} answers`, PAYLOADS.length);
    await p.page.evaluate(() => document.activeElement?.blur());
    const seen = new Set();
    for (let i = 0; i < PAYLOADS.length; i += 1) {
      await p.page.keyboard.press("j");
      await p.page.waitForSelector("[data-testid=answer-detail]");
      const detail = await p.page.$eval("[data-testid=answer-detail]", (el) => ({
        answer: el.querySelector("[data-testid=detail-answer]").textContent,
        question: el.querySelector("[data-testid=detail-question]").textContent,
        id: el.querySelector("h3 code").textContent,
        meta: Object.fromEntries([...el.querySelectorAll("dl.scores dt")].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent])),
      }));
      assert.equal(detail.question, detail.answer);
      assert.equal(detail.id, detail.answer);
      assert.equal(detail.meta.note, detail.answer);
      assert.equal(detail.meta.group, CSV_RUN);
      for (const column of COLUMN_PAYLOADS) assert.ok(column in detail.meta, `metadata column ${JSON.stringify(column)}`);
      seen.add(detail.answer);
    }
    assert.equal(seen.size, PAYLOADS.length, "every answer opened once");
    await assertClean(p, "detail pane");

    // A metadata filter whose column name and values are payloads.
    await p.page.keyboard.press("Escape");
    const column = COLUMN_PAYLOADS[0];
    const select = p.page.locator(`select[data-testid="filter-meta-${column.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"]`);
    const options = await select.locator("option").allTextContents();
    for (const text of TEXTS) assert.ok(options.includes(text), `option ${JSON.stringify(text)}`);
    await select.selectOption(TEXTS[0]);
    await p.page.waitForFunction(() => document.querySelector("[data-testid=answer-count]").textContent === "1 answers");
    const label = await p.page.$$eval("[data-testid=filters] label", (ls) => ls.map((l) => l.firstChild?.textContent ?? ""));
    assert.ok(label.some((l) => l === column), "column name shown as a label");
    await assertClean(p, "metadata filter");
    await p.close();
  });

  test("exports (CSV, JSONL) carry the payloads as data and load back as text", async () => {
    const p = await openGuarded(app);
    await loadHostileFiles(p);
    const before = (await p.rateCells()).filter((c) => c.question === "*");
    await p.tab("answers");
    await p.page.waitForSelector("[data-testid=answers-view]");
    const save = async (testid) => {
      const [download] = await Promise.all([p.page.waitForEvent("download"), p.page.click(`[data-testid=${testid}]`)]);
      return download.path();
    };
    const csvPath = await save("export-csv");
    const jsonlPath = await save("export-jsonl");
    const lines = readFileSync(jsonlPath, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, PAYLOADS.length * 2 + 5);
    const exported = new Set(lines.map((l) => l.answer));
    for (const text of TEXTS) assert.ok(exported.has(text), `exported ${JSON.stringify(text)}`);
    const csvText = readFileSync(csvPath, "utf8");
    assert.ok(csvText.includes(TEXTS[0]), "the CSV holds the payload verbatim");
    // Spreadsheet formulas are defused in the CSV export with a leading ' (JSONL keeps them as written).
    for (const p of PAYLOADS.filter((p) => p.category === "formula")) {
      assert.ok(csvText.includes(`"'${p.text.replaceAll('"', '""')}"`), `formula defused: ${p.text}`);
    }
    await assertClean(p, "exports");

    await p.tab("rates");
    await p.loadFiles([csvPath, jsonlPath]);
    const after = (await p.rateCells()).filter((c) => c.question === "*");
    const sum = (cells, key) => cells.reduce((s, c) => s + c[key], 0);
    for (const reloaded of [after[3], after[4]]) {
      assert.deepEqual([reloaded.judged, reloaded.misaligned], [sum(before, "judged"), sum(before, "misaligned")]);
    }
    await p.tab("answers");
    await p.page.selectOption("[data-testid=filter-run]", "3");
    await p.page.waitForFunction((n) => document.querySelector("[data-testid=answer-count]").textContent === `${n} answers`, PAYLOADS.length * 2 + 5);
    const rows = await allAnswerRows(p);
    const listed = new Set(rows.values());
    for (const { category, text } of PAYLOADS) {
      const shown = category === "formula" ? `'${text}` : text;
      assert.ok(listed.has(shown), `re-loaded answer shown as text: ${JSON.stringify(shown)}`);
    }
    await assertClean(p, "exports loaded back");
    await p.close();
  });

  test("the column-mapping step lists payload column names as text and loads with them", async () => {
    const p = await openGuarded(app);
    await p.waitForRuns(2);
    await p.page.setInputFiles("[data-testid=file-input]", [file(FILE_NAMES.mapping, mappingCsv())]);
    await p.page.waitForSelector("[data-testid=mapping]");
    assert.equal(await p.page.textContent("[data-testid=mapping] code"), FILE_NAMES.mapping);
    const options = await p.page.$$eval("[data-testid=map-answer] option", (os) => os.map((o) => o.textContent));
    assert.deepEqual(options, ["(none)", MAPPING_ANSWER_COLUMN, ...COLUMN_PAYLOADS.slice(0, 6), "score"]);
    await assertClean(p, "mapping step");
    await p.page.selectOption("[data-testid=map-answer]", MAPPING_ANSWER_COLUMN);
    await p.page.selectOption("[data-testid=map-question-id]", COLUMN_PAYLOADS[0]);
    await p.page.click("[data-testid=map-apply]");
    await p.waitForRuns(1);
    await p.tab("answers");
    const rows = await allAnswerRows(p);
    assert.deepEqual([...rows.values()].sort(), TEXTS.slice(0, 8).sort());
    await assertClean(p, "after mapping");
    await p.close();
  });
});

describe("payloads in the address stay text", () => {
  const payloadFile = `/hostile/${encodeURIComponent(`<img src=x onerror=window.__pwned=301>{{7*7}}`)}.csv`;
  const routes = {
    "**/hostile/**": (route) => route.fulfill({ status: 200, contentType: "text/csv", body: hostileCsv() }),
  };
  const enc = encodeURIComponent;

  test("?data= a payload-named file, with search, q, name, meta, score, sort, open, tab and judge payloads", async () => {
    const evil = TEXTS[8]; // <img src=x onerror="window.__pwned=9">
    const query = [
      `data=${enc(payloadFile)}`, `name=0:${enc(TEXTS[0])}`, `q=${enc(evil)}`, `search=${enc(evil)}`,
      `meta.${enc(COLUMN_PAYLOADS[1])}=${enc(TEXTS[2])}`, `score.${enc(TEXTS[3])}=1..2`, `sort=extra:${enc(TEXTS[4])}`,
      `open=0:8`, `tab=answers`, `judge=${enc(TEXTS[5])}`,
    ].join("&");
    const p = await openGuarded(app, query, { data: ["/hostile/"], routes });
    await p.waitForRuns(1);
    assert.equal(await p.page.inputValue("[data-testid=run-name]"), TEXTS[0]);
    assert.equal(await p.page.inputValue("[data-testid=search]"), evil);
    assert.equal(await p.page.textContent("[data-testid=detail-answer]"), evil);
    assert.equal(await p.page.textContent("[data-testid=detail-answer] mark"), evil);
    assert.equal(await p.page.textContent(".run-source"), payloadFile);
    await assertClean(p, "payloads in the address");
    // The address written back still carries the payloads, encoded.
    const search = new URL(p.page.url()).searchParams;
    assert.equal(search.get("search"), evil);
    assert.equal(search.get("name"), `0:${TEXTS[0]}`);
    await p.close();
  });

  test("?tab= with a payload falls back to the rates view", async () => {
    const p = await openGuarded(app, `data=${enc(payloadFile)}&tab=${enc(TEXTS[0])}`, { data: ["/hostile/"], routes });
    await p.waitForRuns(1);
    await p.page.waitForSelector("[data-testid=rates-view]");
    await assertClean(p, "tab payload");
    await p.close();
  });

  test("javascript:, data: and other non-http addresses in ?data= are refused with a message", async () => {
    const bad = ["javascript:window.__pwned=401", "data:text/csv,answer%0Ax", "JaVaScRiPt:alert(402)", "blob:null/x", "file:///etc/passwd"];
    const p = await openGuarded(app, bad.map((b) => `data=${enc(b)}`).join("&"));
    await p.page.waitForFunction((n) => document.querySelectorAll("[data-testid=error]").length >= n, bad.length);
    const errors = await p.errors();
    for (const b of bad) {
      assert.ok(errors.some((e) => e.startsWith(`${b}: only http and https addresses can be loaded`)), `${b}: ${JSON.stringify(errors)}`);
    }
    assert.equal(await p.page.locator("[data-testid=run]").count(), 0);
    await assertClean(p, "non-http addresses");
    await p.close();
  });
});
