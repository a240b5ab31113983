// Accessibility checks with axe-core (npm), callable from any browser test:
//
//   import { assertAccessible } from "./axe.mjs";
//   await assertAccessible(page, "answers view with the detail pane");
//
// axe is evaluated in the page through the DevTools protocol, so the page's CSP (no inline
// script) stays as it is and the page under test is not changed. Only the WCAG 2.0, 2.1 and 2.2
// A and AA rule sets run: those are what the app promises. A failure lists each rule, what it
// asks for and the elements (CSS selectors) that break it.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import assert from "node:assert/strict";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** The rule sets the app is checked against. */
export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

/** axe's violations on the page as it is now: [{ id, impact, help, nodes: [{ target, summary }] }]. */
export async function axeViolations(page, { exclude = [] } = {}) {
  const loaded = await page.evaluate(() => typeof window.axe === "object");
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async ({ tags, exclude }) => {
    const context = exclude.length ? { include: [document], exclude: exclude.map((s) => [s]) } : document;
    const result = await window.axe.run(context, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
    }));
  }, { tags: WCAG_TAGS, exclude });
}

/** Readable list of violations, for assertion messages. */
export function describeViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes.slice(0, 5).map((n) => `    ${n.target}\n      ${String(n.summary).replaceAll("\n", "\n      ")}`);
      const more = v.nodes.length > 5 ? `\n    … and ${v.nodes.length - 5} more` : "";
      return `  ${v.id} (${v.impact}): ${v.help}\n${nodes.join("\n")}${more}`;
    })
    .join("\n");
}

/** Fails the test when axe finds any WCAG 2.x A/AA violation; `what` names the state checked. */
export async function assertAccessible(page, what, options = {}) {
  const violations = await axeViolations(page, options);
  assert.equal(violations.length, 0, `axe found ${violations.length} WCAG A/AA violation(s) in ${what}:\n${describeViolations(violations)}`);
}
