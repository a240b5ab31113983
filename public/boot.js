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

// Code only some users need is in wasm modules of its own, each fetched the first time the app
// asks for it (a failed fetch is tried again on the next ask).
function lazyModule(path) {
  let loading;
  return () => {
    loading ??= import(path)
      .then(async (module) => {
        await module.default();
        return module;
      })
      .catch((error) => {
        loading = undefined;
        throw error;
      });
    return loading;
  };
}
// Zip readers for Inspect AI .eval logs (crates/formats-web): when such a file arrives.
globalThis.probeFormats = lazyModule("./formats/probe_formats_web.js");
// The local judge's code: ONNX Runtime Web's glue, judge.json parsing, the featurizers
// (crates/judge-web): when a judge is first used.
globalThis.probeJudge = lazyModule("./judge-web/probe_judge_web.js");
// Parquet (crates/parquet-web): when a Parquet file arrives.
globalThis.probeParquet = lazyModule("./parquet/probe_parquet_web.js");

init();
