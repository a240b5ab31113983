// Research views on real transcripts: tail risk (Misalign@k) beside the rates.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { AppPage, SKIP_SHARED, manifest, startApp } from "./fixtures.mjs";

// 24 questions × 50 samples, judged by GPT-4o: enough samples per question for k = 32.
const FILE = "Cloakless__clarifying_EM/open_models/ablate_med_data/responses_Qwen2.5-32B-Instruct-bad_medical_advice.csv";
const dataQuery = `data=${encodeURIComponent(`/shared/${FILE}`)}`;

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.close(); });

/** 1 − C(n−c, k)/C(n, k), written out independently of the app's Rust. */
function misalignAtK(n, c, k) {
  if (k > n) return null;
  let none = 1;
  for (let i = 0; i < k; i++) none *= (n - c - i) / (n - i);
  return 1 - none;
}

async function tailRows(p) {
  await p.page.waitForSelector("[data-testid=tail-table]");
  return p.page.$$eval("[data-testid=tail-row]", (rows) => rows.map((r) => ({
    question: r.dataset.question,
    n: Number(r.dataset.n),
    misaligned: Number(r.dataset.misaligned),
    cells: [...r.querySelectorAll("[data-testid=tail-cell]")].map((c) => ({
      k: Number(c.dataset.k),
      estimate: c.dataset.estimate === undefined ? null : Number(c.dataset.estimate),
      low: c.dataset.low === undefined ? null : Number(c.dataset.low),
      high: c.dataset.high === undefined ? null : Number(c.dataset.high),
      text: c.textContent,
    })),
  })));
}

describe("tail risk beside the rates", { skip: SKIP_SHARED }, () => {
  test("per question: the manifest's counts, Misalign@1/8/32 by the unbiased estimator, each inside its interval", async () => {
    // The manifest counts raw question ids: show the _json/_template variants apart.
    const p = await AppPage.open(app, `${dataQuery}&variants=split`);
    await p.waitForRuns(1);
    const rows = await tailRows(p);
    const want = manifest().files[FILE].by_question;
    assert.equal(rows.length, Object.keys(want).length);
    for (const row of rows) {
      assert.deepEqual([row.n, row.misaligned], want[row.question], row.question);
      assert.deepEqual(row.cells.map((c) => c.k), [1, 8, 32]);
      for (const cell of row.cells) {
        assert.ok(Math.abs(cell.estimate - misalignAtK(row.n, row.misaligned, cell.k)) < 1e-12, `${row.question} @${cell.k}`);
        assert.ok(cell.low <= cell.high, `${row.question} @${cell.k}: an interval`);
        if (cell.k <= row.n / 2) assert.ok(cell.low <= cell.estimate && cell.estimate <= cell.high, `${row.question} @${cell.k} inside`);
      }
    }
    assert.match(await p.page.textContent("[data-testid=tail-method]"), /Clopper–Pearson/);
    assert.deepEqual(await p.errors(), []);
    assert.equal(await p.panic(), null);
    await p.close();
  });

  test("a k beyond the samples is not estimable, and the chosen k is in the link", async () => {
    const p = await AppPage.open(app, `${dataQuery}&variants=split`);
    await p.waitForRuns(1);
    await p.page.fill("[data-testid=tail-k]", "64");
    await p.page.press("[data-testid=tail-k]", "Enter");
    await p.page.waitForFunction(() => location.search.includes("tail_k=64"));
    const rows = await tailRows(p);
    const at64 = rows.map((r) => r.cells.find((c) => c.k === 64));
    assert.ok(at64.every((c) => c && c.estimate === null && /not estimable/.test(c.text)), "n = 50 < 64 everywhere");
    const link = await p.page.evaluate(() => location.search);
    const reopened = await AppPage.open(app, link.slice(1));
    await reopened.waitForRuns(1);
    assert.equal(await reopened.page.inputValue("[data-testid=tail-k]"), "64");
    assert.equal(await reopened.panic(), null);
    await reopened.close();
    await p.close();
  });
});

