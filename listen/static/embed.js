/*! listen embed player: <script src="https://HOST/embed.js" async></script>
    <div data-listen-article="ID"></div> */
(function () {
  "use strict";
  var W = window, D = document;
  // Loaded twice (one snippet per article)? Let the first copy do the work.
  if (W.ListenEmbed) { W.ListenEmbed.scan(); return; }

  // Our own origin, captured now: currentScript is only set during this run.
  var BASE = location.origin;
  try { if (D.currentScript && D.currentScript.src) BASE = new URL(D.currentScript.src).origin; } catch (e) {}

  var SEL = "[data-listen-article]";
  var RATES = [0.75, 1, 1.25, 1.5, 2];
  var T = {
    en: { listen: "Listen to this article", play: "Play", pause: "Pause", seek: "Seek",
      speed: "Speed", prep: "Preparing audio\u2026", retry: "Retry", player: "Article audio",
      of: " of ", err: "Audio is not available right now.", comma: 0 },
    es: { listen: "Escuchar este art\u00edculo", play: "Reproducir", pause: "Pausa", seek: "Buscar",
      speed: "Velocidad", prep: "Preparando audio\u2026", retry: "Reintentar", player: "Audio del art\u00edculo",
      of: " de ", err: "El audio no est\u00e1 disponible en este momento.", comma: 1 }
  };
  var ICON = {
    play: '<path d="M8 5.5v13l11-6.5z"/>',
    pause: '<path d="M7 5h3.5v14H7zM13.5 5H17v14h-3.5z"/>',
    load: '<circle cx="12" cy="12" r="8" fill="none" stroke="currentColor" stroke-width="2.5" stroke-dasharray="34 16" stroke-linecap="round"/>'
  };

  var CSS =
    ":host{display:block;min-height:88px;contain:layout paint}" +
    ":host([hidden]){display:none}" +
    "[hidden]{display:none!important}" +
    ".listen-player{all:initial;display:block;container-type:inline-size;color-scheme:light dark;" +
    "font:15px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;" +
    "--bg:#f4f5f7;--bd:#dfe2e7;--fg:#16181d;--mu:#555b66;--btn:#16181d;--btnfg:#fff;--ring:#2563eb;--err:#b3261e}" +
    "@media (prefers-color-scheme:dark){.listen-player{--bg:#1e2228;--bd:#363c46;--fg:#f2f4f7;--mu:#b9c0cb;" +
    "--btn:#f2f4f7;--btnfg:#16181d;--ring:#8ab4ff;--err:#ffb4ab}}" +
    ".listen-box{box-sizing:border-box;display:grid;align-items:center;gap:8px 12px;" +
    "grid-template-columns:minmax(0,1fr) auto auto;grid-template-areas:'btn btn btn' 'seek time spd' 'msg msg msg';" +
    "padding:12px 14px 8px;border:1px solid var(--bd);border-radius:14px;background:var(--bg);color:var(--fg);text-align:left}" +
    "@container (min-width:520px){.listen-box{grid-template-columns:auto minmax(0,1fr) auto auto;" +
    "grid-template-areas:'btn seek time spd' 'msg msg msg msg'}}" +
    "button,select{font:inherit;color:inherit;margin:0;cursor:pointer}" +
    ".listen-play,.listen-retry{grid-area:btn;display:inline-flex;align-items:center;gap:6px;min-height:40px;" +
    "justify-self:start;max-width:100%;box-sizing:border-box;padding:0 16px 0 12px;border:0;border-radius:999px;background:var(--btn);color:var(--btnfg);font-weight:600;" +
    "white-space:nowrap;transition:opacity .15s}" +
    ".listen-retry{padding:0 16px}.listen-label{overflow:hidden;text-overflow:ellipsis}" +
    "button:hover{opacity:.85}" +
    "svg{width:22px;height:22px;fill:currentColor;flex:none}" +
    "[data-state=loading] .listen-spin{animation:listen-r 1s linear infinite}" +
    "@keyframes listen-r{to{transform:rotate(1turn)}}" +
    ".listen-seek{grid-area:seek;width:100%;min-width:0;height:24px;margin:0;accent-color:var(--fg);cursor:pointer}" +
    ".listen-seek:disabled{opacity:.45;cursor:default}" +
    ".listen-time{grid-area:time;font-size:13px;color:var(--mu);font-variant-numeric:tabular-nums;white-space:nowrap}" +
    ".listen-speed{grid-area:spd;justify-self:end;min-height:32px;padding:2px 6px;border:1px solid var(--bd);" +
    "border-radius:8px;background:transparent;font-size:14px}" +
    ".listen-msg{grid-area:msg;min-height:18px;margin:0;font-size:13px;line-height:18px;color:var(--mu)}" +
    "[data-state=error] .listen-msg{color:var(--err)}" +
    ":focus-visible{outline:2px solid var(--ring);outline-offset:2px}" +
    "@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important}}";

  var sheet = null;
  try { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); } catch (e) { sheet = null; }

  var done = new WeakSet();

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

  function init(host) {
    if (done.has(host) || host.shadowRoot) return;
    var id = host.getAttribute("data-listen-article");
    if (!id) return;
    var shadow;
    try { shadow = host.attachShadow({ mode: "open" }); } catch (e) { return; }
    done.add(host);

    // Until the API answers: the publisher's hint, else the page's own language.
    var lang = pickLang(host.getAttribute("data-listen-language")) ||
      pickLang(D.documentElement.lang) || "en";
    var api = BASE + "/api/articles/" + encodeURIComponent(id);
    var audioUrl = api + "/audio.mp3";
    var state = "", started = false, failedPlaying = false, errMsg = "";
    var dur = 0, pendingSeek = -1, polls = 0, timer = 0, gen = 0;

    if (sheet) shadow.adoptedStyleSheets = [sheet];
    else el("style", {}, shadow).textContent = CSS;

    var root = el("div", { "class": "listen-player", role: "group", "data-listen-id": id }, shadow);
    var box = el("div", { "class": "listen-box" }, root);
    var btn = el("button", { type: "button", "class": "listen-play" }, box);
    btn.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"></svg><span class="listen-label"></span>';
    var icon = btn.firstChild, label = btn.lastChild;
    var retryBtn = el("button", { type: "button", "class": "listen-retry", hidden: "" }, box);
    var seek = el("input", { type: "range", "class": "listen-seek", min: "0", max: "0", step: "1", value: "0" }, box);
    var time = el("span", { "class": "listen-time" }, box);
    var speed = el("select", { "class": "listen-speed" }, box);
    RATES.forEach(function (r) { el("option", { value: String(r) }, speed); });
    speed.value = "1";
    var msg = el("p", { "class": "listen-msg", role: "status", "aria-live": "polite" }, box);
    var audio = el("audio", { preload: "none" }, root);

    function L() { return T[lang]; }

    function render() {
      var t = L(), playingish = !audio.paused && started;
      root.setAttribute("lang", lang);
      root.setAttribute("aria-label", t.player);
      root.setAttribute("data-state", state);
      label.textContent = !started ? t.listen : playingish ? t.pause : t.play;
      icon.innerHTML = playingish ? (state === "loading" ? ICON.load : ICON.pause) : ICON.play;
      icon.setAttribute("class", playingish && state === "loading" ? "listen-spin" : "");
      retryBtn.textContent = t.retry;
      seek.setAttribute("aria-label", t.seek);
      speed.setAttribute("aria-label", t.speed);
      for (var i = 0; i < RATES.length; i++) {
        var s = String(RATES[i]);
        speed.options[i].textContent = (t.comma ? s.replace(".", ",") : s) + "\u00d7";
      }
      var err = state === "error";
      btn.hidden = err;
      retryBtn.hidden = !err;
      msg.textContent = err ? errMsg : state === "loading" ? t.prep : "";
      renderTime();
    }

    function renderTime() {
      var cur = pendingSeek >= 0 ? pendingSeek : audio.currentTime || 0;
      var max = Math.max(0, Math.round(dur));
      if (seek.max !== String(max)) seek.max = String(max);
      seek.value = String(Math.min(Math.floor(cur), max));
      seek.disabled = state === "error" || !dur;
      var total = dur ? fmt(dur) : "-:--";
      time.textContent = fmt(cur) + " / " + total;
      seek.setAttribute("aria-valuetext", fmt(cur) + L().of + total);
    }

    function setState(s) {
      var focusRetry = s === "error" && shadow.activeElement === btn;
      var focusBtn = state === "error" && s !== "error" && shadow.activeElement === retryBtn;
      state = s;
      render();
      if (focusRetry) retryBtn.focus();
      if (focusBtn) btn.focus();
    }

    function fail(m) {
      errMsg = m || L().err;
      setState("error");
    }

    // Metadata. cb(ok) runs after the state was updated.
    function loadMeta(cb, quiet) {
      var my = ++gen;
      clearTimeout(timer);
      fetch(api, { headers: { Accept: "application/json" } }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (j) { return [r.ok, j || {}]; });
      }).then(function (res) {
        if (my !== gen) return;
        var ok = res[0], j = res[1];
        lang = pickLang(j.language) || lang;
        if (typeof j.duration_s === "number" && j.duration_s > 0 && !isFinite(audio.duration)) dur = j.duration_s;
        var u = "";
        try { u = j.audio_url ? new URL(String(j.audio_url), BASE + "/").href : ""; } catch (e) {}
        if (u && u !== audioUrl) {
          audioUrl = u;
          if (audio.getAttribute("src") && !started) audio.src = audioUrl;
        }
        if (!ok || j.status === "error") {
          if (quiet && !ok) return render(); // background poll hiccup: keep the current state
          fail(j.message);
          return cb && cb(false);
        }
        if (!audio.getAttribute("src")) audio.src = audioUrl; // preload="none": no download yet
        if (!started) {
          if (j.status === "pending") {
            setState("loading");
            // Re-check a few times with backoff, in case the server prepares it in the background.
            if (polls < 5) timer = setTimeout(function () { if (!started) loadMeta(null, true); }, 3000 * Math.pow(2, polls++));
          } else setState("idle");
        } else render();
        if (cb) cb(true);
      }, function () {
        if (my !== gen) return;
        if (quiet && !started) return;
        fail();
        if (cb) cb(false);
      });
    }

    function play() {
      if (!audio.getAttribute("src")) audio.src = audioUrl;
      started = true;
      failedPlaying = false;
      clearTimeout(timer);
      var p = audio.play();
      setState(audio.readyState < 3 ? "loading" : state === "error" ? "paused" : state);
      if (p && p.catch) p.catch(function (e) {
        if (e && e.name === "NotAllowedError") setState("paused");
        // AbortError: paused before it could start. Media errors arrive as the "error" event.
      });
    }

    btn.addEventListener("click", function () {
      if (audio.paused) play(); else audio.pause();
    });

    retryBtn.addEventListener("click", function () {
      var resume = failedPlaying;
      errMsg = "";
      started = started && resume;
      setState("loading");
      if (resume) {
        var at = audio.currentTime;
        audio.src = audioUrl; // re-runs the load algorithm
        if (at > 0) pendingSeek = at; // carry on where it broke off
        play();
      } else loadMeta();
    });

    seek.addEventListener("input", function () {
      var v = +seek.value;
      if (audio.readyState > 0) { audio.currentTime = v; pendingSeek = -1; }
      else pendingSeek = v; // applied once metadata is in; setting currentTime now would do nothing
      renderTime();
    });

    speed.addEventListener("change", function () {
      audio.defaultPlaybackRate = audio.playbackRate = +speed.value || 1;
    });

    function on(ev, fn) { audio.addEventListener(ev, fn); }
    on("playing", function () { setState("playing"); });
    on("waiting", function () { if (!audio.paused) setState("loading"); });
    on("pause", function () { if (state !== "error") setState("paused"); });
    on("timeupdate", renderTime);
    on("durationchange", function () {
      if (isFinite(audio.duration) && audio.duration > 0) dur = audio.duration;
      if (pendingSeek >= 0 && audio.readyState > 0) { audio.currentTime = Math.min(pendingSeek, dur); pendingSeek = -1; }
      audio.playbackRate = +speed.value || 1;
      renderTime();
    });
    on("error", function () {
      if (!audio.error || !started) return;
      failedPlaying = true;
      if (!audio.paused) audio.pause();
      fail();
      // The media element can't read the JSON error body; ask the API for a readable message.
      fetch(api, { headers: { Accept: "application/json" } }).then(function (r) { return r.json(); }).then(function (j) {
        if (state === "error" && j && j.message && j.status !== "ready") { errMsg = String(j.message); render(); }
      }, function () {});
    });

    setState("idle");
    loadMeta();
  }

  function scan(node) {
    node = node || D;
    if (node.nodeType !== 1 && node.nodeType !== 9) return;
    if (node.nodeType === 1 && node.matches(SEL)) init(node);
    var list = node.querySelectorAll(SEL);
    for (var i = 0; i < list.length; i++) init(list[i]);
  }

  W.ListenEmbed = { scan: function () { scan(D); }, base: BASE };

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
