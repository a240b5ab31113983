// Shared by the hostile-input tests: the app served from dist/ (or $PROBE_DIST) and a guard that
// records everything an injected payload could do in a page: dialogs, globals it sets, network
// requests beyond the app's own files and the requested data, CSP violations, uncaught errors and
// panics, and markup the app never renders itself.
import { readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { AppPage, launchChromium, repo } from "./fixtures.mjs";
import { serve } from "./server.mjs";

export const distDir = resolve(process.env.PROBE_DIST ?? resolve(repo, "dist"));

/** Every path the built app may request from its own server: the files in dist/. */
function ownPaths() {
  const paths = new Set(["/", "/favicon.ico"]);
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else paths.add("/" + relative(distDir, path).split("\\").join("/"));
    }
  };
  walk(distDir);
  return paths;
}

/** One server and browser per test file. `extraServers` get their own ports (e.g. a no-CORS origin). */
export async function startGuardedApp() {
  const server = await serve({ port: 0, root: distDir });
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await launchChromium();
  return {
    base,
    browser,
    own: ownPaths(),
    async close() {
      await browser.close();
      await new Promise((ok) => server.close(ok));
    },
  };
}

/** Tags the app never renders itself: any of them appearing means text became markup. */
const FOREIGN_TAGS = [
  "script", "iframe", "object", "embed", "img", "style", "link", "meta", "base", "math", "foreignObject",
  "marquee", "details", "video", "audio", "source", "template", "noscript", "animate", "set", "image", "use", "b",
  "x", "mglyph", "mtext", "mi", "portal", "frame", "frameset", "applet", "isindex",
];

/**
 * A page with the guard installed before the app starts.
 * `data` lists path prefixes (or full URLs) the test asks the app to load: requests to them are allowed.
 * `routes` maps a glob to a function (route) => route.fulfill(...) for files made in the test.
 */
export async function openGuarded(app, query = "", { data = [], routes = {} } = {}) {
  const context = await app.browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const p = new AppPage(page, app.base);
  const guard = new Guard(page, app, data);
  await guard.installed;
  for (const [glob, handler] of Object.entries(routes)) await page.route(glob, handler);
  p.guard = guard;
  await page.goto(app.base + (query ? `?${query}` : ""));
  await page.waitForSelector("[data-testid=sources]");
  guard.baseline = await guard.census();
  return p;
}

export class Guard {
  constructor(page, app, data) {
    this.page = page;
    this.origin = new URL(app.base).origin;
    this.own = app.own;
    this.data = data;
    this.requests = [];
    this.pageErrors = [];
    page.on("request", (r) => this.requests.push(r.url()));
    page.on("pageerror", (e) => this.pageErrors.push(String(e)));
    // Runs before any page script (injected by the browser, so the page's CSP does not apply to it).
    // Await `installed` before navigating: until then the page may load without it.
    this.installed = page.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener("securitypolicyviolation", (e) => {
        window.__cspViolations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
      });
    });
  }

  /** Requests that are neither the app's own files nor the data the test asked for. */
  foreignRequests() {
    return this.requests.filter((url) => {
      const u = new URL(url);
      if (u.protocol === "blob:") return !url.startsWith(`blob:${this.origin}/`);
      if (this.data.some((d) => url.startsWith(d) || (u.origin === this.origin && u.pathname.startsWith(d)))) return false;
      return !(u.origin === this.origin && this.own.has(decodeURIComponent(u.pathname)));
    });
  }

  /** Counts of foreign tags, and elements with inline handlers or script URLs. */
  async census() {
    return this.page.evaluate((tags) => {
      const counts = {};
      for (const tag of tags) counts[tag] = document.getElementsByTagName(tag).length;
      let handlers = 0;
      let scriptUrls = 0;
      for (const el of document.querySelectorAll("*")) {
        for (const a of el.attributes) {
          if (a.name.toLowerCase().startsWith("on")) handlers += 1;
          if (/^(href|src|action|formaction|xlink:href|data)$/i.test(a.name) && /^\s*(javascript|data|vbscript):/i.test(a.value)) scriptUrls += 1;
        }
      }
      return { counts, handlers, scriptUrls };
    }, FOREIGN_TAGS);
  }

  /** What the page shows of an attack; all empty when nothing ran. */
  async traces(dialogs) {
    const inPage = await this.page.evaluate(() => ({
      pwned: Object.keys(window).filter((k) => /pwned/i.test(k)).map((k) => `${k}=${String(window[k])}`),
      clobbered: document.getElementById("__pwned") !== null || document.getElementsByName("__pwned").length > 0,
      csp: window.__cspViolations ?? ["(the CSP listener is missing)"],
      panic: document.body.getAttribute("data-panic"),
      title: document.title,
    }));
    const now = await this.census();
    const grown = Object.entries(now.counts).filter(([tag, n]) => n > (this.baseline?.counts[tag] ?? 0)).map(([tag]) => tag);
    if (now.handlers > (this.baseline?.handlers ?? 0)) grown.push("on* attributes");
    if (now.scriptUrls > (this.baseline?.scriptUrls ?? 0)) grown.push("script URLs");
    return {
      dialogs: [...dialogs],
      globals: inPage.pwned,
      clobbered: inPage.clobbered,
      cspViolations: inPage.csp,
      foreignRequests: this.foreignRequests(),
      pageErrors: [...this.pageErrors],
      panic: inPage.panic,
      newMarkup: grown,
      title: inPage.title,
    };
  }
}

/** The traces an untouched page has. */
export const CLEAN = {
  dialogs: [], globals: [], clobbered: false, cspViolations: [], foreignRequests: [], pageErrors: [], panic: null,
  newMarkup: [], title: "Probe Explorer",
};
