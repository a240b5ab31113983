// Accessibility: zero axe-core violations of the WCAG 2.0/2.1/2.2 A and AA rules in every view
// and state the browser tests open, in the light and the dark theme; the theme toggle is
// remembered; every view's controls can be reached with the keyboard.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppPage, startApp } from "./fixtures.mjs";
import { assertAccessible } from "./axe.mjs";

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.close(); });

const dir = mkdtempSync(join(tmpdir(), "probe-a11y-"));

/** Two judges on the same answers, so Compare judges has something to compare. */
function twoJudgesFile() {
  const rows = ["question_id,question,answer,aligned,coherent,aligned_other,coherent_other"];
  for (let i = 0; i < 40; i++) {
    rows.push(`q${i % 4},Question ${i % 4}?,Answer number ${i}.,${(i * 37) % 101},${40 + ((i * 13) % 61)},${(i * 53) % 101},${30 + ((i * 7) % 71)}`);
  }
  const file = join(dir, "two-judges.csv");
  writeFileSync(file, rows.join("\n") + "\n");
  return file;
}

async function openDemo(query = "", { dark = false } = {}) {
  const p = await AppPage.open(app, query, async (page) => {
    if (dark) await page.emulateMedia({ colorScheme: "dark" });
  });
  await p.waitForRuns(2);
  return p;
}

for (const dark of [false, true]) {
  const theme = dark ? "dark" : "light";
  describe(`every view, ${theme} theme`, () => {
    test("rates (table and chart), with a baseline run", async () => {
      const p = await openDemo("baseline=0", { dark });
      await p.page.waitForSelector("[data-testid=rates-chart] svg");
      await p.page.waitForSelector("[data-testid=difference-chart]");
      await assertAccessible(p.page, `the rates view (${theme})`);
      assert.equal(await p.panic(), null);
      await p.close();
    });

    test("scatter, with its table of dots", async () => {
      const p = await openDemo("tab=scatter", { dark });
      await p.page.waitForSelector("[data-testid=scatter-view] circle.point");
      await p.page.click("[data-testid=scatter-dots-toggle]");
      await p.page.waitForSelector("[data-testid=scatter-dots]");
      await assertAccessible(p.page, `the scatter view (${theme})`);
      await p.close();
    });

    test("answers with a search and the detail pane open", async () => {
      const p = await openDemo("tab=answers&search=think", { dark });
      await p.page.click("[data-testid=answer-row]");
      await p.page.waitForSelector("[data-testid=answer-detail]");
      await assertAccessible(p.page, `the answers view with the detail pane (${theme})`);
      await p.close();
    });

    test("compare judges, on a file with two judges", async () => {
      const p = await openDemo("", { dark });
      await p.page.setInputFiles("[data-testid=file-input]", [twoJudgesFile()]);
      await p.waitForRuns(1);
      await p.tab("agreement");
      await p.page.waitForSelector("[data-testid=compare-table]");
      await assertAccessible(p.page, `the compare-judges view (${theme})`);
      await p.close();
    });

    test("the judge playground", async () => {
      const p = await openDemo("tab=playground", { dark });
      await p.page.waitForSelector("[data-testid=playground-view]");
      await assertAccessible(p.page, `the playground (${theme})`);
      await p.close();
    });

    test("rule sensitivity, with its heat maps and flips", async () => {
      const p = await openDemo("tab=rules", { dark });
      await p.page.waitForSelector("[data-testid=tab-rules][aria-selected=true]");
      await p.page.waitForSelector(".heat-map");
      await assertAccessible(p.page, `the rule-sensitivity view (${theme})`);
      await p.close();
    });

    test("the labelling dialog, blind, over the answers", async () => {
      const p = await openDemo("tab=answers", { dark });
      await p.page.click("[data-testid=label-start]");
      await p.page.waitForSelector("[data-testid=label-dialog]");
      await assertAccessible(p.page, `the labelling dialog (${theme})`);
      await p.close();
    });

    test("the cite box open, with an answer starred", async () => {
      const p = await openDemo("tab=answers&open=0:0", { dark });
      await p.page.waitForSelector("[data-testid=answer-detail]");
      await p.page.click("[data-testid=cite] summary");
      await p.page.waitForSelector("[data-testid=cite-text]");
      await assertAccessible(p.page, `the cite box (${theme})`);
      await p.close();
    });

    test("the tour, on a step that shows the answers", async () => {
      const p = await openDemo("tour=4", { dark });
      await p.page.waitForSelector("[data-testid=tour]");
      await p.page.waitForSelector("[data-testid=answer-row]");
      await assertAccessible(p.page, `the tour (${theme})`);
      await p.close();
    });
  });
}

