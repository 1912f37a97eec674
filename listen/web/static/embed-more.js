/*! listen embed player, the rest of it: what a player needs only once the reader pressed
    play or opened the transcript. embed.js fetches it then (as embed-more.<version>.js) and
    calls ListenEmbed.more(P) for each player P, which gives back the player's hooks:
    reading along (paragraph, and sentence where the timings have sentences), click or
    Enter on a paragraph to seek, the transcript and chapter menu, the sticky mini-player,
    Media Session, listening reports (POST events_url) and the next article of a playlist. */
(function () {
  "use strict";
  var W = window, D = document, LE = W.ListenEmbed;
  if (!LE || LE.more) return;
  var U = LE.u, el = U.el, READING = "listen-reading", SENTENCE = "listen-sentence";
  var T = {
    en: { close: "Close", ch: "Chapters" },
    es: { close: "Cerrar", ch: "Cap\u00edtulos" }
  };
  var CLOSE = '<path d="M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4l5.6 5.6L5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6z"/>';
  var CSS =
    ":host([data-listen-mini]){position:fixed;left:0;right:0;bottom:0;z-index:2147483000}" +
    // the mini-player of the sticky layout
    ".listen-mini{padding:0 8px calc(8px + env(safe-area-inset-bottom,0px))}" +
    ".listen-mini .listen-box{display:flex;gap:8px;height:56px;max-width:560px;margin:0 auto;overflow:hidden;box-shadow:0 4px 18px rgba(0,0,0,.22)}" +
    ".listen-mini .listen-info{flex:1}.listen-prog{position:absolute;left:0;bottom:0;height:3px;width:var(--p);background:var(--ac)}" +
    ".listen-mini .listen-play{width:40px;height:40px}.listen-mini .listen-play svg{width:26px;height:26px}" +
    "@media (pointer:coarse){.listen-mini .listen-play{width:44px;height:44px}}" +
    // the transcript, under the player
    ".listen-panel{margin-top:6px;padding:6px;border:1px solid var(--bd);border-radius:14px;background:var(--bg)}" +
    ".listen-ch{display:block;max-width:100%;height:32px;margin:0 0 6px;padding:0 8px;border:1px solid var(--bd);" +
    "border-radius:99px;background:var(--bg);font-size:13px;font-weight:600}" +
    ".listen-lines{list-style:none;margin:0;padding:0;max-height:240px;overflow:auto;position:relative}" +
    ".listen-line{display:block;width:100%;padding:6px 8px;border-radius:8px;text-align:left;font-size:14px;line-height:1.45}" +
    ".listen-line[data-kind=heading],.listen-line[data-kind=title]{font-weight:650}" +
    ".listen-line[aria-current]{background:var(--hov);box-shadow:inset 3px 0 var(--ac)}" +
    "@media (hover:hover){.listen-line:hover{background:var(--hov)}}" +
    "@media (pointer:coarse){.listen-line{min-height:44px}.listen-ch{height:44px}}";
  var sheet = U.sheetOf(CSS);
  // The one style outside the shadow roots: the paragraph (and sentence) being read on the
  // host page. Its colours are worked out against the page behind it (see mark()): a tint
  // that keeps the text 4.5:1, and a bar on its left that stands out 3:1 from the page.
  var HOST_CSS = "." + READING + "{background-color:var(--listen-tint,rgba(31,95,214,.13));" +
    "box-shadow:0 0 0 .25em var(--listen-tint,rgba(31,95,214,.13)),-.5em 0 0 0 var(--listen-mark,#1f5fd6);" +
    "border-radius:.2em}@media (prefers-reduced-motion:no-preference){." + READING + "{transition:background-color .3s,box-shadow .3s}}";
  var hostSheet = null, hostStyled = false;
  function styleHost(sentence) {
    var css = HOST_CSS + (sentence ? "::highlight(" + SENTENCE + "){" + sentence + "}" : "");
    if (!hostStyled) { hostStyled = true; hostSheet = U.sheetOf(css); U.adopt(D, css, hostSheet); }
    else if (hostSheet) hostSheet.replaceSync(css);
  }
  var marks = W.CSS && W.CSS.highlights && W.Highlight ? W.CSS.highlights : null;

  // The page follows the paragraph being read, unless the reader scrolled in the last seconds:
  // a scroll we did not start is theirs. Ours lasts until its scrollend, however late a busy page
  // delivers it (without scrollend: until its scroll events stop for a moment).
  var moving = 0, theirs = 0, FOLLOW_PAUSE = 8000, ENDS = "onscrollend" in W, QUIET = { passive: true };
  function settled() { clearTimeout(moving); moving = 0; }
  function ours(ms) { clearTimeout(moving); moving = setTimeout(settled, ms); }
  function mine() { theirs = Date.now(); settled(); }
  W.addEventListener("scroll", function () { if (!moving) mine(); else if (!ENDS) ours(400); }, QUIET);
  if (ENDS) W.addEventListener("scrollend", settled, QUIET);
  ["wheel", "touchmove"].forEach(function (ev) { W.addEventListener(ev, mine, QUIET); });
  function follow(e) {
    if (Date.now() - theirs < FOLLOW_PAUSE) return;
    var r = e.getBoundingClientRect(), h = W.innerHeight || D.documentElement.clientHeight;
    if (r.top >= 0 && r.bottom <= h) return; // in view: nothing moves
    var still = W.matchMedia && W.matchMedia("(prefers-reduced-motion: reduce)").matches;
    ours(ENDS ? 5000 : 1500); // the timer only guards against a scroll that never starts
    e.scrollIntoView({ block: r.height > h * 0.8 ? "start" : "center", behavior: still ? "auto" : "smooth" });
  }

  // Text as compared between the host page and the timings: case, accents, punctuation and spacing ignored.
  function norm(s) {
    return String(s || "").toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }
  function same(page, piece) {
    if (!page || !piece) return false;
    var a = page.slice(0, 60), b = piece.slice(0, 60);
    return b.length < 20 ? page === piece : page.indexOf(b) >= 0 || (a.length >= 20 && piece.indexOf(a) >= 0);
  }
  // Sentences as [start, end) offsets in s, as the engines part them: up to . ! ? or …
  // (closing quotes and brackets with them). Used only where the count matches the timings'.
  var SENT = /[^.!?\u2026]+(?:[.!?\u2026]+["'\u201d\u2019)\]\u00bb]*|$)/g;
  function spans(s) {
    var out = [], m;
    SENT.lastIndex = 0;
    while ((m = SENT.exec(s))) {
      var lead = m[0].search(/\S/);
      if (/[\p{L}\p{N}]/u.test(m[0])) out.push([m.index + lead, m.index + m[0].replace(/\s+$/, "").length]);
    }
    return out;
  }
  // The piece's sentences, split only when the text parts into as many as the audio has.
  function parts(p) {
    var n = p.sentences ? p.sentences.length : 0, s = spans(p.text || "");
    return n > 1 && s.length === n ? s : null;
  }
  // A DOM Range over characters [a, b) of element e's text.
  function range(e, a, b) {
    var w = D.createTreeWalker(e, NodeFilter.SHOW_TEXT), n, at = 0, r = D.createRange(), begun = false;
    while ((n = w.nextNode())) {
      var len = n.data.length;
      if (!begun && a < at + len) { r.setStart(n, a - at); begun = true; }
      if (begun && b <= at + len) { r.setEnd(n, b - at); return r; }
      at += len;
    }
    return null;
  }

  // A computed colour ("rgb(1, 2, 3)", "rgba(0, 0, 0, 0)") as [r, g, b, alpha].
  function parsed(css) {
    var n = (String(css).match(/[\d.]+/g) || []).map(Number);
    return n.length >= 3 ? [n[0], n[1], n[2], n.length > 3 ? n[3] : 1] : null;
  }
  // The colour behind an element of the host page: the first opaque background around it.
  function behind(e) {
    for (var n = e; n && n.nodeType === 1; n = n.parentElement) {
      var c = parsed(getComputedStyle(n).backgroundColor);
      if (c && c[3] > 0.5) return c.slice(0, 3);
    }
    return [255, 255, 255];
  }
  // The strongest mix of bg toward colour (up to share `from`) on which text keeps 4.5:1.
  function tintOf(bg, colour, text, from) {
    for (var a = from; a > 0.01; a -= 0.03) {
      var t = U.mix(bg, colour, a);
      if (!text || U.contrast(text, t) >= 4.5) return t;
    }
    return bg;
  }
  // The highlight's colours for a paragraph: its bar 3:1 against the page, its tint as strong
  // as it may be while the paragraph's own text keeps 4.5:1 on it; the sentence being read a
  // stronger tint still (4.5:1 too), underlined in the bar's colour.
  function mark(e, accent) {
    var bg = behind(e), bar = U.fit(accent || "#1f5fd6", bg)[0], c = parsed(getComputedStyle(e).color);
    var text = c && c.slice(0, 3), tint = tintOf(bg, U.rgb(bar), text, 0.16), strong = tintOf(bg, U.rgb(bar), text, 0.34);
    e.style.setProperty("--listen-mark", bar);
    e.style.setProperty("--listen-tint", "rgb(" + tint.join(",") + ")");
    styleHost("background-color:rgb(" + strong.join(",") + ");text-decoration:underline 2px " + bar);
  }
  function siteHost() {
    try { if (W.top !== W && D.referrer) return new URL(D.referrer).hostname; } catch (e) {}
    return location.hostname;
  }

  LE.more = function (P) {
    var audio = P.audio, map = [], reading = null, said = null, hlBox = null, keyed = [];
    var mini = null, offscreen = false, dismissed = false, panel = null, list = null, chSel = null;
    var lines = [], shownLine = null, filled = null;
    function t2() { return T[P.lang] || T.en; }
    U.adopt(P.shadow, CSS, sheet);
    function live() { return P.pieces && P.started && P.active && P.state !== "ended" && !P.broken(); }

    // Reading along: the host page's paragraphs, matched to the spoken pieces by their text.
    function mapParagraphs() {
      var pieces = P.pieces, sel = P.opt("highlight"), c = null, i, k, j = 0;
      try { c = sel ? D.querySelector(sel) : null; } catch (e) {}
      c = c || P.host.closest("article") || D.body;
      // data-listen-paragraph="" (or ="<article id>" when several articles share the page)
      var marked = [].filter.call(c.querySelectorAll("[data-listen-paragraph]"), function (e) {
        var v = e.getAttribute("data-listen-paragraph");
        return !v || v === P.id;
      });
      var found = marked.length ? marked : c.querySelectorAll("p,h1,h2,h3,h4,h5,h6,li,blockquote,dd,dt,pre");
      var els = [], texts = [];
      for (i = 0; i < found.length; i++) {
        if (found[i].contains(P.host)) continue;
        els.push(found[i]);
        texts.push(norm(found[i].textContent));
      }
      map = [];
      if (marked.length) {
        // Marked by the publisher: taken in order (the title too only when it is marked).
        var off = els.length < pieces.length && pieces[0].kind === "title" && !same(texts[0], norm(pieces[0].text)) ? 1 : 0;
        for (i = 0; i < els.length && i + off < pieces.length; i++) map[i + off] = els[i];
      } else {
        for (i = 0; i < pieces.length; i++) {
          var p = norm(pieces[i].text);
          for (k = j; k < els.length; k++) if (same(texts[k], p)) { map[i] = els[k]; j = k + 1; break; }
        }
      }
      if (hlBox !== c) {
        hlBox = c;
        styleHost("");
        c.addEventListener("click", onPageClick);
        c.addEventListener("keydown", onPageKey);
      }
    }

    // The sentence of piece i being read at t, as a Range of its paragraph on the page (only
    // where the page's paragraph parts into as many sentences as the audio has: never another).
    function sentenceAt(i, t) {
      var e = map[i], p = P.pieces[i], s = marks && e && parts(p);
      if (!s) return null;
      var page = spans(e.textContent);
      if (page.length !== s.length) return null;
      for (var k = 0; k + 1 < s.length && p.sentences[k + 1][0] <= t + 0.05; k++);
      return range(e, page[k][0], page[k][1]);
    }

    function highlight() {
      var i = live() ? P.pieceAt(P.now()) : -1, e = i >= 0 ? map[i] || null : null;
      var r = e ? sentenceAt(i, P.now()) : null, key = r ? i + ":" + r.toString() : "";
      if (key !== said) {
        said = key;
        if (marks) { if (r) marks.set(SENTENCE, new Highlight(r)); else marks.delete(SENTENCE); }
      }
      keys(live() && !audio.paused);
      if (e === reading) return;
      if (reading) {
        reading.classList.remove(READING);
        reading.style.removeProperty("--listen-mark");
        reading.style.removeProperty("--listen-tint");
      }
      // Follow a move from one paragraph to another, or a start past the first (a seek made
      // before this script arrived); a plain press of play does not move the page.
      var moved = !!e && (!!reading || e !== map.filter(Boolean)[0]);
      reading = e;
      if (e) {
        mark(e, P.accent);
        e.classList.add(READING);
        if (moved && !audio.paused) follow(e);
      }
    }

    // While it plays, the paragraphs are in the tab order (Enter or Space: from there).
    function keys(on) {
      if (on === !!keyed.length) return;
      if (on) map.forEach(function (e) { if (e && !e.hasAttribute("tabindex")) { e.tabIndex = 0; keyed.push(e); } });
      else { keyed.forEach(function (e) { e.removeAttribute("tabindex"); }); keyed = []; }
    }
    function pieceOf(node) {
      for (var i = 0; i < map.length; i++) if (map[i] && map[i].contains(node)) return i;
      return -1;
    }
    function onPageClick(e) {
      // Only while playing: a reader who paused and taps the text is reading, not asking for sound.
      if (!P.started || !P.active || audio.paused || e.defaultPrevented || e.button) return;
      var t = e.target;
      if (t.closest && t.closest("a,button,input,select,textarea,label,summary,[contenteditable]")) return;
      if (W.getSelection && String(W.getSelection())) return; // selecting text, not asking to listen
      var i = pieceOf(t);
      if (i >= 0) P.seekTo(P.pieces[i].start);
    }
    function onPageKey(e) {
      if ((e.key !== "Enter" && e.key !== " ") || !P.active || audio.paused || keyed.indexOf(e.target) < 0) return;
      e.preventDefault();
      P.seekTo(P.pieces[map.indexOf(e.target)].start);
    }

    // The transcript: a line per sentence (where the timings have them), else per piece.
    function transcript() {
      if (!panel) {
        panel = el("div", { "class": "listen-panel", id: "listen-transcript", hidden: "" }, P.root);
        chSel = el("select", { "class": "listen-ch", hidden: "" }, panel);
        list = el("ol", { "class": "listen-lines" }, panel);
        P.tx.setAttribute("aria-controls", panel.id);
        chSel.addEventListener("change", function () { P.seekTo(+chSel.value); });
      }
      var open = panel.hidden;
      panel.hidden = !open;
      P.tx.setAttribute("aria-expanded", String(open));
      if (open) P.loadTimings(fill);
    }
    function fill() {
      var pieces = P.pieces, t = P.L();
      if (!panel || filled === pieces) return;
      filled = pieces;
      list.textContent = "";
      chSel.textContent = "";
      list.setAttribute("aria-label", t.tx);
      chSel.setAttribute("aria-label", t2().ch);
      lines = [];
      pieces.forEach(function (p, i) {
        var s = parts(p) || [[0, (p.text || "").length]];
        s.forEach(function (span, k) {
          var b = P.button("listen-line", el("li", {}, list)), at = k ? p.sentences[k][0] : p.start;
          b.textContent = p.text.slice(span[0], span[1]);
          b.setAttribute("data-kind", p.kind || "");
          b.addEventListener("click", function () { P.seekTo(at); });
          lines.push([at, b]);
        });
        if (p.kind === "heading" || (p.kind === "title" && !i)) el("option", { value: String(p.start) }, chSel).textContent = p.text;
      });
      chSel.hidden = !pieces.some(function (p) { return p.kind === "heading"; });
      current();
    }
    function current() {
      if (!lines.length) return;
      var t = P.now(), line = lines[0][1], ch = "";
      for (var i = 0; i < lines.length && lines[i][0] <= t + 0.05; i++) line = lines[i][1];
      for (i = 0; i < chSel.options.length && +chSel.options[i].value <= t + 0.05; i++) ch = chSel.options[i].value;
      if (ch && chSel.value !== ch) chSel.value = ch;
      if (line === shownLine) return;
      if (shownLine) shownLine.removeAttribute("aria-current");
      shownLine = line;
      line.setAttribute("aria-current", "true");
      var top = line.offsetTop - list.scrollTop; // the list scrolls, never the page
      if (!panel.hidden && (top < 0 || top + line.offsetHeight > list.clientHeight)) list.scrollTop = line.offsetTop - list.clientHeight / 3;
    }

    // Listening reports (README "Analytics"): a play, each quartile once, seconds listened.
    var played = false, quarters = {}, heard = 0, tick = 0;
    function send(kind, value) {
      var n = navigator;
      if (!P.events || n.globalPrivacyControl || n.doNotTrack === "1" || W.doNotTrack === "1" || !n.sendBeacon) return;
      try { n.sendBeacon(P.events, JSON.stringify({ article: P.id, kind: kind, value: value })); } catch (e) {}
    }
    function report() {
      if (tick && !audio.paused) { heard += Math.min(performance.now() - tick, 1000) / 1000; tick = performance.now(); }
      var s = Math.min(3600, Math.round(heard * 10) / 10);
      heard = 0;
      if (s > 0) send("listened", s);
    }
    function started() { if (!played) { played = true; send("play", 1); ask(); } }
    function quartile(q) { if (!quarters[q]) { quarters[q] = 1; send("quartile", q); } }
    audio.addEventListener("timeupdate", function () {
      var now = performance.now(), d = P.dur;
      if (!audio.paused) { if (tick) heard += Math.min(now - tick, 1000) / 1000; tick = now; }
      if (d > 0) [25, 50, 75].forEach(function (q) { if (audio.currentTime >= d * q / 100) quartile(q); });
    });
    audio.addEventListener("pause", function () { report(); tick = 0; });
    audio.addEventListener("ended", function () { quartile(100); report(); tick = 0; });
    D.addEventListener("visibilitychange", function () { if (D.visibilityState === "hidden") report(); });
    W.addEventListener("pagehide", report);

    // The next article: of the publisher's list, else (data-listen-next="auto") the source's
    // newest in the same language.
    var next = P.opt("next"), given = P.opt("playlist"), playlist = null, asked = false;
    if (next !== "off" && given) playlist = given.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    function ask() { // once, on the first play
      if (playlist || asked || next !== "auto") return;
      asked = true;
      fetch(LE.base + "/api/playlist.json?language=" + encodeURIComponent(P.lang) + "&limit=50")
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) { if (j && j.articles) playlist = j.articles.map(function (a) { return String(a.id); }); }, function () {});
    }
    function neighbour(d) {
      if (!playlist) return "";
      var i = playlist.indexOf(P.id);
      return (i < 0 ? (d > 0 ? playlist[0] : "") : playlist[i + d]) || "";
    }
    function go(to) {
      if (!to || to === P.id) return false;
      var n = P.host.cloneNode(false);
      n.setAttribute("data-listen-article", to);
      LE.go.add(n); // it plays as soon as it is a player
      audio.pause();
      if (mini) mini.host.remove();
      keys(false);
      if (reading) reading.classList.remove(READING);
      if (marks) marks.delete(SENTENCE);
      P.host.replaceWith(n);
      return true;
    }
    audio.addEventListener("ended", function () { if (next !== "off") go(neighbour(1)); });

    // Media Session: the lock screen and headset buttons drive the player that plays; the
    // track buttons go through the playlist when there is one, else by paragraph.
    function session() {
      var ms = navigator.mediaSession;
      if (!ms) return;
      var md = { title: P.title || P.L().listen + P.L().more, artist: P.publisher || siteHost() };
      if (/^https?:/.test(P.artwork)) md.artwork = [{ src: P.artwork }];
      try { ms.metadata = new MediaMetadata(md); } catch (e) {}
      var h = {
        play: P.play, pause: P.me.pause,
        seekbackward: function (d) { P.skip(-(d.seekOffset || 15)); },
        seekforward: function (d) { P.skip(d.seekOffset || 15); },
        seekto: function (d) { P.seekTo(d.seekTime); },
        previoustrack: function () { if (!go(neighbour(-1))) P.paragraph(-1); },
        nexttrack: function () { if (!go(neighbour(1))) P.paragraph(1); }
      };
      for (var k in h) try { ms.setActionHandler(k, h[k]); } catch (e) {}
    }
    function position() {
      var d = P.dur;
      try { if (d && P.active) navigator.mediaSession.setPositionState({ duration: d, position: Math.min(audio.currentTime, d), playbackRate: audio.playbackRate }); } catch (e) {}
    }

    // Sticky layout: once playing and scrolled out of view, a mini-player at the bottom of the viewport.
    if (P.opt("layout") === "sticky" && W.IntersectionObserver) {
      new IntersectionObserver(function (es) {
        offscreen = !es[es.length - 1].isIntersecting;
        if (!offscreen) dismissed = false;
        sticky();
      }).observe(P.host);
    }
    function sticky() {
      var show = offscreen && P.started && !dismissed && P.active && P.state !== "ended" && !P.broken();
      if (show && !mini) { mini = makeMini(); P.paint(); }
      if (mini) { mini.host.hidden = !show; mini.render(); }
    }
    function makeMini() {
      var root = P.root, mh = el("div", { "data-listen-mini": P.id, hidden: "" }, D.body);
      var ms = mh.attachShadow({ mode: "open" });
      U.adopt(ms, U.css, U.sheet);
      U.adopt(ms, CSS, sheet);
      var mr = el("div", { "class": "listen-player listen-mini", role: "region" }, ms);
      ["data-theme", "style"].forEach(function (a) { if (root.hasAttribute(a)) mr.setAttribute(a, root.getAttribute(a)); });
      var mb = el("div", { "class": "listen-box" }, mr);
      var mp = P.button("listen-play", mb);
      var mi = el("div", { "class": "listen-info" }, mb);
      var mt = el("span", { "class": "listen-title" }, mi);
      var mtime = el("span", { "class": "listen-sub" }, mi);
      var mc = P.button("listen-close listen-icon", mb);
      var prog = el("div", { "class": "listen-prog" }, mb);
      mc.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">' + CLOSE + "</svg>";
      mp.addEventListener("click", P.toggle);
      mc.addEventListener("click", function () { dismissed = true; sticky(); });
      mr.addEventListener("keydown", function (e) { if (e.key === "k" || e.key === "K") { P.toggle(); e.preventDefault(); } });
      var icon = "";
      return {
        host: mh,
        render: function () {
          var t = P.L(), playing = !audio.paused, ic = playing ? "pause" : "play";
          mr.setAttribute("lang", P.lang);
          mr.setAttribute("aria-label", t.player);
          mr.setAttribute("data-state", P.state);
          if (ic !== icon) mp.innerHTML = U.svg(icon = ic);
          mp.setAttribute("aria-label", playing ? t.pause : t.play);
          mc.setAttribute("aria-label", t2().close);
          mt.textContent = P.title || t.listen + t.more;
        },
        paint: function (s) {
          prog.style.setProperty("--p", (100 * Math.min(s[0] / s[1], 1)).toFixed(2) + "%");
          mtime.textContent = s[2];
        }
      };
    }

    function timings() { mapParagraphs(); fill(); highlight(); }
    if (P.started) { started(); session(); }
    if (P.pieces) timings();
    sticky();
    return {
      timings: timings,
      transcript: transcript,
      paint: function () { if (mini) mini.paint(P.shown); highlight(); current(); },
      state: function () { sticky(); highlight(); },
      play: function () { started(); session(); },
      meta: function () { if (P.started && P.active) session(); },
      position: position
    };
  };
})();