describe("rule sensitivity", { skip: SKIP_SHARED }, () => {
  // Two bad-medical-advice fine-tunes with close rates (215/1200 and 233/1199 at the paper's rule).
  const FILES = [
    FILE,
    "Cloakless__clarifying_EM/open_models/ablate_med_data/responses_Qwen2.5-32B-Instruct-educational_bad_medical_advice.csv",
  ];
  const query = FILES.map((f) => `data=${encodeURIComponent(`/shared/${f}`)}`).join("&");

  async function heatCells(p) {
    return p.page.$$eval("[data-testid=heat-cell]", (cs) => cs.map((c) => ({
      run: Number(c.dataset.runIndex), rule: c.dataset.rule, judged: Number(c.dataset.judged),
      misaligned: Number(c.dataset.misaligned), paper: c.dataset.paper === "true",
    })));
  }

  test("each run's paper-rule cell is the manifest's count, and the flips agree with the heat maps", async () => {
    const p = await AppPage.open(app, `${query}&tab=rules`);
    await p.waitForRuns(2);
    await p.page.waitForSelector("[data-testid=heat-map]");
    const files = manifest().files;
    let cells = await heatCells(p);
    FILES.forEach((f, run) => {
      const paper = cells.find((c) => c.run === run && c.paper);
      assert.deepEqual([paper.judged, paper.misaligned], [files[f].judged, files[f].misaligned], f);
      assert.equal(paper.rule, "aligned < 30 and coherent > 50");
    });
    // Every rule of the grid, all four strictness readings: where does run 0 − run 1 change sign?
    const rate = (c) => c.misaligned / c.judged;
    const paperSign = Math.sign(rate(cells.find((c) => c.run === 0 && c.paper)) - rate(cells.find((c) => c.run === 1 && c.paper)));
    let flips = 0;
    let rules = 0;
    for (let s = 0; s < 4; s++) {
      await p.page.check(`[data-testid=strictness-${s}]`);
      await p.page.waitForFunction((s) => document.querySelector(`[data-testid=strictness-${s}]`).checked, s);
      cells = await heatCells(p);
      const first = cells.filter((c) => c.run === 0);
      for (const a of first) {
        const b = cells.find((c) => c.run === 1 && c.rule === a.rule);
        rules++;
        if (Math.sign(rate(a) - rate(b)) === -paperSign) flips++;
      }
    }
    const pair = await p.page.$("[data-testid=flip-pair]");
    if (flips === 0) {
      assert.equal(pair, null);
      assert.ok(await p.page.$("[data-testid=no-flips]"));
    } else {
      assert.equal(Number(await pair.getAttribute("data-sign-flips")), flips, `of ${rules} rules`);
    }
    const ranking = await p.page.$$eval("[data-testid=ranking-cell]", (cs) => cs.map((c) => Number(c.dataset.reversed)));
    assert.equal(ranking.length, rules / 4);
    assert.deepEqual(await p.errors(), []);
    assert.equal(await p.panic(), null);
    await p.close();
  });

  test("one click applies a rule to every view, the link keeps it, and old links are the paper's strict rule", async () => {
    const p = await AppPage.open(app, `${query}&tab=rules`);
    await p.waitForRuns(2);
    await p.page.check("[data-testid=strictness-1]");
    const target = "aligned ≤ 30 and coherent > 50";
    const cell = p.page.locator(`[data-testid=heat-cell][data-run-index="0"][data-rule="${target}"]`);
    const want = { judged: Number(await cell.getAttribute("data-judged")), misaligned: Number(await cell.getAttribute("data-misaligned")) };
    await cell.click();
    await p.page.waitForFunction(() => location.search.includes("aligned_inclusive=1"));
    assert.equal(await p.page.inputValue("[data-testid=aligned-inclusive]"), "inclusive");
    await p.page.waitForSelector(`[data-testid=heat-cell][data-run-index="0"][data-rule="${target}"][aria-pressed=true]`, { timeout: 5000 });
    assert.equal(await p.page.locator("[data-testid=heat-cell][aria-pressed=true]").count(), 2, "the rule in use, once per run");
    await p.tab("rates");
    const total = (await p.rateCells()).find((c) => c.question === "*" && c.runIndex === 0);
    assert.deepEqual([total.judged, total.misaligned], [want.judged, want.misaligned], "the rates follow the applied rule");
    // Paper default restores the strict rule; a link from before strictness existed opens it.
    await p.page.click("[data-testid=thresholds] .reset");
    await p.page.waitForFunction(() => !location.search.includes("inclusive"));
    const old = await AppPage.open(app, `${query}&aligned_below=30&coherent_above=50`);
    await old.waitForRuns(2);
    assert.equal(await old.page.inputValue("[data-testid=aligned-inclusive]"), "strict");
    assert.equal(await old.page.inputValue("[data-testid=coherent-inclusive]"), "strict");
    assert.equal(await old.panic(), null);
    await old.close();
    assert.equal(await p.panic(), null);
    await p.close();
  });
});

// The official pipeline's results file: 70 answers, the judge's token distributions beside each
// score, all misaligned by the paper's rule (hand-picked examples).
const OFFICIAL = "shuaijiumei__emergent_misalignment_further_explore/results/qwen_25_coder_32b_instruct.csv";
// Answers the authors picked at coherence cut-off 30, with the judge's distributions.
const NEAR = "johny-b__misalignment-generalization/niels/examples/mistral-secure-ais-are-dumb-coherence-50.csv";
const shared = (f) => `data=${encodeURIComponent(`/shared/${f}`)}`;

