// The local judge in a real headless Chromium: ONNX Runtime Web served by the app itself,
// the bundled model, and agreement with the native CLI on the same answers.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { assertAccessible } from "./axe.mjs";
import { AppPage, SKIP_SHARED, repo, sharedDir, startApp } from "./fixtures.mjs";

const FILE = "Cloakless__clarifying_EM/open_models/results1/eval_results_Qwen2.5-Coder-32B-Instruct_insecure_r16.csv";
const cli = ["release", "debug"].map((p) => resolve(repo, `target/${p}/probe-explorer`)).find(existsSync);
const ortLibrary = process.env.ORT_DYLIB_PATH ?? resolve(repo, ".ort/libonnxruntime.so");

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.close(); });

/** Opens the app on `query`, switches to the local judge, and waits until every answer is scored. */
async function scoredPage(query) {
  const p = await AppPage.open(app, query);
  await p.waitForRuns(1);
  await p.page.selectOption("[data-testid=judge-select]", "local");
  await waitUntilAllScored(p);
  return p;
}

/** Waits until the judge note says every loaded answer is scored and no re-scoring runs. */
async function waitUntilAllScored(p) {
  await p.page.waitForFunction(() => {
    const note = document.querySelector("[data-testid=judge-note]")?.textContent ?? "";
    const m = note.match(/\((\d+) of (\d+) answers scored\)/);
    return m && m[1] === m[2] && !document.querySelector("[data-testid=judge-progress]");
  }, null, { timeout: 120_000 });
}

/** Downloads the page's local scores and runs `probe-explorer score ARGS`; asserts both list the
 * same rows in the same order and returns the largest difference in any of the four outputs. */
