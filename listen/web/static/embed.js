/*! listen embed player: <script src="https://HOST/embed.js" async></script>
    <div data-listen-article="ID"></div>
    Options on the div: data-listen-theme="light|dark|auto", data-listen-accent="#hex",
    data-listen-layout="compact|sticky", data-listen-highlight="CSS selector",
    data-listen-download="false", data-listen-title="hide" (the page shows the headline already),
    data-listen-missing="hide" (no player at all for an article without audio),
    data-listen-transcript="off", data-listen-next="auto|off", data-listen-playlist="id1,id2".
    Height: 96px (compact: 56px). On the page's own paragraphs, optional:
    data-listen-paragraph (="ID" when several articles share the page). The paragraph being
    read gets the class listen-reading. What is needed only after play comes from
    embed-more.js, fetched on the first play. */
(function () {
  "use strict";
  var W = window, D = document;
  // Loaded twice (one snippet per article)? Let the first copy do the work.
  if (W.ListenEmbed) { W.ListenEmbed.scan(); return; }

  // Our own origin, captured now: currentScript is only set during this run.
  var BASE = location.origin;
  try { if (D.currentScript && D.currentScript.src) BASE = new URL(D.currentScript.src).origin; } catch (e) {}

  var SEL = "[data-listen-article]";
  var RATES = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3];
  var T = {
    en: { listen: "Listen", more: " to this article", play: "Play", pause: "Pause", seek: "Seek",
      speed: "Speed", back: "Skip back 15 seconds", fwd: "Skip forward 15 seconds",
      prev: "Previous paragraph", next: "Next paragraph", dl: "Download", close: "Close",
      prep: "Preparing audio\u2026", retry: "Retry", player: "Article audio", min: " min", unit: " listen",
      of: " of ", tx: "Transcript", mute: "Mute", vol: "Volume", resume: "Resume from ", over: "Start over", err: "The audio is not available right now.", gone: "This article has no audio." },
    es: { listen: "Escuchar", more: " este art\u00edculo", play: "Reproducir", pause: "Pausa", seek: "Posici\u00f3n",
      speed: "Velocidad", back: "Retroceder 15 segundos", fwd: "Avanzar 15 segundos",
      prev: "P\u00e1rrafo anterior", next: "P\u00e1rrafo siguiente", dl: "Descargar", close: "Cerrar",
      prep: "Preparando audio\u2026", retry: "Reintentar", player: "Audio del art\u00edculo",
      min: " min", unit: " de escucha", of: " de ", tx: "Transcripci\u00f3n", mute: "Silenciar", vol: "Volumen",
      resume: "Reanudar en ", over: "Desde el principio", err: "El audio no est\u00e1 disponible en este momento.",
      gone: "Este art\u00edculo no tiene audio.", comma: 1 }
  };
  var REPLAY = '<path d="M5.1 9A8 8 0 1 0 12 5" fill="none" stroke="currentColor" stroke-width="2"/><path d="M13 1.5v7L8.5 5z"/>';
  var N15 = '<text x="12" y="16.6" font-size="8.5" font-weight="700" text-anchor="middle">15</text>';
  var ICON = {
    play: '<path d="M8 5.5v13l11-6.5z"/>',
    pause: '<path d="M7 5h3.5v14H7zM13.5 5H17v14h-3.5z"/>',
    load: '<circle cx="12" cy="12" r="8" fill="none" stroke="currentColor" stroke-width="2.5" stroke-dasharray="34 16" stroke-linecap="round"/>',
    retry: REPLAY,
    back: REPLAY + N15,
    fwd: '<g transform="matrix(-1 0 0 1 24 0)">' + REPLAY + "</g>" + N15,
    prev: '<path d="M6 6h2v12H6zm3.5 6 8.5 6V6z"/>',
    next: '<path d="M6 18l8.5-6L6 6zM16 6h2v12h-2z"/>',
    dl: '<path d="M5 20h14v-2H5zM19 9h-4V3H9v6H5l7 7z"/>',
    vol: '<path d="M4 9v6h4l5 5V4L8 9z"/><path d="M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12" fill="none" stroke="currentColor" stroke-width="2"/>',
    muted: '<path d="M4 9v6h4l5 5V4L8 9z"/><path d="m16 9 6 6m0-6-6 6" fill="none" stroke="currentColor" stroke-width="2"/>',
    tx: '<path d="M4 6h16v2H4zm0 5h16v2H4zm0 5h10v2H4z"/>',
    close: '<path d="M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4l5.6 5.6L5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6z"/>'
  };
  function svg(name) {
    return '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">' + ICON[name] + "</svg>";
  }

  var DARK = "--bg:#1b1e23;--bd:#353b45;--fg:#eff2f6;--mu:#aab2be;--ac:var(--acd,#7eaaff);--acfg:var(--acfgd,#0b1322);" +
    "--trk:#737c89;--buf:#aab2be;--hov:rgba(255,255,255,.1);--err:#ff8a80;color-scheme:dark";
  var CSS =
    ":host{display:block}:host([hidden]),[hidden]{display:none!important}" +
    ".listen-player{all:initial;display:block;container-type:inline-size;" +
    "font:14px/1.3 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:var(--fg);" +
    "--bg:#f5f6f8;--bd:#dce0e6;--fg:#15181d;--mu:#59606c;--ac:var(--acl,#1f5fd6);--acfg:var(--acfgl,#fff);--trk:#858d99;" +
    "--buf:#4c535e;--hov:rgba(0,0,0,.07);--err:#c5221f;color-scheme:light}" +
    "@media (prefers-color-scheme:dark){.listen-player:not([data-theme=light]){" + DARK + "}}" +
    ".listen-player[data-theme=dark]{" + DARK + "}" +
    ".listen-box{box-sizing:border-box;height:96px;display:grid;align-content:center;align-items:center;" +
    "grid-template:'play info spd dl' 40px 'bar bar bar bar' 32px/40px minmax(0,1fr) auto auto;gap:6px 8px;" +
    "padding:0 8px;border:1px solid var(--bd);border-radius:14px;background:var(--bg);text-align:left;position:relative}" +
    "@container (min-width:420px){.listen-box{grid-template:'play info spd dl' 32px 'play bar bar bar' 32px/56px minmax(0,1fr) auto auto;" +
    "gap:6px 10px;padding:0 10px 0 12px}.listen-play{width:56px;height:56px}.listen-play svg{width:30px;height:30px}}" +
    "button,select,a{box-sizing:border-box;font:inherit;color:inherit;margin:0;cursor:pointer;-webkit-tap-highlight-color:transparent}" +
    "button,a{display:inline-flex;align-items:center;justify-content:center;flex:none;border:0;padding:0;background:none;text-decoration:none}" +
    "svg{width:22px;height:22px;fill:currentColor;flex:none}" +
    ".listen-play{grid-area:play;width:40px;height:40px;border-radius:50%;background:var(--ac);color:var(--acfg)}" +
    ".listen-play svg{width:26px;height:26px}" +
    ".listen-retry{grid-area:play;justify-self:start;height:36px;padding:0 14px 0 10px;gap:4px;border-radius:99px;" +
    "background:var(--ac);color:var(--acfg);font-weight:600;white-space:nowrap}" +
    "[data-state=error] .listen-box{grid-template:'play info' auto/auto minmax(0,1fr)}" +
    "[data-state=missing] .listen-box{grid-template:'info' auto/minmax(0,1fr);padding:0 16px}" +
    "[data-state=error] .listen-bar,[data-state=error] .listen-speed,[data-state=error] .listen-dl," +
    "[data-state=missing] .listen-bar,[data-state=missing] .listen-speed,[data-state=missing] .listen-dl{display:none}" +
    "[data-state=error] .listen-sub,[data-state=missing] .listen-sub{white-space:normal}" +
    ".listen-icon{width:32px;height:32px;border-radius:50%;color:var(--fg)}" +
    "@media (hover:hover){.listen-icon:hover,.listen-speed:hover{background:var(--hov)}" +
    ".listen-play:hover,.listen-retry:hover{filter:brightness(1.1)}}" +
    "button:disabled{opacity:.4;cursor:default;background:none}" +
    ".listen-info{grid-area:info;min-width:0;display:flex;flex-direction:column;justify-content:center}" +
    ".listen-title,.listen-sub{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}" +
    ".listen-title{font-weight:650;font-size:15px}" +
    ".listen-sub{font-size:12.5px;color:var(--mu);font-variant-numeric:tabular-nums}" +
    ".listen-time:not(:empty)+.listen-msg:not(:empty)::before{content:' \\b7  '}" +
    "[data-state=error] .listen-msg{color:var(--err)}[data-state=missing] .listen-title{display:none}" +
    "@container (max-width:339px){.listen-more{display:none}}" +
    ".listen-speed{grid-area:spd;-webkit-appearance:none;appearance:none;height:30px;min-width:44px;padding:0 8px;" +
    "border:1px solid var(--bd);border-radius:99px;background:none;font-size:13px;font-weight:600;text-align:center;font-variant-numeric:tabular-nums}" +
    ".listen-dl{grid-area:dl}" +
    ".listen-bar{grid-area:bar;display:flex;align-items:center;gap:2px;min-width:0}" +
    ".listen-seek{flex:1;min-width:0;height:32px;margin:0 4px;padding:0;background:none;cursor:pointer;-webkit-appearance:none;appearance:none;--p:0%;--b:0%}" +
    ".listen-seek::-webkit-slider-runnable-track{height:4px;border-radius:2px;background:linear-gradient(90deg,var(--ac) var(--p),var(--buf) var(--p) var(--b),var(--trk) var(--b))}" +
    ".listen-seek::-moz-range-track{height:4px;border-radius:2px;background:linear-gradient(90deg,var(--ac) var(--p),var(--buf) var(--p) var(--b),var(--trk) var(--b))}" +
    ".listen-seek::-webkit-slider-thumb{-webkit-appearance:none;width:14px;height:14px;margin-top:-5px;border:0;border-radius:50%;background:var(--ac)}" +
    ".listen-seek::-moz-range-thumb{width:14px;height:14px;border:0;border-radius:50%;background:var(--ac)}" +
    ".listen-seek:disabled{opacity:.4;cursor:default}.listen-seek:focus-visible{outline-offset:0;border-radius:8px}" +
    ":focus{outline:0}:focus-visible{outline:2px solid var(--fg);outline-offset:2px}" +
    "[data-state=buffering] .listen-play svg{animation:listen-r 1s linear infinite}" +
    "@keyframes listen-r{to{transform:rotate(1turn)}}" +
    // compact: one row
    "[data-layout=compact] .listen-box{height:56px;display:flex;gap:6px;padding:0 8px}" +
    "[data-layout=compact] .listen-bar{display:contents}[data-layout=compact] .listen-title," +
    "[data-layout=compact] .listen-prev,[data-layout=compact] .listen-next{display:none}" +
    "[data-layout=compact] .listen-info{order:2;flex:0 1 auto;max-width:40%}[data-layout=compact] .listen-speed{order:3}" +
    "[data-layout=compact] .listen-dl{order:4}[data-layout=compact][data-state=error] .listen-info,[data-layout=compact][data-state=missing] .listen-info{flex:1;max-width:none}" +
    "[data-layout=compact] .listen-seek{min-width:56px}" +
    "[data-layout=compact] .listen-play{width:40px;height:40px}[data-layout=compact] .listen-play svg{width:26px;height:26px}" +
    "@container (max-width:439px){[data-layout=compact] .listen-back,[data-layout=compact] .listen-fwd," +
    "[data-layout=compact] .listen-unit,[data-layout=compact] .listen-tx{display:none}}" +
    ".listen-player[data-state=error] .listen-bar,.listen-player[data-state=missing] .listen-bar{display:none}" +
    ".listen-vol{width:64px;height:32px;margin:0 4px;padding:0;background:none;cursor:pointer;-webkit-appearance:none;appearance:none;--v:100%}" +
    ".listen-vol::-webkit-slider-runnable-track{height:4px;border-radius:2px;background:linear-gradient(90deg,var(--fg) var(--v),var(--trk) var(--v))}" +
    ".listen-vol::-webkit-slider-thumb{-webkit-appearance:none;width:12px;height:12px;margin-top:-4px;border-radius:50%;background:var(--fg)}" +
    "@container (max-width:519px){.listen-vol{display:none}}" +
    ".listen-over{display:inline;height:auto;margin-left:.5em;padding:0;color:var(--fg);font-weight:600;text-decoration:underline}" +
    "[data-layout=compact] .listen-mute{order:5}[data-layout=compact] .listen-vol{order:6}[data-layout=compact] .listen-tx{order:7}" +
    "@container (max-width:439px){[data-layout=compact] .listen-mute{display:none}}" +
    // touch screens: every target at least 44 px (WCAG 2.5.5); paragraph skips go when narrow
    "@media (pointer:coarse){.listen-box{grid-template-rows:44px 44px;gap:2px 6px}" +
    ".listen-icon,.listen-play,[data-layout=compact] .listen-play{width:44px;height:44px}" +
    ".listen-speed{height:44px;min-width:48px}.listen-retry{height:44px}.listen-seek{height:44px}" +
    ".listen-over{min-height:44px;display:inline-flex}[data-layout=compact] .listen-box{height:56px}" +
    ".listen-box{grid-template-columns:44px minmax(0,1fr) auto auto}" +
    "@container (max-width:419px){.listen-prev,.listen-next{display:none}}}" +
    "@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important}}";

  function sheetOf(css) {
    try { var s = new CSSStyleSheet(); s.replaceSync(css); return s; } catch (e) { return null; }
  }
  var sheet = sheetOf(CSS);
  function adopt(root, css, s) {
    if (s) root.adoptedStyleSheets = root.adoptedStyleSheets.concat(s);
    else el("style", {}, root.head || root).textContent = css;
  }

  var done = new WeakSet(), active = null;

  function fmt(s) {
    s = Math.max(0, Math.floor(s || 0));
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, x = s % 60;
    return (h ? h + ":" + (m < 10 ? "0" : "") : "") + m + ":" + (x < 10 ? "0" : "") + x;
  }
  function pickLang(l) { l = String(l || "").slice(0, 2).toLowerCase(); return T[l] ? l : ""; }
  function el(tag, attrs, parent) {
    var e = D.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  // localStorage may be missing or refuse (private modes, sandboxed frames): then nothing is kept.
  function get(k) { try { return localStorage.getItem(k); } catch (e) { return null; } }
  function store(k, v) {
    try { if (v == null) localStorage.removeItem(k); else localStorage.setItem(k, v); } catch (e) {}
  }
  // Colours as [r, g, b] 0-255; WCAG relative luminance and contrast ratio.
  function rgb(hex) {
    var h = hex.slice(1);
    if (h.length < 6) h = h.replace(/./g, "$&$&");
    return [0, 1, 2].map(function (i) { return parseInt(h.substr(i * 2, 2), 16); });
  }
  function lum(c) {
    var l = c.map(function (x) { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
  }
  function contrast(a, b) { var x = lum(a) + 0.05, y = lum(b) + 0.05; return x > y ? x / y : y / x; }
  // The publisher's accent, mixed toward black (light player) or white (dark) until it stands
  // out 3:1 against the player's background, as WCAG asks of controls; its ink, black or white.
  var BG = { light: [245, 246, 248], dark: [27, 30, 35] };
  function hexOf(c) { return "#" + c.map(function (x) { return (x < 16 ? "0" : "") + x.toString(16); }).join(""); }
  function mix(a, b, k) { return a.map(function (x, i) { return Math.round(x + (b[i] - x) * k); }); }
  function fit(hex, bg) {
    var c = rgb(hex), to = lum(bg) > 0.18 ? [0, 0, 0] : [255, 255, 255], k;
    for (k = 0; k <= 20 && contrast(c, bg) < 3; k++) c = mix(c, to, 0.1);
    var ink = contrast(c, [17, 17, 17]) >= contrast(c, [255, 255, 255]) ? "#111" : "#fff";
    return [hexOf(c), ink];
  }

  function init(host) {
    if (done.has(host) || host.shadowRoot) return;
    var id = host.getAttribute("data-listen-article");
    if (!id) return;
    var shadow;
    try { shadow = host.attachShadow({ mode: "open" }); } catch (e) { return; }
    done.add(host);
    function opt(n) { return (host.getAttribute("data-listen-" + n) || "").trim(); }

    // Until the API answers: the publisher's hint, else the page's own language.
    var lang = pickLang(opt("language")) || pickLang(D.documentElement.lang) || "en";
    var api = BASE + "/api/articles/" + encodeURIComponent(id);
    var audioUrl = api + "/audio.mp3", timingsUrl = api + "/timings.json", dlUrl = "";
    var title = "", publisher = "", artwork = "", est = 0, dur = 0, status = "", key = "listen:pos:" + id;
    var state = "", started = false, failedPlaying = false, errMsg = "", drag = false;
    var pendingSeek = -1, polls = 0, timer = 0, gen = 0, saved = 0;
    var pieces = null, tBusy = false, tQueue = [], events = "", X = null, shown = [];
    var layout = opt("layout"), theme = opt("theme"), accent = opt("accent");
    var me = { pause: function () { audio.pause(); hook("paint"); } };
    // What embed-more.js (fetched on first play, or when the transcript is opened) adds
    // to this player is given this view of it.
    var P = {
      id: id, host: host, shadow: shadow, opt: opt, me: me, L: L, button: button,
      play: play, toggle: toggle, seekTo: seekTo, skip: skip, paragraph: paragraph, pieceAt: pieceAt,
      now: now, paint: paint, loadTimings: loadTimings, broken: broken,
      get active() { return active === me; }, get started() { return started; }, get state() { return state; },
      get pieces() { return pieces; }, get dur() { return dur; }, get lang() { return lang; },
      get title() { return title; }, get publisher() { return publisher; }, get artwork() { return artwork; },
      get audio() { return audio; }, get root() { return root; }, get tx() { return txBtn; },
      get accent() { return accent; }, get events() { return events; }, get shown() { return shown; }
    };
    function hook(n) { if (X && X[n]) X[n](); }
    // The rest of the player, once: then fn(its part for this player).
    function extend(fn) {
      more(function (M) {
        X = X || M(P);
        if (fn) fn(X);
      });
    }

    adopt(shadow, CSS, sheet);
    var root = el("div", { "class": "listen-player", role: "group", "data-listen-id": id }, shadow);
    if (layout === "compact" || layout === "sticky") root.setAttribute("data-layout", layout);
    if (theme === "light" || theme === "dark") root.setAttribute("data-theme", theme);
    if (/^#([\da-f]{3}|[\da-f]{6})$/i.test(accent)) {
      var l = fit(accent, BG.light), d = fit(accent, BG.dark);
      root.style.setProperty("--acl", l[0]); root.style.setProperty("--acfgl", l[1]);
      root.style.setProperty("--acd", d[0]); root.style.setProperty("--acfgd", d[1]);
    } else accent = "";
    var box = el("div", { "class": "listen-box" }, root);
    function button(cls, parent) {
      var b = el("button", { type: "button", "class": cls }, parent || box);
      return b;
    }
    var btn = button("listen-play");
    var retryBtn = button("listen-retry");
    retryBtn.hidden = true;
    var info = el("div", { "class": "listen-info" }, box);
    var head = el("span", { "class": "listen-title" }, info);
    var sub = el("span", { "class": "listen-sub" }, info);
    var time = el("span", { "class": "listen-time" }, sub);
    var msg = el("span", { "class": "listen-msg" }, sub);
    var speed = el("select", { "class": "listen-speed" }, box);
    RATES.forEach(function (r) { el("option", { value: String(r) }, speed); });
    var dl = el("a", { "class": "listen-dl listen-icon", download: "", hidden: "" }, box);
    dl.innerHTML = svg("dl");
    var bar = el("div", { "class": "listen-bar" }, box);
    var prevBtn = button("listen-prev listen-icon", bar);
    var backBtn = button("listen-back listen-icon", bar);
    var seek = el("input", { type: "range", "class": "listen-seek", min: "0", max: "0", step: "any", value: "0" }, bar);
    var fwdBtn = button("listen-fwd listen-icon", bar);
    var nextBtn = button("listen-next listen-icon", bar);
    var muteBtn = button("listen-mute listen-icon", bar);
    var vol = el("input", { type: "range", "class": "listen-vol", min: "0", max: "1", step: "0.05" }, bar);
    var txBtn = button("listen-tx listen-icon", bar);
    txBtn.innerHTML = svg("tx");
    txBtn.setAttribute("aria-expanded", "false");
    var overBtn = button("listen-over");
    overBtn.hidden = true;
    prevBtn.innerHTML = svg("prev"); backBtn.innerHTML = svg("back");
    fwdBtn.innerHTML = svg("fwd"); nextBtn.innerHTML = svg("next");
    retryBtn.innerHTML = svg("retry") + "<span></span>";
    var audio = el("audio", { preload: "none" }, root);
    // A <track> given in the div (the iframe player's captions) goes to the audio.
    var tr = host.querySelector("track");
    if (tr) audio.appendChild(tr);
    var rate = +get("listen:rate");
    speed.value = RATES.indexOf(rate) >= 0 ? String(rate) : "1";
    var volume = get("listen:vol");
    audio.volume = volume !== null && isFinite(+volume) ? Math.min(1, Math.max(0, +volume)) : 1;
    audio.muted = get("listen:muted") === "1";
    saved = +get(key) || 0;

    function L() { return T[lang]; }
    // "error": it may work if asked again (Retry); "missing": it never will (a 404 or 422).
    function broken() { return state === "error" || state === "missing"; }
    // A position stored by an earlier visit, worth resuming (not the first seconds, not the end).
    function resumable() { var end = dur || est; return saved > 5 && (!end || saved < end - 10); }
    function titled() { return !!title && opt("title") !== "hide"; }
    function bufEnd() {
      var b = audio.buffered, t = audio.currentTime, end = 0;
      for (var i = 0; i < b.length; i++) { end = b.end(i); if (b.start(i) <= t && t <= end) break; }
      return end;
    }
    function now() { return pendingSeek >= 0 ? pendingSeek : audio.currentTime || 0; }

    var lastIcon = "";
    function render() {
      var t = L(), on = started && !audio.paused, err = broken(), named = title ? ": " + title : "";
      root.setAttribute("lang", lang);
      root.setAttribute("aria-label", t.player + named);
      root.setAttribute("data-state", state);
      var ic = on ? (state === "buffering" ? "load" : "pause") : "play";
      if (ic !== lastIcon) btn.innerHTML = svg(lastIcon = ic);
      btn.setAttribute("aria-label", (on ? t.pause : t.play) + named);
      btn.hidden = err;
      txBtn.hidden = err || opt("transcript") === "off";
      retryBtn.hidden = state !== "error";
      retryBtn.lastChild.textContent = t.retry;
      head.innerHTML = "";
      if (titled()) head.textContent = title;
      else {
        head.appendChild(D.createTextNode(t.listen));
        el("span", { "class": "listen-more" }, head).textContent = t.more;
      }
      var labels = [[seek, t.seek], [speed, t.speed], [muteBtn, t.mute], [vol, t.vol], [backBtn, t.back], [fwdBtn, t.fwd],
        [prevBtn, t.prev], [nextBtn, t.next], [dl, t.dl], [txBtn, t.tx]];
      for (var i = 0; i < labels.length; i++) labels[i][0].setAttribute("aria-label", labels[i][1]);
      dl.title = t.dl;
      for (i = 0; i < RATES.length; i++) {
        var s = String(RATES[i]);
        speed.options[i].textContent = (t.comma ? s.replace(".", ",") : s) + "\u00d7";
      }
      // Said only once the reader pressed play and is waiting: before, nothing is being made.
      var preparing = status === "pending" && started && state === "buffering";
      msg.setAttribute("aria-live", started ? "polite" : "off"); // announced once the reader acts
      msg.textContent = err ? errMsg : preparing ? t.prep : "";
      [prevBtn, backBtn, fwdBtn, nextBtn, seek, speed, muteBtn, vol].forEach(function (c) { c.disabled = err; });
      muteBtn.setAttribute("aria-pressed", String(audio.muted));
      var mi = audio.muted || !audio.volume ? "muted" : "vol";
      if (muteBtn.getAttribute("data-icon") !== mi) { muteBtn.innerHTML = svg(mi); muteBtn.setAttribute("data-icon", mi); }
      vol.value = String(audio.muted ? 0 : audio.volume);
      vol.style.setProperty("--v", Math.round(100 * +vol.value) + "%");
      overBtn.textContent = t.over;
      dl.hidden = !dlUrl || opt("download") === "false";
      if (dlUrl) dl.href = dlUrl;
      paint();
    }

    function paint() {
      var t = now(), total = dur || Math.max(est, bufEnd(), t) || 1, t2 = L();
      seek.max = String(total);
      if (!drag) seek.value = String(Math.min(t, total));
      seek.style.setProperty("--p", (100 * Math.min(t / total, 1)).toFixed(2) + "%");
      seek.style.setProperty("--b", (100 * Math.min(Math.max(bufEnd(), t) / total, 1)).toFixed(2) + "%");
      var text = broken() ? "" : started ? fmt(t) + (dur ? " / " + fmt(dur) : "") :
        est ? Math.max(1, Math.ceil(est / 60)) + t2.min : "";
      // Before play: "Listen · 4 min" under the article's title, else "4 min listen" under
      // "Listen to this article"; the extra words go when a compact player is narrow.
      var resume = !started && !broken() && resumable();
      if (resume) text = fmt(saved);
      var lead = resume ? t2.resume : !started && est && titled() ? t2.listen + " \u00b7 " : "", unit = !started && est && !lead ? t2.unit : "";
      overBtn.hidden = !resume;
      if (resume && overBtn.parentNode !== sub) sub.appendChild(overBtn);
      if (time.textContent !== lead + text + unit) {
        time.textContent = "";
        if (lead) el("span", { "class": resume ? "" : "listen-unit" }, time).textContent = lead;
        time.appendChild(D.createTextNode(text));
        if (unit) el("span", { "class": "listen-unit" }, time).textContent = unit;
      }
      seek.setAttribute("aria-valuetext", fmt(t) + (dur ? t2.of + fmt(dur) : ""));
      shown = [t, total, text];
      hook("paint");
    }

    function setState(s) {
      var focusRetry = s === "error" && shadow.activeElement === btn;
      var focusBtn = state === "error" && s !== "error" && shadow.activeElement === retryBtn;
      state = s;
      render();
      hook("state");
      if (focusRetry) retryBtn.focus();
      if (focusBtn) btn.focus();
    }

    function fail(m) {
      errMsg = m || L().err;
      setState("error");
    }

    function url(u, dflt) {
      try { return u ? new URL(String(u), BASE + "/").href : dflt; } catch (e) { return dflt; }
    }

    // Metadata. quiet: a background poll, whose hiccups are not shown.
    function loadMeta(quiet) {
      var my = ++gen;
      clearTimeout(timer);
      fetch(api, { headers: { Accept: "application/json" } }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (j) { return [r.status, j || {}]; });
      }).then(function (res) {
        if (my !== gen) return;
        var code = res[0], j = res[1];
        if (code >= 400 && code < 500 && code !== 408 && code !== 409 && code !== 429) {
          // No such article (404), or nothing to speak in it (422): asking again will not help.
          clearTimeout(timer);
          if (opt("missing") === "hide") { host.hidden = true; return; } // its room goes back to the page
          errMsg = L().gone;
          return setState("missing");
        }
        if (code >= 400 || j.status === "error") {
          // A background poll's hiccup is not shown: the audio element reports its own errors.
          if (j.status === "error") status = "error"; // synthesis failed: Retry asks for the audio again
          if (!quiet) fail();
          return;
        }
        lang = pickLang(j.language) || lang;
        title = String(j.title || "");
        publisher = String(j.publisher || "");
        artwork = url(j.artwork_url, "");
        est = +j.estimated_s || +j.duration_s || est;
        status = j.status;
        if (+j.duration_s > 0 && !(isFinite(audio.duration) && audio.duration > 0)) dur = +j.duration_s;
        dlUrl = url(j.download_url, "");
        events = url(j.events_url, "");
        timingsUrl = url(j.timings_url, timingsUrl);
        var u = url(j.audio_url, audioUrl);
        if (u !== audioUrl && !started) audioUrl = u;
        hook("meta"); // a player that started before its metadata came (the next article) shows it now
        if (status === "ready") {
          if (started || tQueue.length) loadTimings();
        } else if (status === "pending" && started) {
          // Being made while the reader listens: look again, less and less often, until the
          // stream is complete (then the timings exist). Never before play: nothing is made then.
          if (polls < 200) timer = setTimeout(function () { loadMeta(true); }, Math.min(3000 * Math.pow(1.5, polls++), 15000));
        }
        // Before play a player looks the same whether its audio is made yet or not.
        setState(!started ? "idle" : state);
      }, function () {
        if (my !== gen || quiet) return;
        fail();
      });
    }

    function loadTimings(then) {
      if (then) tQueue.push(then);
      if (pieces) return flush();
      if (tBusy) return;
      tBusy = true;
      fetch(timingsUrl).then(function (r) { return r.ok ? r.json() : null; }).then(function (j) {
        tBusy = false;
        if (!j || !j.pieces) { tQueue = []; return; } // 409 until the audio is complete: asked again when it is
        pieces = j.pieces.filter(function (p) { return isFinite(p.start); });
        if (+j.duration_s > 0 && !isFinite(audio.duration)) dur = +j.duration_s;
        hook("timings");
        flush();
        paint();
      }, function () { tBusy = false; tQueue = []; });
    }
    function flush() { while (pieces && tQueue.length) tQueue.shift()(); }


    function pieceAt(t) {
      var i = 0;
      if (!pieces) return -1;
      for (var k = 1; k < pieces.length; k++) if (pieces[k].start <= t + 0.05) i = k; else break;
      return i;
    }


    function seekTo(t) {
      t = Math.max(0, Math.min(t, (dur || Infinity) - 0.25));
      if (audio.readyState > 0) { audio.currentTime = t; pendingSeek = -1; }
      else pendingSeek = t; // applied once metadata is in; setting currentTime now would do nothing
      paint();
    }
    function skip(d) { seekTo(now() + d); }
    function paragraph(d) {
      loadTimings(function () {
        var t = now(), i = pieceAt(t), target;
        if (!pieces.length) return;
        if (d > 0) target = pieces[i + 1];
        else target = t - pieces[i].start > 3 || i === 0 ? pieces[i] : pieces[i - 1];
        if (target) seekTo(target.start);
      });
    }

    function play() {
      if (!started) {
        if (pendingSeek < 0 && resumable()) pendingSeek = saved;
        started = true;
        extend();
        if (tr) tr.track.mode = "hidden"; // the captions are fetched now, not before
        if (status === "ready") loadTimings();
        else {
          // Streamed while it is made: watch for the end, when the timings exist.
          polls = 0;
          clearTimeout(timer);
          timer = setTimeout(function () { loadMeta(true); }, 3000);
        }
      }
      if (!audio.getAttribute("src")) audio.src = audioUrl;
      failedPlaying = false;
      var p = audio.play();
      setState(audio.readyState < 3 ? "buffering" : state === "error" ? "paused" : state);
      if (p && p.catch) p.catch(function (e) {
        if (e && e.name === "NotAllowedError") setState("paused");
        // AbortError: paused before it could start. Media errors arrive as the "error" event.
      });
    }
    function toggle() { if (audio.paused) play(); else audio.pause(); }

    btn.addEventListener("click", toggle);
    txBtn.addEventListener("click", function () { extend(function (x) { x.transcript(); }); });
    backBtn.addEventListener("click", function () { skip(-15); });
    fwdBtn.addEventListener("click", function () { skip(15); });
    prevBtn.addEventListener("click", function () { paragraph(-1); });
    nextBtn.addEventListener("click", function () { paragraph(1); });

    retryBtn.addEventListener("click", function () {
      errMsg = "";
      if (failedPlaying || status === "error") {
        // The audio failed (or its synthesis did): asking for it again makes the server try again.
        var at = audio.currentTime;
        audio.src = audioUrl; // re-runs the load algorithm
        if (at > 0) pendingSeek = at; // carry on where it broke off
        play();
      } else {
        started = false;
        setState("loading");
        loadMeta();
      }
    });

    seek.addEventListener("pointerdown", function () { drag = true; });
    seek.addEventListener("pointerup", function () { drag = false; });
    seek.addEventListener("change", function () { drag = false; });
    seek.addEventListener("input", function () { seekTo(+seek.value); });

    // Kept at once, not only on volumechange (a task that a page left at once never runs).
    function keepVolume() {
      store("listen:vol", String(audio.volume));
      store("listen:muted", audio.muted ? "1" : null);
    }
    muteBtn.addEventListener("click", function () {
      audio.muted = !audio.muted;
      if (!audio.muted && !audio.volume) audio.volume = 1;
      keepVolume();
    });
    vol.addEventListener("input", function () {
      audio.volume = +vol.value;
      audio.muted = !audio.volume;
      keepVolume();
    });
    overBtn.addEventListener("click", function () {
      store(key, null);
      saved = 0;
      pendingSeek = 0;
      play();
    });
    on("volumechange", function () { keepVolume(); render(); });

    speed.addEventListener("change", function () {
      audio.defaultPlaybackRate = audio.playbackRate = +speed.value || 1;
      store("listen:rate", speed.value);
    });

    root.addEventListener("keydown", function (e) {
      var k = e.key, tag = e.target.tagName;
      if (e.ctrlKey || e.metaKey || e.altKey || tag === "SELECT" || e.target === vol || broken()) return;
      if (k === "k" || k === "K" || (k === " " && tag !== "BUTTON")) toggle();
      else if (k === "ArrowLeft" || k === "ArrowRight") skip(k === "ArrowLeft" ? -5 : 5);
      else return;
      e.preventDefault();
    });

    function save() {
      var t = audio.currentTime;
      if (started && pendingSeek < 0 && t > 0 && state !== "ended") store(key, t.toFixed(1));
    }
    function on(ev, fn) { audio.addEventListener(ev, fn); }
    var lastSave = 0;
    on("play", function () {
      var was = active;
      active = me;
      if (was && was !== me) was.pause(); // one voice at a time
      hook("play");
    });
    on("playing", function () { setState("playing"); hook("position"); });
    on("waiting", function () { if (!audio.paused) setState("buffering"); });
    on("pause", function () { save(); if (!broken() && state !== "ended") setState("paused"); });
    on("ended", function () {
      store(key, null);
      setState("ended");
      if (!pieces && started) loadMeta(true); // the stream is over: the timings exist now
    });
    on("timeupdate", function () {
      paint();
      if (Date.now() - lastSave > 2000) { lastSave = Date.now(); save(); }
    });
    on("progress", paint);
    on("seeked", function () { paint(); hook("position"); });
    on("ratechange", function () { paint(); hook("position"); });
    on("durationchange", function () {
      if (isFinite(audio.duration) && audio.duration > 0) dur = audio.duration;
      if (pendingSeek >= 0 && audio.readyState > 0) { audio.currentTime = pendingSeek; pendingSeek = -1; }
      audio.defaultPlaybackRate = audio.playbackRate = +speed.value || 1;
      paint();
    });
    on("error", function () {
      if (!audio.error || !started) return;
      failedPlaying = true;
      if (!audio.paused) audio.pause();
      fail();
    });
    W.addEventListener("pagehide", save);



    setState("loading");
    loadMeta();
    if (GO.delete(host)) play();
  }

  function scan(node) {
    node = node || D;
    if (node.nodeType !== 1 && node.nodeType !== 9) return;
    if (node.nodeType === 1 && node.matches(SEL)) init(node);
    var list = node.querySelectorAll(SEL);
    for (var i = 0; i < list.length; i++) init(list[i]);
  }

  // The rest of the player (reading along, transcript, sticky mini-player, lock screen,
  // reports, next article): fetched once, on the first play or transcript opened.
  var MORE = BASE + "/embed-more.__LISTEN_MORE__.js", queue = null;
  function more(fn) {
    var LE = W.ListenEmbed;
    if (LE.more) return fn(LE.more);
    if (!queue) {
      queue = [];
      var s = el("script", { src: MORE, async: "" }, D.head || D.documentElement);
      s.onload = function () { var q = queue; queue = null; if (LE.more) q.forEach(function (f) { f(LE.more); }); };
      s.onerror = function () { queue = null; }; // the player plays on without it
    }
    queue.push(fn);
  }

  // Players to start as soon as they exist: the next article of a playlist.
  var GO = new WeakSet();
  W.ListenEmbed = { scan: function () { scan(D); }, base: BASE, go: GO,
    u: { el: el, svg: svg, adopt: adopt, sheetOf: sheetOf, css: CSS, sheet: sheet, fit: fit, mix: mix, rgb: rgb, contrast: contrast } };

  function start() {
    scan(D);
    if (W.MutationObserver) {
      new MutationObserver(function (muts) {
        for (var i = 0; i < muts.length; i++) {
          var m = muts[i];
          if (m.type === "attributes") scan(m.target);
          else for (var j = 0; j < m.addedNodes.length; j++) scan(m.addedNodes[j]);
        }
      }).observe(D.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-listen-article"] });
    }
  }
  if (D.readyState === "loading") D.addEventListener("DOMContentLoaded", start);
  else start();
})();