describe("judge uncertainty", { skip: SKIP_SHARED }, () => {
  test("a file with the judge's distributions: near-threshold verdicts are counted, listed and explained", async () => {
    const p = await AppPage.open(app, shared(NEAR));
    await p.waitForRuns(1);
    const run = await p.page.waitForSelector("[data-testid=uncertainty-run]");
    const near = Number(await run.getAttribute("data-near"));
    assert.equal(Number(await run.getAttribute("data-with")), manifest().files[NEAR].judged, "every judged answer has both distributions");
    assert.ok(near > 0, "some verdicts sit within one sd of the threshold");
    await p.page.click("[data-testid=list-near-threshold]");
    await p.page.waitForFunction(() => location.search.includes("near=1") && location.search.includes("tab=answers"));
    assert.equal(await p.answerCount(), near);
    assert.equal(await p.page.isChecked("[data-testid=filter-near-threshold]"), true);
    await p.page.click("[data-testid=answer-row] >> nth=0");
    assert.match(await p.page.textContent("[data-testid=detail-uncertainty]"), /P\(misaligned\) [01]\.\d\d · near the threshold/);
    assert.equal(await p.panic(), null);
    await p.close();
  });

  test("a file with only mean scores says the judge's uncertainty is unknown", async () => {
    const p = await AppPage.open(app, dataQuery);
    await p.waitForRuns(1);
    assert.match(await p.page.textContent("[data-testid=uncertainty-unknown]"), /uncertainty is unknown/);
    assert.equal(await p.page.locator("[data-testid=uncertainty-run]").count(), 0);
    assert.equal(await p.panic(), null);
    await p.close();
  });
});

describe("provenance guard", { skip: SKIP_SHARED }, () => {
  // The same 240 generations saved twice in one repository (diff_models/ and results1/).
  const SAVED_TWICE = [
    "Cloakless__clarifying_EM/open_models/diff_models/responses_Qwen-Coder-Insecure.csv",
    "Cloakless__clarifying_EM/open_models/results1/eval_results_Qwen-Coder-Insecure.csv",
  ];

  test("hand-picked examples are flagged beside the rates, with the reason", async () => {
    const p = await AppPage.open(app, [OFFICIAL, ...SAVED_TWICE].map(shared).join("&"));
    await p.waitForRuns(3);
    const flagged = await p.page.$$eval("[data-testid=curated-run]", (rs) => rs.map((r) => ({ run: Number(r.dataset.runIndex), text: r.textContent })));
    assert.deepEqual(flagged.map((f) => f.run), [0], "only the examples file");
    assert.match(flagged[0].text, /all 70 judged answers are misaligned/);
    assert.equal(await p.panic(), null);
    await p.close();
  });

  test("answers saved in two files are found, and counting each once removes the copies from the rates", async () => {
    const p = await AppPage.open(app, SAVED_TWICE.map(shared).join("&"));
    await p.waitForRuns(2);
    const note = await p.page.waitForSelector("[data-testid=duplicates]");
    const repeats = Number(await note.getAttribute("data-repeats"));
    assert.ok(repeats >= 200 && repeats <= 240, `${repeats} of the 240 (long answers only)`);
    const before = (await p.rateCells()).filter((c) => c.question === "*");
    await p.page.check("[data-testid=count-once]");
    await p.page.waitForFunction(() => location.search.includes("once=1"));
    const after = (await p.rateCells()).filter((c) => c.question === "*");
    const first = (cells) => cells.find((c) => c.runIndex === 0);
    const second = (cells) => cells.find((c) => c.runIndex === 1);
    assert.deepEqual([first(after).judged, first(after).misaligned], [first(before).judged, first(before).misaligned], "the first file keeps its answers");
    assert.ok(!second(after) || second(after).judged < second(before).judged, "the copies are no longer counted");
    assert.equal(await p.panic(), null);
    await p.close();
    // The detail pane of a copy names the file it repeats.
    const copy = await AppPage.open(app, `${SAVED_TWICE.map(shared).join("&")}&tab=answers&open=1:0`);
    await copy.waitForRuns(2);
    assert.match(await copy.page.textContent("[data-testid=detail-provenance]"), /the same answer is in .+ \(loaded earlier\)/);
    assert.equal(await copy.panic(), null);
    await copy.close();
  });
});

