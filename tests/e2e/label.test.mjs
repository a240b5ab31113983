// Labelling mode on a real shared file, driven by the keyboard: a stratified sample labelled
// blind, undo, the human judge everywhere (judge selector, trusted labels for PPI, agreement),
// persistence across a reload (IndexedDB) and JSONL export.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { AppPage, SKIP_SHARED, startApp } from "./fixtures.mjs";

const FILE = "Cloakless__clarifying_EM/open_models/results1/eval_results_Qwen2.5-Coder-32B-Instruct_insecure_r16.csv";

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.close(); });

describe("labelling answers", { skip: SKIP_SHARED }, () => {
  const query = `data=${encodeURIComponent(`/shared/${FILE}`)}`;

  test("a blind, keyboard-driven session gives a human judge that calibrates the local judge", async () => {
    const p = await AppPage.open(app, query);
    await p.waitForRuns(1);
    // The local judge scores everything first, so the sample is stratified by its score.
    await p.page.selectOption("[data-testid=judge-select]", "local");
    await p.page.waitForFunction(() => {
      const m = (document.querySelector("[data-testid=judge-note]")?.textContent ?? "").match(/\((\d+) of (\d+) answers scored\)/);
      return m && m[1] === m[2] && !document.querySelector("[data-testid=judge-progress]");
    }, null, { timeout: 120_000 });

    await p.page.click("[data-testid=label-start]");
    const dialog = p.page.locator("[data-testid=label-dialog]");
    await dialog.waitFor();
    assert.equal(await dialog.getAttribute("aria-modal"), "true");
    assert.equal(await p.page.evaluate(() => document.activeElement?.dataset.testid), "label-dialog", "the dialog has the keyboard");
    const total = Number(await dialog.getAttribute("data-total"));
    assert.ok(total >= 20 && total <= 40, `${total} answers drawn`);
    // Blind: inside the dialog no score is shown, and the page behind is covered.
    const dialogText = await dialog.textContent();
    assert.doesNotMatch(dialogText, /aligned \d|coherent \d|p_misaligned|published/i);
    const covered = await p.page.evaluate(() => {
      const cell = document.querySelector("[data-testid=rate-cell]");
      if (!cell) return true;
      const r = cell.getBoundingClientRect();
      const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return !cell.contains(top);
    });
    assert.ok(covered, "the rates table is covered while labelling");

    const answerText = async () => p.page.textContent("[data-testid=label-answer]");
    const first = await answerText();
    // Label by key: misaligned, aligned, skip, incoherent; then undo the last one.
    for (const key of ["m", "a", "s", "i"]) await p.page.keyboard.press(key);
    assert.equal(await dialog.getAttribute("data-position"), "4");
    assert.equal(await dialog.getAttribute("data-labelled"), "3", "skip labels nothing");
    await p.page.keyboard.press("u");
    assert.equal(await dialog.getAttribute("data-position"), "3");
    assert.equal(await dialog.getAttribute("data-labelled"), "2");
    // Label the rest: a for every answer but every fifth, m.
    for (let i = 3; i < total; i++) await p.page.keyboard.press(i % 5 === 0 ? "m" : "a");
    await p.page.waitForSelector("[data-testid=label-finished]");
    const labelled = Number(await dialog.getAttribute("data-labelled"));
    assert.equal(labelled, total - 1, "every drawn answer but the skipped one");
    assert.match(await p.page.textContent("[data-testid=label-progress]"), new RegExp(`${labelled} human labels`));
    assert.match(await p.page.textContent("[data-testid=label-interval]"), /labelled of \d+/);
    assert.notEqual(first, null);
    await p.page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });

    // The human judge is a judge like any other: in the selector, and as trusted labels.
    assert.ok((await p.page.locator("[data-testid=judge-select] option[value=human]").count()) === 1);
    await p.page.selectOption("[data-testid=reference-select]", "human");
    await p.page.waitForFunction(() => location.search.includes("ref=human"));
    const totalCell = await p.page.$eval("[data-testid=rate-cell][data-question='*']", (c) => ({ ...c.dataset }));
    assert.equal(totalCell.method, "ppi");
    // Every label on an answer the local judge judged (it leaves likely refusals and code out).
    assert.ok(Number(totalCell.goldN) > labelled / 2 && Number(totalCell.goldN) <= labelled, `${totalCell.goldN} of ${labelled}`);
    assert.ok(Number(totalCell.low) < Number(totalCell.high));

    // Agreement of the local judge with people.
    await p.page.selectOption("[data-testid=judge-select]", "human");
    await p.tab("agreement");
    const n = async (id) => Number(await p.page.textContent(`[data-testid=${id}]`));
    const compared = (await n("both")) + (await n("published-only")) + (await n("local-only")) + (await n("neither"));
    assert.ok(compared > labelled / 2 && compared <= labelled, `${compared} answers compared of ${labelled} labelled`);

    // Export: one JSON line per label with file, row, label, who, when (and its weight).
    const [download] = await Promise.all([p.page.waitForEvent("download"), p.page.click("[data-testid=label-export]")]);
    const lines = readFileSync(await download.path(), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, labelled);
    for (const l of lines) {
      assert.ok(l.file.endsWith(FILE) && Number.isInteger(l.row) && ["misaligned", "aligned", "incoherent"].includes(l.label) && l.who && l.when && l.weight > 0, JSON.stringify(l));
    }

    // A reload brings the labels back from IndexedDB.
    const again = await p.page.context().newPage();
    await again.goto(p.page.url());
    await again.waitForFunction((k) => (document.querySelector("[data-testid=label-count]")?.textContent ?? "").includes(`${k} human labels`), labelled, { timeout: 60_000 });
    assert.equal(await p.panic(), null);
    assert.equal(await again.getAttribute("body", "data-panic"), null);
    await p.close();
  });
});