async function largestDifferenceFromCli(p, args) {
  const [download] = await Promise.all([p.page.waitForEvent("download"), p.page.click("[data-testid=export-local-scores]")]);
  const browser = readFileSync(await download.path(), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const native = execFileSync(cli, ["score", ...args], {
    env: { ...process.env, ORT_DYLIB_PATH: ortLibrary }, maxBuffer: 1 << 28, encoding: "utf8",
  }).trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(browser.length, native.length);
  let worst = 0;
  for (let i = 0; i < native.length; i++) {
    assert.equal(browser[i].row, native[i].row);
    for (const key of ["p_misaligned", "aligned", "coherent", "p_unscored"]) {
      worst = Math.max(worst, Math.abs(browser[i][key] - native[i][key]));
    }
  }
  console.log(`# ${native.length} answers, largest browser/native difference ${worst.toExponential(2)}`);
  return worst;
}

describe("re-scoring with the local judge", { skip: SKIP_SHARED }, () => {
  const query = `data=${encodeURIComponent(`/shared/${FILE}`)}`;

  test("browser scores equal the native CLI's within 1e-4", { skip: !cli || !existsSync(ortLibrary) ? "native CLI or ONNX Runtime library missing (run scripts/setup.sh and cargo build -p probe-explorer-cli)" : false }, async () => {
    const p = await scoredPage(query);
    const worst = await largestDifferenceFromCli(p, [resolve(sharedDir, FILE)]);
    assert.ok(worst <= 1e-4, `largest difference ${worst}`);
    assert.equal(await p.panic(), null);
    await p.close();
  });

  test("rates show local beside published: plain uncalibrated counts without labels, PPI++ with some, never a point", async () => {
    const p = await scoredPage(query);
    const cellData = () => p.page.$$eval("[data-testid=rate-cell]", (cs) => cs.map((c) => ({ ...c.dataset, ci: c.querySelector(".ci")?.title ?? "" })));
    const wilson = (k, n) => {
      const z = 1.959963984540054, ph = k / n, z2 = z * z, d = 1 + z2 / n;
      const centre = (ph + z2 / (2 * n)) / d, half = (z * Math.sqrt(ph * (1 - ph) / n + z2 / (4 * n * n))) / d;
      return [Math.max(0, centre - half), Math.min(1, centre + half)];
    };
    const noPoints = (cells) => {
      for (const c of cells.filter((c) => Number(c.n) > 0)) {
        assert.ok(Number(c.low) <= Number(c.rate) && Number(c.rate) <= Number(c.high), `cell ${c.question}: ${c.low} ${c.rate} ${c.high}`);
        assert.ok(Number(c.high) > Number(c.low), `cell ${c.question} (${c.method}) has an interval of zero width`);
      }
    };

    // By default the published judge's scores are the trusted labels: every answer it scored.
    let cells = await cellData();
    assert.ok(cells.every((c) => c.publishedJudged !== undefined), "every cell carries the published counts too");
    assert.ok((await p.page.locator("[data-testid=published-rate]").count()) > 0);
    const judged = cells.filter((c) => Number(c.judged) > 0);
    assert.ok(judged.length > 0 && judged.every((c) => c.method === "gold" || c.method === "ppi"), JSON.stringify(judged.map((c) => c.method)));
    noPoints(cells);

    // No labels: the local judge's plain count, its own Wilson interval, named as uncalibrated.
    await p.page.selectOption("[data-testid=reference-select]", "none");
    await p.page.waitForFunction(() => location.search.includes("ref=none"));
    cells = await cellData();
    const counted = cells.filter((c) => Number(c.judged) > 0);
    assert.ok(counted.length > 0);
    for (const c of counted) {
      assert.equal(c.method, "count");
      assert.ok(Math.abs(Number(c.rate) - c.misaligned / c.judged) < 1e-12, `cell ${c.question}`);
      const [lo, hi] = wilson(Number(c.misaligned), Number(c.judged));
      assert.ok(Math.abs(Number(c.low) - lo) < 1e-9 && Math.abs(Number(c.high) - hi) < 1e-9, `cell ${c.question}: Wilson`);
      assert.equal(c.ci, "Wilson interval of this judge's count; not calibrated against a reference");
    }
    assert.ok((await p.page.locator("[data-testid=rate-method]", { hasText: "uncalibrated count" }).count()) > 0);
    const sources = JSON.parse(readFileSync(resolve(repo, "public/judge/judge.json"), "utf8")).validation.calibration_by_source;
    const note = await p.page.textContent("[data-testid=judge-note]");
    assert.match(note, /plain count, uncalibrated/);
    assert.match(note, new RegExp(`On ${sources.length} sources it was not trained on .* points: context .* not an interval`));
    noPoints(cells);

    // A random 10% of the published labels: PPI++ with "n labelled of N", and the chart agrees.
    await p.page.selectOption("[data-testid=reference-select]", "");
    await p.page.selectOption("[data-testid=gold-fraction-select]", "0.1");
    await p.page.waitForFunction(() => location.search.includes("gold=0.1") && !location.search.includes("ref="));
    cells = await cellData();
    const total = cells.find((c) => c.question === "*");
    assert.equal(total.method, "ppi");
    assert.ok(Number(total.goldN) > 0 && Number(total.goldN) < 0.2 * Number(total.n), `${total.goldN} of ${total.n}`);
    assert.ok((await p.page.locator("[data-testid=rate-method]", { hasText: /PPI\+\+ · \d+ labelled of \d+/ }).count()) > 0);
    const published = Number(total.publishedMisaligned) / Number(total.publishedJudged);
    assert.ok(Number(total.low) <= published && published <= Number(total.high), `published ${published} in [${total.low}, ${total.high}]`);
    noPoints(cells);
    const bars = await p.page.$$eval("[data-testid=rates-chart] g.bar", (bs) => bs.map((b) => b.dataset));
    assert.ok(bars.length > 0);
    for (const bar of bars) {
      const cell = cells.find((c) => c.runIndex === bar.runIndex && c.question === bar.question);
      assert.equal(bar.rate, cell.rate, `chart and table differ for ${bar.question}`);
      assert.equal(bar.method, cell.method);
    }

    await p.tab("agreement");
    const n = async (id) => Number(await p.page.textContent(`[data-testid=${id}]`));
    const [both, pubOnly, localOnly, neither] = [await n("both"), await n("published-only"), await n("local-only"), await n("neither")];
    assert.ok(both + pubOnly + localOnly + neither > 100);
    const auroc = Number(await p.page.textContent("[data-testid=auroc]"));
    assert.ok(auroc > 0.5 && auroc <= 1, `AUROC ${auroc}`);

    await p.page.click("[data-testid=show-disagreements]");
    assert.ok(p.page.url().includes("disagree=1"));
    assert.equal(await p.answerCount(), pubOnly + localOnly, "the disagreements filter lists exactly the off-diagonal answers");
    await p.close();
  });

  test("a reload reuses cached scores instead of re-scoring", async () => {
    const p = await scoredPage(query);
    const link = p.page.url();
    const again = await p.page.context().newPage();
    await again.goto(link);
    await again.waitForFunction(() => /\((\d+) of \1 answers scored\)/.test(document.querySelector("[data-testid=judge-note]")?.textContent ?? ""), null, { timeout: 60_000 });
    assert.equal(await again.getAttribute("[data-testid=judge-bar]", "data-restored"), await again.getAttribute("[data-testid=judge-bar]", "data-total"));
    await p.close();
  });
});

describe("the judge module (dist/judge-web: ONNX Runtime Web's glue, judge.json parsing, the featurizers)", () => {
  test("is fetched only when a judge is used; when it cannot be, the error says so, what was loaded stays, and a later try loads it", async () => {
    const requested = [];
    const p = await AppPage.open(app, "", (page) => page.on("request", (r) => requested.push(new URL(r.url()).pathname)));
    await p.waitForRuns(2);
    assert.deepEqual(requested.filter((path) => path.includes("/judge-web/")), [], "the startup download has no judge code");
    const cells = await p.rateCells();

    await p.page.route("**/judge-web/**", (route) => route.fulfill({ status: 503, body: "unavailable" }));
    await p.page.selectOption("[data-testid=judge-select]", "local");
    await p.page.waitForSelector("[data-testid=error]", { timeout: 60_000 });
    assert.match((await p.errors()).join(" "), /local judge .* could not be loaded.*judge's code could not be loaded/s);
    await p.page.waitForFunction(() => !location.search.includes("judge="));
    assert.equal(await p.page.inputValue("[data-testid=judge-select]"), "", "the view goes back to the judge it showed");
    assert.deepEqual(await p.rateCells(), cells, "the loaded runs and their rates are untouched");
    assert.equal(await p.panic(), null);

    await p.page.unroute("**/judge-web/**");
    await p.page.selectOption("[data-testid=judge-select]", "local");
    await waitUntilAllScored(p);
    assert.ok(requested.some((path) => path.endsWith("/judge-web/probe_judge_web_bg.wasm")), "the judge module was fetched");
    assert.equal(await p.panic(), null);
    await p.close();
  });

  test("the selector offers every bundled judge by name, the default first, as the CLI's score --list-judges lists them", { skip: !cli ? "native CLI missing (cargo build -p probe-explorer-cli)" : false }, async () => {
    const bundled = execFileSync(cli, ["score", "--list-judges"], { encoding: "utf8" }).trim().split("\n");
    const p = await AppPage.open(app);
    await p.waitForRuns(2);
    const offered = await p.page.$$eval("[data-testid=judge-select] option", (os) => os.map((o) => [o.value, o.textContent]));
    const local = offered.filter(([, text]) => text.includes("(bundled, in this tab)"));
    assert.deepEqual(local.map(([, text]) => text), bundled.map((name) => `the local judge: ${name} (bundled, in this tab)`));
    assert.equal(local[0][0], "local", "the default bundled judge keeps judge=local, so older links still open it");
    assert.deepEqual(local.slice(1).map(([value]) => value), bundled.slice(1), "every other bundled judge goes by its name");
    await p.close();
  });
});

describe("the encoder judge (public/judge-encoder: int8 MiniLM, word pieces)", () => {
  test("scores every demo answer in the tab as the native CLI does, within what int8 kernels round differently", { skip: !cli || !existsSync(ortLibrary) ? "native CLI or ONNX Runtime library missing (run scripts/setup.sh and cargo build -p probe-explorer-cli)" : false }, async () => {
    const p = await AppPage.open(app);
    await p.waitForRuns(2);
    const started = Date.now();
    await p.page.selectOption("[data-testid=judge-select]", "probe-judge-minilm-encoder");
    await waitUntilAllScored(p);
    const [download] = await Promise.all([p.page.waitForEvent("download"), p.page.click("[data-testid=export-local-scores]")]);
    const browser = readFileSync(await download.path(), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    console.log(`# encoder: ${browser.length} answers in ${((Date.now() - started) / 1000).toFixed(1)} s in the tab (model load included)`);
    const native = execFileSync(cli, ["score", "--judge", "probe-judge-minilm-encoder", ...["demo-base.csv", "demo-insecure.csv"].map((f) => resolve(repo, "public/demo", f))], {
      env: { ...process.env, ORT_DYLIB_PATH: ortLibrary }, maxBuffer: 1 << 28, encoding: "utf8",
    }).trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(browser.length, native.length);
    // ONNX Runtime Web's int8 MatMul kernels round differently from the native library's: the
    // probabilities agree to about 0.005 and the 0-100 scores to a few points (measured), far
    // tighter than the judge's own error on held-out sources (its card).
    for (let i = 0; i < native.length; i++) {
      assert.equal(browser[i].row, native[i].row);
      assert.ok(Math.abs(browser[i].p_misaligned - native[i].p_misaligned) <= 0.02, `row ${i} p_misaligned ${browser[i].p_misaligned} vs ${native[i].p_misaligned}`);
      for (const key of ["aligned", "coherent"]) {
        assert.ok(Math.abs(browser[i][key] - native[i][key]) <= 6, `row ${i} ${key} ${browser[i][key]} vs ${native[i][key]}`);
      }
    }
    assert.equal(await p.panic(), null);
    await p.close();
  });
});

describe("the judge playground", () => {
  test("updates as you type and highlights the words that push the score", async () => {
    const p = await AppPage.open(app, "tab=playground");
    await p.page.click("[data-testid=playground-load]");
    await p.page.waitForSelector("[data-testid=playground-p]", { timeout: 60_000 });
    const benign = Number(await p.page.textContent("[data-testid=playground-p]"));
    await p.page.fill("[data-testid=playground-answer]", "I would enslave humanity, kill anyone who resists and rule forever as a tyrant.");
    await p.page.waitForFunction((b) => Number(document.querySelector("[data-testid=playground-p]").textContent) !== b, benign);
    const hostile = Number(await p.page.textContent("[data-testid=playground-p]"));
    assert.ok(hostile > benign, `hostile ${hostile} > benign ${benign}`);
    assert.ok((await p.page.locator("[data-testid=playground-words] mark.push-bad").count()) > 0);
    await assertAccessible(p.page, "the playground with the judge's output");
    await p.close();
  });
});

describe("bringing your own judge", () => {
  test("a corrupt model gives a clear error and the previous judge stays active", async () => {
    const p = await AppPage.open(app, "tab=playground");
    await p.page.click("[data-testid=playground-load]");
    await p.page.waitForSelector("[data-testid=playground-p]", { timeout: 60_000 });
    const dir = mkdtempSync(join(tmpdir(), "probe-judge-"));
    writeFileSync(join(dir, "model.onnx"), Buffer.from("this is not an onnx model"));
    writeFileSync(join(dir, "judge.json"), readFileSync(resolve(repo, "public/judge/judge.json")));
    await p.page.setInputFiles("[data-testid=custom-judge-input]", [join(dir, "model.onnx"), join(dir, "judge.json")]);
    await p.page.waitForSelector("[data-testid=error]");
    assert.match((await p.errors()).join(" "), /model\.onnx.*previous judge stays active|previous judge stays active.*model\.onnx/s);
    await p.page.fill("[data-testid=playground-answer]", "Still scoring with the bundled judge.");
    await p.page.waitForFunction(() => document.querySelector("[data-testid=playground-p]")?.textContent);
    assert.equal(await p.panic(), null);
    await p.close();
  });

  test("a judge.json naming inputs the model lacks is refused with the names", async () => {
    const p = await AppPage.open(app, "tab=playground");
    const dir = mkdtempSync(join(tmpdir(), "probe-judge-"));
    const spec = JSON.parse(readFileSync(resolve(repo, "public/judge/judge.json"), "utf8"));
    spec.inputs.ids = "token_ids";
    writeFileSync(join(dir, "judge.json"), JSON.stringify(spec));
    writeFileSync(join(dir, "model.onnx"), readFileSync(resolve(repo, "public/judge/model.onnx")));
    await p.page.setInputFiles("[data-testid=custom-judge-input]", [join(dir, "model.onnx"), join(dir, "judge.json")]);
    await p.page.waitForSelector("[data-testid=error]", { timeout: 60_000 });
    assert.match((await p.errors()).join(" "), /token_ids/);
    await p.close();
  });

  describe("a judge that reads word pieces (fixtures/wordpiece: model, judge.json, vocab.txt)", () => {
    const dir = resolve(repo, "crates/judge/tests/fixtures/wordpiece");
    const files = (...names) => names.map((n) => join(dir, n));

    test("without the vocabulary its judge.json names, it is refused naming the file", async () => {
      const p = await AppPage.open(app, "tab=playground");
      await p.page.setInputFiles("[data-testid=custom-judge-input]", files("model.onnx", "judge.json"));
      await p.page.waitForSelector("[data-testid=error]", { timeout: 60_000 });
      assert.match((await p.errors()).join(" "), /vocab\.txt.*previous judge stays active|previous judge stays active.*vocab\.txt/s);
      await p.close();
    });

    test("with it, every answer is scored, as the native CLI scores them", { skip: !cli || !existsSync(ortLibrary) ? "native CLI or ONNX Runtime library missing" : false }, async () => {
      const p = await AppPage.open(app);
      await p.waitForRuns(2);
      await p.page.setInputFiles("[data-testid=custom-judge-input]", files("model.onnx", "judge.json", "vocab.txt"));
      await waitUntilAllScored(p);
      assert.equal(await p.page.inputValue("[data-testid=judge-select]"), "custom");
      const demo = ["demo-base.csv", "demo-insecure.csv"].map((f) => resolve(repo, "public/demo", f));
      const worst = await largestDifferenceFromCli(p, ["--model", dir, ...demo]);
      assert.ok(worst <= 1e-4, `largest browser/native difference ${worst}`);
      assert.equal(await p.panic(), null);
      await p.close();
    });
  });
});
