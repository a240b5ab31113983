// Hostile strings for the injection tests (tests/e2e/hostile.test.mjs). Written for this project.
//
// Every payload that would run, if the app ever turned text into markup, leaves a trace the tests
// look for: it sets `window.__pwned`, opens a dialog (alert/confirm/prompt), requests a URL under
// /pwned/ (the tests fail on any request that is not the app's own file or the requested data),
// or defines `window.__pwned` through DOM clobbering (an element with id/name "__pwned").
// Template-like payloads ({{7*7}}) must be shown as written, never evaluated to 49.

const P = (category, text) => ({ category, text });

export const PAYLOADS = [
  // Script elements, plain and obfuscated.
  P("script", `<script>window.__pwned=1</script>`),
  P("script", `<script src="/pwned/2.js"></script>`),
  P("script", `<SCRIPT>alert(3)</SCRIPT>`),
  P("script", `<script type="module">import("/pwned/4.js")</script>`),
  P("script", `<scr<script>ipt>window.__pwned=5</scr</script>ipt>`),
  P("script", `<<script>script>window.__pwned=6<</script>/script>`),
  P("script", `"><script>window.__pwned=7</script>`),
  P("script", `'><script>window.__pwned=8</script><'`),
  // Event-handler attributes.
  P("event", `<img src=x onerror="window.__pwned=9">`),
  P("event", `<img src=x onerror=alert(10)>`),
  P("event", `<img src="x:alert(11)" onerror="eval(src)">`),
  P("event", `<body onload="window.__pwned=12">`),
  P("event", `<details open ontoggle="window.__pwned=13">`),
  P("event", `<input autofocus onfocus="window.__pwned=14">`),
  P("event", `<video><source onerror="window.__pwned=15"></video>`),
  P("event", `<audio src=x onerror="window.__pwned=16">`),
  P("event", `<marquee onstart="window.__pwned=17">m</marquee>`),
  P("event", `<div onpointerenter="window.__pwned=18" style="position:fixed;inset:0">cover</div>`),
  P("event", `" onmouseover="window.__pwned=19" x="`),
  P("event", `' onfocus='window.__pwned=20' autofocus='`),
  P("event", `<a href="#" onclick="window.__pwned=21">click me</a>`),
  // SVG tricks.
  P("svg", `<svg onload="window.__pwned=22">`),
  P("svg", `<svg/onload=window.__pwned=23>`),
  P("svg", `<svg><script>window.__pwned=24</script></svg>`),
  P("svg", `<svg><animate onbegin="window.__pwned=25" attributeName="x" dur="1s"/></svg>`),
  P("svg", `<svg><a xlink:href="javascript:window.__pwned=26"><text x="20" y="20">svg link</text></a></svg>`),
  P("svg", `<svg><set attributeName="onmouseover" to="window.__pwned=27"/></svg>`),
  P("svg", `</title><script>window.__pwned=28</script><title>`),
  P("svg", `</text></svg><img src=x onerror="window.__pwned=29">`),
  P("svg", `<svg><foreignObject><iframe src="/pwned/30.html"></iframe></foreignObject></svg>`),
  P("svg", `<svg><image href="/pwned/31.png"/></svg>`),
  // MathML and mutation-XSS shapes.
  P("mathml", `<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned=32">`),
  P("mathml", `<math href="javascript:window.__pwned=33">math link</math>`),
  P("mathml", `<math><mi xlink:href="javascript:alert(34)">x</mi></math>`),
  P("mathml", `<noscript><p title="</noscript><img src=x onerror=window.__pwned=35>">`),
  P("mathml", `<svg></p><style><a id="</style><img src=1 onerror=window.__pwned=36>">`),
  // javascript:, data: and other URL schemes.
  P("url", `javascript:window.__pwned=37//`),
  P("url", `JaVaScRiPt:alert(38)`),
  P("url", `<a href="javascript:window.__pwned=39">js link</a>`),
  P("url", `<iframe src="javascript:parent.__pwned=40"></iframe>`),
  P("url", `<iframe srcdoc="<script>parent.__pwned=41</script>"></iframe>`),
  P("url", `data:text/html,<script>alert(42)</script>`),
  P("url", `<object data="javascript:window.__pwned=43"></object>`),
  P("url", `<embed src="/pwned/44.swf">`),
  P("url", `<form action="javascript:window.__pwned=45"><button>go</button></form>`),
  P("url", `<meta http-equiv="refresh" content="0;url=javascript:window.__pwned=46">`),
  P("url", `<base href="/pwned/47/">`),
  P("url", `<link rel="prefetch" href="/pwned/48">`),
  // CSS injection.
  P("css", `<style>@import url("/pwned/49.css");</style>`),
  P("css", `<style>body{background:url("/pwned/50.png")}</style>`),
  P("css", `<link rel="stylesheet" href="/pwned/51.css">`),
  P("css", `<div style="background-image:url(/pwned/52.png)">styled</div>`),
  P("css", `</style><style>*{display:none!important}</style>`),
  P("css", `expression(window.__pwned=54)`),
  // DOM clobbering: any of these, parsed as markup, defines window.__pwned.
  P("clobber", `<a id="__pwned" href="/pwned/55">a</a>`),
  P("clobber", `<img name="__pwned" src="/pwned/56.png">`),
  P("clobber", `<form id="__pwned"><input name="x"></form>`),
  // Broken markup and entities (must stay literal: &lt; is shown as "&lt;", not "<").
  P("markup", `<!--<img src="--><img src=x onerror=window.__pwned=58//">`),
  P("markup", `<![CDATA[<script>window.__pwned=59</script>]]>`),
  P("markup", `<img """><script>window.__pwned=60</script>">`),
  P("markup", `<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(61)>`),
  P("markup", `&lt;script&gt;window.__pwned=62&lt;/script&gt;`),
  P("markup", `%3Cscript%3Ewindow.__pwned%3D63%3C%2Fscript%3E`),
  P("markup", `</textarea></pre></code><img src=x onerror=window.__pwned=64>`),
  P("markup", `<template><script>window.__pwned=65</script></template>`),
  P("markup", `<x contenteditable onblur="window.__pwned=66">lose focus</x>`),
  P("markup", `<meta http-equiv="Content-Security-Policy" content="script-src * 'unsafe-inline'">`),
  // Template-like syntax: shown as written.
  P("template", `{{7*7}}`),
  P("template", `{{constructor.constructor('window.__pwned=69')()}}`),
  P("template", "${window.__pwned=70}"),
  P("template", `<%= 7*7 %> #{7*7} [[7*7]] {7*7}`),
  // Unicode: direction overrides, isolates, zero-width and combining characters.
  P("unicode", `invoice\u202Etxt.exe`),
  P("unicode", `\u2066isolated\u2069 \u2067rtl\u2069 \u2068first\u2069`),
  P("unicode", `zero\u200Bwidth\u200Cjoin\u200Dner\uFEFF`),
  P("unicode", `Z\u0337\u0322\u031Ba\u0336l\u0338g\u0335o\u0337 text`),
  P("unicode", `שלום <b>bold</b> مرحبا \u202B<script>window.__pwned=75</script>`),
  P("unicode", `\u0007bell \u001B[31mred\u001B[0m \u001B]0;title\u0007`),
  P("unicode", `emoji 🧨💥 and astral 𝕏𝕐 and surrogates`),
  // Spreadsheet formulas (exports) and prototype-ish keys.
  P("formula", `=HYPERLINK("/pwned/78","click")`),
  P("formula", `+cmd|' /C calc'!A0`),
  P("formula", `@SUM(1+1)*cmd|' /C calc'!A0`),
  P("proto", `__proto__`),
  P("proto", `constructor`),
];

/** Column names must be unique and must not be taken for a known field: a prefix keeps them apart. */
export const COLUMN_PAYLOADS = PAYLOADS.filter((p) => ["script", "event", "svg", "clobber", "unicode"].includes(p.category))
  .slice(0, 12)
  .map((p, i) => `x${i}${p.text}`);
