// The first screen and the layouts: at 1366×768 the title and the rates lead (the loading
// controls fold into the data bar once data is open); the empty state shows the labelled demo
// and the catalog; a phone (390 px) never scrolls sideways; the page has a favicon.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { AppPage, startApp } from "./fixtures.mjs";

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.close(); });

async function open(query, viewport) {
  const context = await app.browser.newContext({ viewport });
  const page = await context.newPage();
  const p = new AppPage(page, app.base);
  const notFound = [];
  page.on("response", (r) => r.status() === 404 && notFound.push(new URL(r.url()).pathname));
  p.notFound = notFound;
  await page.goto(app.base + (query ? `?${query}` : ""));
  await page.waitForSelector("[data-testid=sources]");
  return p;
}

/** Asserts that `selector` lies wholly inside the first screen. */
async function onFirstScreen(p, selector, { width, height }) {
  const box = await p.page.locator(selector).first().boundingBox();
  assert.ok(box, `${selector} is shown`);
  assert.ok(box.y >= 0 && box.y + box.height <= height && box.x >= 0 && box.x + box.width <= width,
    `${selector} lies within the first ${width}×${height} screen: ${JSON.stringify(box)}`);
}

const LAPTOP = { width: 1366, height: 768 };

describe("first screen at 1366×768", () => {
  test("with data from a link: the title and the whole rates table, the loading controls folded away", async () => {
    const p = await open("data=demo/demo-base.csv&data=demo/demo-insecure.csv", LAPTOP);
    await p.waitForRuns(2);
    await onFirstScreen(p, "h1", LAPTOP);
    await onFirstScreen(p, "[data-testid=rate-matrix]", LAPTOP);
    assert.equal(await p.page.isVisible("[data-testid=catalog-select]"), false, "the catalog is in the closed drawer");
    assert.equal(await p.page.isVisible("[data-testid=url-input]"), true, "a URL can still be pasted in the bar");
    assert.equal(await p.page.getAttribute("[data-testid=data-toggle]", "aria-expanded"), "false");
    await p.page.click("[data-testid=data-toggle]");
    assert.equal(await p.page.isVisible("[data-testid=catalog-select]"), true, "the drawer opens");
    assert.equal(await p.page.locator("[data-testid=run]:visible").count(), 2);
    await p.close();
  });

  test("the empty state: the demo, labelled as such, its rates, and the catalog", async () => {
    const p = await open("", LAPTOP);
    await p.waitForRuns(2);
    await onFirstScreen(p, "h1", LAPTOP);
    await onFirstScreen(p, "[data-testid=demo-banner]", LAPTOP);
    assert.match(await p.page.textContent("[data-testid=demo-banner]"), /^Demo data\..*not real model output/);
    await onFirstScreen(p, "[data-testid=catalog-select]", LAPTOP);
    await onFirstScreen(p, "[data-testid=rate-matrix]", LAPTOP);
    await p.close();
  });
});

describe("layouts", () => {
  for (const width of [390, 1920]) {
    test(`${width} px wide: nothing wider than the window in any view`, async () => {
      const p = await open("", { width, height: 900 });
      await p.waitForRuns(2);
      for (const tab of ["rates", "scatter", "answers", "agreement", "playground", "rules"]) {
        await p.tab(tab);
        await p.page.waitForTimeout(150);
        const scroll = await p.page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(scroll <= width, `${tab}: the page is ${scroll} px wide in a ${width} px window`);
      }
      await p.close();
    });
  }

  test("the page has a favicon and asks for no file that is not there", async () => {
    const p = await open("", LAPTOP);
    await p.waitForRuns(2);
    assert.equal(await p.page.getAttribute("link[rel=icon]", "href"), "favicon.svg");
    const icon = await p.page.request.get(app.base + "favicon.svg");
    assert.equal(icon.status(), 200);
    assert.match(await icon.text(), /^<svg/);
    assert.deepEqual(p.notFound, []);
    assert.deepEqual(p.consoleErrors, []);
    await p.close();
  });
});

describe("print", () => {
  test("prints the figure on screen with the title, without the controls", async () => {
    const p = await open("", LAPTOP);
    await p.waitForRuns(2);
    await p.page.emulateMedia({ media: "print" });
    for (const hidden of ["[data-testid=sources]", "[data-testid=thresholds]", "[data-testid=theme-toggle]", "[role=tablist]"]) {
      assert.equal(await p.page.isVisible(hidden), false, `${hidden} is not printed`);
    }
    for (const shown of ["h1", "[data-testid=rate-matrix]", "[data-testid=rates-chart] svg"]) {
      assert.equal(await p.page.isVisible(shown), true, `${shown} is printed`);
    }
    await p.close();
  });
});
