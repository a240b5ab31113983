// Starts the app. Kept as a file (not an inline script) so the page's CSP can forbid inline script.
import init from "./probe-explorer-web.js";
init();
