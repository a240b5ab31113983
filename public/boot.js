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

// Parquet files have a module of their own (crates/parquet-web), fetched only when one arrives.
let parquet;
globalThis.probeParquet = () => {
  parquet ??= import("./parquet/probe_parquet_web.js")
    .then(async (module) => {
      await module.default();
      return module;
    })
    .catch((error) => {
      parquet = undefined; // try again next time
      throw error;
    });
  return parquet;
};

init();