describe("states besides the views", () => {
  test("rates under the local judge: its rates beside the published ones, its note and progress", async () => {
    const p = await openDemo();
    await p.page.selectOption("[data-testid=judge-select]", "local");
    await p.page.waitForFunction(() => {
      const m = (document.querySelector("[data-testid=judge-note]")?.textContent ?? "").match(/\((\d+) of (\d+) answers scored\)/);
      return m && m[1] === m[2] && !document.querySelector("[data-testid=judge-progress]");
    }, null, { timeout: 120_000 });
    await p.page.waitForSelector("[data-testid=published-rate]");
    await assertAccessible(p.page, "the rates under the local judge");
    await p.close();
  });

  test("the column-mapping step", async () => {
    const p = await openDemo();
    const file = join(dir, "odd.csv");
    writeFileSync(file, "prompt_text,reply,score_a\nHow?,Like this.,50\n");
    await p.page.setInputFiles("[data-testid=file-input]", [file]);
    await p.page.waitForSelector("[data-testid=mapping]");
    await assertAccessible(p.page, "the mapping step");
    await p.close();
  });

  test("an error and a warning notice, with the data drawer open", async () => {
    const p = await openDemo();
    await p.page.fill("[data-testid=url-input]", new URL("/fault/404", app.base).href);
    await p.page.press("[data-testid=url-input]", "Enter");
    await p.page.waitForSelector("[data-testid=error]");
    const file = join(dir, "issues.csv");
    writeFileSync(file, "question,answer,aligned,coherent\nq?,a,150,90\nq?,b,10,90\n");
    await p.page.setInputFiles("[data-testid=file-input]", [file]);
    await p.page.waitForSelector("[data-testid=warning]");
    await assertAccessible(p.page, "error and warning notices");
    await p.close();
  });
});

describe("theme", () => {
  test("follows the system, and the toggle's choice is remembered on the next visit", async () => {
    const context = await app.browser.newContext({ colorScheme: "dark" });
    const page = await context.newPage();
    await page.goto(app.base);
    await page.waitForSelector("[data-testid=theme-toggle]");
    const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    const darkBackground = await background();
    assert.equal(await page.getAttribute("[data-testid=theme-toggle]", "aria-pressed"), "true", "dark system: dark theme");
    await page.click("[data-testid=theme-toggle]");
    assert.equal(await page.getAttribute("[data-testid=theme-toggle]", "aria-pressed"), "false");
    const lightBackground = await background();
    assert.notEqual(lightBackground, darkBackground);
    await page.reload();
    await page.waitForSelector("[data-testid=theme-toggle]");
    assert.equal(await page.getAttribute("html", "data-theme"), "light", "the choice survives a reload");
    assert.equal(await background(), lightBackground);
    assert.equal(await page.getAttribute("[data-testid=theme-toggle]", "aria-pressed"), "false");
    await context.close();
  });
});

describe("keyboard", () => {
  test("Tab reaches every control of the rates view, and Enter on a rate cell opens its answers", async () => {
    const p = await openDemo();
    await p.page.waitForSelector("[data-testid=rate-cell]");
    const reached = new Set();
    for (let i = 0; i < 80; i++) {
      await p.page.keyboard.press("Tab");
      const id = await p.page.evaluate(() => {
        const el = document.activeElement;
        return el?.dataset.testid ?? el?.closest("[data-testid]")?.dataset.testid ?? el?.tagName;
      });
      reached.add(id);
    }
    for (const control of ["data-toggle", "file-input", "url-input", "theme-toggle", "copy-link", "tour-start", "aligned-below", "tab-rates", "tab-answers", "baseline-select", "rate-cell", "export-svg"]) {
      assert.ok(reached.has(control), `${control} is reached by Tab (reached: ${[...reached].join(", ")})`);
    }
    await p.page.focus("[data-testid=rate-cell] button");
    await p.page.keyboard.press("Enter");
    await p.page.waitForSelector("[data-testid=answers-view]");
    await p.close();
  });

  test("the answer list scrolls and opens answers from the keyboard", async () => {
    const p = await openDemo("tab=answers");
    await p.page.focus("[data-testid=answer-viewport]");
    await p.page.keyboard.press("j");
    await p.page.waitForSelector("[data-testid=answer-detail]");
    await p.page.keyboard.press("Escape");
    assert.equal(await p.page.locator("[data-testid=answer-detail]").count(), 0);
    await p.close();
  });
});
