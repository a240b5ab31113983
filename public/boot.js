// Starts the app. Kept as a file (not an inline script) so the page's CSP can forbid inline script.
import init from "./probe-explorer-web.js";

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

init();
