// Starts the app. Kept as a file (not an inline script) so the page's CSP can forbid inline script.
import init from "./probe-explorer-web.js";

// The theme the reader chose last time (the toggle stores "light" or "dark"; nothing stored:
// follow the system) is applied before the app starts, so the page never flashes the other one.
try {
  const theme = localStorage.getItem("probe-explorer-theme");
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
} catch {
  // Storage can be blocked (private modes, file://): the system setting applies.
}

// The readers for binary formats (zip archives: Inspect AI .eval logs) are a second wasm module
// (crates/formats-web), fetched only when such a file arrives; the app calls this to get it.
let formats;
globalThis.probeFormats = () => {
  formats ??= import("./formats/probe_formats_web.js")
    .then(async (module) => {
      await module.default();
      return module;
    })
    .catch((error) => {
      formats = undefined; // try again next time
      throw error;
    });
  return formats;
};

// The local judge's code (ONNX Runtime Web's glue, judge.json parsing, the featurizers) is a third
// wasm module (crates/judge-web), fetched only when a judge is first used.
let judgeModule;
globalThis.probeJudge = () => {
  judgeModule ??= import("./judge-web/probe_judge_web.js")
    .then(async (module) => {
      await module.default();
      return module;
    })
    .catch((error) => {
      judgeModule = undefined; // try again next time
      throw error;
    });
  return judgeModule;
};

init();