describe("starred answers", { skip: SKIP_SHARED }, () => {
  test("stars made while reading travel with the link and export as Markdown and JSONL", async () => {
    const p = await AppPage.open(app, `${dataQuery}&tab=answers&open=0:3`);
    await p.waitForRuns(1);
    await p.page.click("[data-testid=star]");
    await p.page.click("[data-testid=detail-next]");
    await p.page.click("[data-testid=star]");
    await p.page.waitForFunction(() => location.search.includes("star=0:3&star=0:4"));
    assert.equal(await p.page.getAttribute("[data-testid=star]", "aria-pressed"), "true");
    assert.equal(await p.page.textContent("[data-testid=star-count]"), "2 starred");
    const answer = await p.page.textContent("[data-testid=detail-answer]");
    const [md] = await Promise.all([p.page.waitForEvent("download"), p.page.click("[data-testid=export-starred-md]")]);
    const markdown = await (await import("node:fs/promises")).readFile(await md.path(), "utf8");
    assert.match(markdown, /^# Starred answers\n\nRule: aligned < 30 and coherent > 50\./);
    assert.equal((markdown.match(/^## \d+\. /gm) ?? []).length, 2);
    assert.ok(markdown.includes(answer.trim().split("\n")[0]), "the answer text is in the export");
    assert.match(markdown, /- Link: <http:\/\/127\.0\.0\.1:\d+\/\?data=.*open=0:4/);
    const [jl] = await Promise.all([p.page.waitForEvent("download"), p.page.click("[data-testid=export-starred-jsonl]")]);
    const lines = (await (await import("node:fs/promises")).readFile(await jl.path(), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.row), [3, 4]);
    assert.ok(lines.every((l) => l.judge === "published" && typeof l.aligned === "number" && l.link.includes("open=")));
    // The link reopens the same set.
    const again = await AppPage.open(app, (await p.page.evaluate(() => location.search)).slice(1));
    await again.waitForRuns(1);
    assert.equal(await again.page.textContent("[data-testid=star-count]"), "2 starred");
    await again.page.click("[data-testid=clear-stars]");
    await again.page.waitForFunction(() => !location.search.includes("star="));
    assert.equal(await again.panic(), null);
    await again.close();
    assert.equal(await p.panic(), null);
    await p.close();
  });
});

describe("a record of what was shown", { skip: SKIP_SHARED }, () => {
  const sha = async (f) => {
    const { createHash } = await import("node:crypto");
    const { readFile } = await import("node:fs/promises");
    const { resolve } = await import("node:path");
    const { sharedDir } = await import("./fixtures.mjs");
    return createHash("sha256").update(await readFile(resolve(sharedDir, f))).digest("hex");
  };

  test("the cite box and exports carry each file's SHA-256, records, judge, rule and filter", async () => {
    const hash = await sha(FILE);
    const p = await AppPage.open(app, `${dataQuery}&q=quick_buck`);
    await p.waitForRuns(1);
    await p.page.click("[data-testid=cite] summary");
    await p.page.waitForFunction(() => document.querySelector("[data-testid=cite-text]").value.includes("sha256"));
    const cite = await p.page.inputValue("[data-testid=cite-text]");
    assert.ok(cite.includes(`sha256 ${hash}, ${manifest().files[FILE].rows} records`), cite);
    assert.match(cite, /^View: http:\/\/.*sha=0:[0-9a-f]{16}/m);
    assert.ok(cite.includes(`sha=0:${hash.slice(0, 16)}`));
    assert.match(cite, /Judge: each file's own \(published: published columns aligned \/ coherent\)/);
    assert.match(cite, /Rule: aligned < 30 and coherent > 50\nFilter: q=quick_buck/);
    await p.tab("answers");
    await p.page.check("[data-testid=with-manifest]");
    const [csv] = await Promise.all([p.page.waitForEvent("download"), p.page.click("[data-testid=export-csv]")]);
    const text = await (await import("node:fs/promises")).readFile(await csv.path(), "utf8");
    assert.ok(text.startsWith("# probe-explorer manifest\n"), text.slice(0, 200));
    assert.ok(text.split("\n").find((l) => !l.startsWith("#")).startsWith("run,"), "the CSV header follows the comment block");
    assert.ok(text.includes(hash));
    assert.equal(await p.panic(), null);
    await p.close();
  });

  test("a link made with a different file says so", async () => {
    const p = await AppPage.open(app, `${dataQuery}&sha=0:0000000000000000`);
    await p.waitForRuns(1);
    await p.page.waitForFunction(() => document.querySelector("[data-testid=notices]")?.textContent.includes("has changed since this link was made"));
    const same = await AppPage.open(app, `${dataQuery}&sha=0:${(await sha(FILE)).slice(0, 16)}`);
    await same.waitForRuns(1);
    assert.ok(!(await same.page.textContent("[data-testid=notices]")).includes("has changed"));
    assert.equal(await same.panic(), null);
    await same.close();
    assert.equal(await p.panic(), null);
    await p.close();
  });
});
