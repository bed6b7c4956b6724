// devpath lab player: replays a deterministic run computed by the server
// (POST /api/labs/run) and draws each frame's state as SVG. No framework.
// A run is (lab, seed, params, actions); it lives in the page URL so a
// shared link reproduces the same run exactly.
//
// This file is the player core: fetching runs, playback, the timeline,
// controls, URL sync and the DOM/SVG helpers. Each lab draws in its own
// ES module, assets/labs/<slug>.js, whose fingerprinted URL the panel
// carries in `data-lab-module`; the core imports it and calls its default
// export with the helpers (`UI`), which returns
// `{ controls(ctx), draw(ctx, frame, clock), rate, clockless }`:
// `rate` is virtual ms per real ms at speed 1, and `clockless` labs take
// step indexes for action times and advance one frame at a time.

var SVGNS = "http://www.w3.org/2000/svg";
var SPEEDS = [0.25, 0.5, 1, 2, 4];

function h(tag, attrs, kids) {
  var e = document.createElement(tag);
  setAttrs(e, attrs);
  (kids || []).forEach(function (k) {
    if (k == null) return;
    e.appendChild(typeof k === "string" ? document.createTextNode(k) : k);
  });
  return e;
}
function s(tag, attrs, parent, text) {
  var e = document.createElementNS(SVGNS, tag);
  setAttrs(e, attrs);
  if (text != null) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}
function setAttrs(e, attrs) {
  if (!attrs) return;
  Object.keys(attrs).forEach(function (k) {
    var v = attrs[k];
    if (v == null || v === false) return;
    if (k === "text") e.textContent = v;
    else if (k === "onclick") e.addEventListener("click", v);
    else e.setAttribute(k, v === true ? "" : String(v));
  });
}
function button(label, onclick, attrs) {
  var a = Object.assign({ type: "button", class: "lab-btn" }, attrs || {});
  a.onclick = onclick;
  return h("button", a, [label]);
}
function fmt(x, d) { return x == null ? "–" : (+x).toFixed(d == null ? 0 : d); }
function pct(x) { return x == null ? "–" : (100 * x).toFixed(x < 0.001 && x > 0 ? 4 : 2) + "%"; }

function parseAction(str) {
  var p = String(str).split(":");
  return { at: parseInt(p[0], 10) || 0, kind: p[1] || "", args: p.slice(2) };
}
function actionText(a) { return [a.at, a.kind].concat(a.args || []).join(":"); }
function enc(x) {
  return encodeURIComponent(x).replace(/%3A/gi, ":").replace(/%2C/gi, ",");
}
function specQuery(spec) {
  var parts = ["seed=" + spec.seed];
  Object.keys(spec.params).sort().forEach(function (k) { parts.push(enc(k) + "=" + enc(spec.params[k])); });
  if (spec.steps) parts.push("steps=" + spec.steps);
  spec.actions.forEach(function (a) { parts.push("a=" + enc(actionText(a))); });
  return parts.join("&");
}

function init(root, R) {
  var cfgEl = root.querySelector("[data-lab-config]");
  if (!cfgEl) return;
  var cfg = JSON.parse(cfgEl.textContent);
  var info = cfg.info;
  var spec = cfg.spec;
  var slug = info.slug;
  var clockless = !!R.clockless;
  // Virtual milliseconds per real millisecond at speed 1.
  var rate = R.rate || 1;
  var syncUrl = root.hasAttribute("data-sync-url");
  var st = { run: null, idx: 0, clock: 0, playing: false, speed: 1, last: 0, raf: 0, seq: 0, acc: 0 };

  // ---- layout -------------------------------------------------------
  var live = root.querySelector("[data-lab-live]");
  var body = root.querySelector(".lab-body");
  var notice = h("p", { class: "lab-notice", role: "alert", hidden: true });
  var playBtn = button("Play", togglePlay, { class: "lab-btn lab-btn-primary", "data-lab-play": true, "aria-keyshortcuts": "Space" });
  var backBtn = button("◀ Step", function () { pause(); go(st.idx - 1); }, { "aria-label": "Step back", "aria-keyshortcuts": "ArrowLeft", "data-lab-back": true });
  var fwdBtn = button("Step ▶", function () { pause(); go(st.idx + 1); }, { "aria-label": "Step forward", "aria-keyshortcuts": "ArrowRight", "data-lab-forward": true });
  var resetBtn = button("Reset", function () { pause(); go(0); }, { "data-lab-reset": true });
  var speedSel = h("select", { id: slug + "-speed" }, SPEEDS.map(function (x) {
    return h("option", { value: x, selected: x === 1 }, [x + "×"]);
  }));
  speedSel.addEventListener("change", function () { st.speed = parseFloat(speedSel.value) || 1; });
  var readout = h("span", { class: "lab-readout", "data-lab-readout": true });
  var scrub = h("input", { type: "range", min: 0, max: 0, value: 0, id: slug + "-scrub", class: "lab-scrub" });
  scrub.addEventListener("input", function () { pause(); go(parseInt(scrub.value, 10)); });
  var toolbar = h("div", { class: "lab-toolbar", role: "group", "aria-label": "Playback" }, [
    playBtn, backBtn, fwdBtn, resetBtn,
    h("label", { class: "lab-inline", for: slug + "-speed" }, ["Speed"]), speedSel,
    readout
  ]);
  var scrubRow = h("div", { class: "lab-scrub-row" }, [
    h("label", { for: slug + "-scrub", class: "visually-hidden" }, ["Position in the run"]), scrub
  ]);
  var svgRoot = s("svg", { class: "lab-svg", role: "img", "aria-label": info.title + " state", viewBox: "0 0 640 420", "data-lab-svg": true });
  var side = h("div", { class: "lab-side", "data-lab-side": true });
  var stage = h("div", { class: "lab-stage" }, [h("div", { class: "lab-canvas" }, [svgRoot]), side]);
  var actionsBox = h("div", { class: "lab-actions", role: "group", "aria-label": "Actions" });
  var recorded = h("ol", { class: "lab-recorded", "data-lab-recorded": true });
  var timeline = h("ol", { class: "lab-timeline", "data-lab-timeline": true, "aria-label": "Timeline of events" });

  // Settings: seed and parameters.
  var seedIn = h("input", { type: "number", min: 0, step: 1, id: slug + "-seed", value: spec.seed, inputmode: "numeric" });
  var paramIns = {};
  var settingsFields = [h("div", { class: "lab-field" }, [h("label", { for: slug + "-seed" }, ["Seed"]), seedIn])];
  info.params.forEach(function (p) {
    var id = slug + "-p-" + p.name;
    var cur = spec.params[p.name] != null ? spec.params[p.name] : p.default;
    var input;
    if (p.choices && p.choices.length) {
      input = h("select", { id: id, name: p.name }, p.choices.map(function (c) { return h("option", { value: c, selected: c === cur }, [c]); }));
    } else if (p.min != null) {
      input = h("input", { type: "number", id: id, name: p.name, min: p.min, max: p.max, step: "any", value: cur });
    } else {
      input = h("input", { type: "text", id: id, name: p.name, value: cur });
    }
    paramIns[p.name] = input;
    settingsFields.push(h("div", { class: "lab-field" }, [h("label", { for: id, title: p.help }, [p.name.replace(/_/g, " ")]), input, h("small", { class: "muted" }, [p.help])]));
  });
  var applyBtn = button("Apply and rerun", applySettings, { class: "lab-btn lab-btn-primary" });
  var clearBtn = button("Clear my actions", function () { spec.actions = []; spec.steps = null; rerun(0); }, {});
  var settingsForm = h("form", { class: "lab-settings" }, [h("div", { class: "lab-fields" }, settingsFields), h("div", { class: "lab-row" }, [applyBtn, clearBtn])]);
  settingsForm.addEventListener("submit", function (e) { e.preventDefault(); applySettings(); });

  var scenarios = h("div", { class: "lab-scenarios" }, [h("h3", {}, ["Try this"])].concat(
    info.scenarios.map(function (sc) {
      return h("div", { class: "lab-scenario" }, [
        button(sc.title, function () { loadScenario(sc); }, { "data-lab-scenario": sc.title }),
        h("p", { class: "muted" }, [sc.description])
      ]);
    })));

  var share = h("a", { class: "lab-share", href: "#", "data-lab-share": true }, [syncUrl ? "Link to this run" : "Open this run in the full lab"]);

  body.insertBefore(notice, live);
  body.insertBefore(toolbar, live);
  body.insertBefore(scrubRow, live);
  body.insertBefore(stage, live);
  body.appendChild(h("div", { class: "lab-controls" }, [
    h("section", { class: "lab-panel" }, [h("h3", {}, ["Break it"]), actionsBox, h("h4", {}, ["Your actions"]), recorded]),
    h("section", { class: "lab-panel lab-timeline-panel" }, [h("h3", {}, ["Timeline"]), timeline])
  ]));
  body.appendChild(h("div", { class: "lab-controls" }, [
    h("details", { class: "lab-panel", open: root.classList.contains("lab-player-full") }, [h("summary", {}, ["Run settings: seed and parameters"]), settingsForm]),
    h("section", { class: "lab-panel" }, [scenarios])
  ]));
  body.appendChild(h("p", { class: "lab-foot muted" }, [share, " · Shortcuts: Space play/pause, ← → step, Home reset."]));

  var ctx = { root: root, svg: svgRoot, side: side, actions: actionsBox, info: info, spec: function () { return spec; }, act: act, announce: showError, frame: function () { return frame(); }, st: st };
  if (R.controls) R.controls(ctx);

  // ---- running ------------------------------------------------------
  function frame() { return st.run ? st.run.frames[st.idx] : null; }

  function rerun(jumpTo) {
    var seq = ++st.seq;
    var old = st.run;
    root.setAttribute("aria-busy", "true");
    var body = { lab: slug, seed: spec.seed, params: spec.params, actions: spec.actions };
    if (spec.steps) body.steps = spec.steps;
    return fetch("/api/labs/run", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, j: j }; });
    }).then(function (res) {
      if (seq !== st.seq) return;
      root.removeAttribute("aria-busy");
      if (!res.ok) { showError(res.j.error || "The run failed."); return; }
      notice.hidden = true;
      st.run = res.j;
      scrub.max = st.run.frames.length - 1;
      var idx = 0;
      if (jumpTo === "diverge" && old) {
        var n = Math.min(old.frames.length, st.run.frames.length);
        // No earlier difference: an appended step (clockless labs) shows
        // its first new frame; otherwise stay where we were.
        idx = Math.min(clockless ? n : st.idx, st.run.frames.length - 1);
        for (var i = 0; i < n; i++) {
          var a = old.frames[i], b = st.run.frames[i];
          if (a.time !== b.time || a.explain !== b.explain) { idx = i; break; }
        }
      } else if (typeof jumpTo === "number") {
        idx = Math.min(jumpTo, st.run.frames.length - 1);
      }
      timelineRange = null;
      syncRecorded();
      syncLocation();
      root.setAttribute("data-lab-ready", "true");
      go(idx, true);
    }).catch(function (e) {
      if (seq !== st.seq) return;
      root.removeAttribute("aria-busy");
      showError("Could not reach the server: " + e.message);
    });
  }
  function showError(msg) { notice.textContent = msg; notice.hidden = false; pause(); }

  // Records an action at the current virtual time and re-simulates.
  function act(kind, args) {
    if (!st.run) return;
    var f = frame();
    var at;
    if (clockless) {
      at = spec.actions.reduce(function (m, a) { return Math.max(m, a.at); }, st.run.frames[st.run.frames.length - 1].time) + 1;
    } else {
      // Strictly after the frame on screen: an action at the same
      // millisecond would run before that frame's own events and rewrite
      // what the learner has already seen.
      at = Math.max(f.time + 1, Math.floor(st.clock));
    }
    spec.actions.push({ at: at, kind: kind, args: (args || []).map(String) });
    spec.actions.sort(function (a, b) { return a.at - b.at; });
    // Leave room to watch what the action does.
    var limit = spec.steps || info.default_steps;
    if (!clockless && st.run.frames.length >= limit) {
      spec.steps = Math.min(20000, Math.max(limit, st.idx + info.default_steps));
    }
    return rerun("diverge");
  }

  function applySettings() {
    var seed = parseInt(seedIn.value, 10);
    spec.seed = isFinite(seed) && seed >= 0 ? seed : 0;
    spec.params = {};
    info.params.forEach(function (p) {
      var v = String(paramIns[p.name].value).trim();
      if (v !== "" && v !== p.default) spec.params[p.name] = v;
    });
    pause();
    rerun(0);
  }

  function loadScenario(sc) {
    spec.seed = sc.seed;
    spec.params = {};
    sc.params.forEach(function (kv) { spec.params[kv[0]] = kv[1]; });
    spec.actions = sc.actions.map(parseAction);
    spec.steps = null;
    syncSettings();
    pause();
    rerun(0).then(function () { play(); });
  }

  function syncSettings() {
    seedIn.value = spec.seed;
    info.params.forEach(function (p) {
      paramIns[p.name].value = spec.params[p.name] != null ? spec.params[p.name] : p.default;
    });
  }

  function syncRecorded() {
    recorded.textContent = "";
    if (!spec.actions.length) {
      recorded.appendChild(h("li", { class: "muted" }, ["None yet. Use the buttons above while the run plays."]));
    }
    spec.actions.forEach(function (a, i) {
      recorded.appendChild(h("li", {}, [
        h("code", {}, [actionText(a)]), " ",
        button("Remove", function () { spec.actions.splice(i, 1); rerun("diverge"); }, { class: "lab-btn lab-btn-small", "aria-label": "Remove action " + actionText(a) })
      ]));
    });
  }

  function syncLocation() {
    var q = specQuery(spec);
    share.href = "/labs/" + slug + "?" + q;
    if (syncUrl && window.history && history.replaceState) {
      history.replaceState(null, "", location.pathname + "?" + q + location.hash);
    }
  }

  // ---- playback -----------------------------------------------------
  function go(i, force) {
    if (!st.run) return;
    var n = st.run.frames.length;
    i = Math.max(0, Math.min(n - 1, i));
    var changed = i !== st.idx || force;
    st.idx = i;
    st.clock = st.run.frames[i].time;
    if (changed) show();
    else drawOnly();
  }
  function drawOnly() {
    var f = frame();
    if (f) R.draw(ctx, f, st.clock);
  }
  function show() {
    var f = frame();
    if (!f) return;
    var n = st.run.frames.length;
    scrub.value = st.idx;
    readout.textContent = (clockless ? "step " : "t = " + f.time + " ms · step ") + f.step + " / " + (n - 1);
    live.textContent = f.explain;
    root.setAttribute("data-step", st.idx);
    R.draw(ctx, f, st.clock);
    syncTimeline();
  }

  function play() {
    if (!st.run) return;
    if (st.idx >= st.run.frames.length - 1) go(0);
    st.playing = true;
    // Announcing every event while playing would flood screen readers:
    // the live region speaks when paused and on each manual step.
    live.setAttribute("aria-live", "off");
    playBtn.textContent = "Pause";
    playBtn.setAttribute("aria-pressed", "true");
    st.last = performance.now();
    st.acc = 0;
    cancelAnimationFrame(st.raf);
    st.raf = requestAnimationFrame(tick);
  }
  function pause() {
    st.playing = false;
    live.setAttribute("aria-live", "polite");
    playBtn.textContent = "Play";
    playBtn.setAttribute("aria-pressed", "false");
    cancelAnimationFrame(st.raf);
  }
  function togglePlay() { if (st.playing) pause(); else play(); }

  function tick(now) {
    if (!st.playing || !st.run) return;
    var dt = Math.min(100, now - st.last);
    st.last = now;
    var frames = st.run.frames;
    var n = frames.length;
    if (clockless) {
      st.acc += dt * st.speed;
      if (st.acc >= 800) { st.acc = 0; go(st.idx + 1); }
    } else {
      st.clock += dt * st.speed * rate;
      var i = st.idx;
      while (i + 1 < n && frames[i + 1].time <= st.clock) i++;
      if (i !== st.idx) { st.idx = i; var c = st.clock; show(); st.clock = c; }
      R.draw(ctx, frames[st.idx], st.clock);
    }
    if (st.idx >= n - 1) { pause(); return; }
    st.raf = requestAnimationFrame(tick);
  }

  // ---- timeline -----------------------------------------------------
  var timelineRange = null;
  function syncTimeline() {
    var n = st.run.frames.length;
    if (!timelineRange || st.idx < timelineRange[0] + 5 || st.idx > timelineRange[1] - 5) {
      var lo = Math.max(0, st.idx - 60), hi = Math.min(n, st.idx + 140);
      timelineRange = [lo, hi];
      timeline.textContent = "";
      if (lo > 0) timeline.appendChild(h("li", { class: "muted lab-tl-more" }, ["… " + lo + " earlier events"]));
      for (var i = lo; i < hi; i++) {
        var f = st.run.frames[i];
        var b = h("button", { type: "button", class: "lab-tl-item", "data-index": i }, [
          h("span", { class: "lab-tl-time" }, [clockless ? "#" + f.step : f.time + " ms"]), " ", f.explain
        ]);
        timeline.appendChild(h("li", {}, [b]));
      }
      if (hi < n) timeline.appendChild(h("li", { class: "muted lab-tl-more" }, ["… " + (n - hi) + " later events"]));
    }
    var cur = timeline.querySelector("[aria-current]");
    if (cur) { cur.removeAttribute("aria-current"); }
    var item = timeline.querySelector('[data-index="' + st.idx + '"]');
    if (item) {
      item.setAttribute("aria-current", "step");
      var box = timeline;
      var top = item.offsetTop; // the list is positioned, so this is relative to it
      if (top < box.scrollTop || top > box.scrollTop + box.clientHeight - 40) box.scrollTop = top - box.clientHeight / 3;
    }
  }
  timeline.addEventListener("click", function (e) {
    var b = e.target.closest("[data-index]");
    if (b) { pause(); go(parseInt(b.getAttribute("data-index"), 10)); }
  });

  // ---- keyboard -----------------------------------------------------
  var full = root.classList.contains("lab-player-full");
  (full ? document : root).addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName))) return;
    var onButton = t && (t.tagName === "BUTTON" || t.tagName === "A" || t.tagName === "SUMMARY");
    if (e.key === " " && !onButton) { e.preventDefault(); togglePlay(); }
    else if (e.key === "ArrowRight") { e.preventDefault(); pause(); go(st.idx + 1); }
    else if (e.key === "ArrowLeft") { e.preventDefault(); pause(); go(st.idx - 1); }
    else if (e.key === "Home" && !onButton) { e.preventDefault(); pause(); go(0); }
  });

  syncRecorded();
  // `#step=N` opens the run at frame N (shareable like the query).
  var m = syncUrl && /^#step=(\d+)$/.exec(location.hash);
  rerun(m ? parseInt(m[1], 10) : 0);
}

// ---- drawing helpers, shared with the labs' modules ----------------
function clear(svg, height) {
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  svg.setAttribute("viewBox", "0 0 640 " + (height || 420));
}
function sideSet(side, blocks) {
  side.textContent = "";
  blocks.forEach(function (b) { if (b) side.appendChild(b); });
}
function dl(pairs) {
  var d = h("dl", { class: "lab-stats" });
  pairs.forEach(function (p) { d.appendChild(h("dt", {}, [p[0]])); d.appendChild(h("dd", p[2] || {}, [String(p[1])])); });
  return d;
}
function nodeSelect(ctx, label, names, cls) {
  var id = ctx.info.slug + "-" + cls;
  var sel = h("select", { id: id, class: cls });
  (names || []).forEach(function (n) { sel.appendChild(h("option", { value: n }, [n])); });
  return { wrap: h("span", { class: "lab-field-inline" }, [h("label", { for: id }, [label]), sel]), sel: sel };
}
function numInput(ctx, label, name, value, min, max) {
  var id = ctx.info.slug + "-in-" + name;
  var inp = h("input", { type: "number", id: id, value: value, min: min, max: max, step: 1 });
  return { wrap: h("span", { class: "lab-field-inline" }, [h("label", { for: id }, [label]), inp]), inp: inp };
}
function textInput(ctx, label, name, value) {
  var id = ctx.info.slug + "-in-" + name;
  var inp = h("input", { type: "text", id: id, value: value, maxlength: 64 });
  return { wrap: h("span", { class: "lab-field-inline" }, [h("label", { for: id }, [label]), inp]), inp: inp };
}
function row(kids) { return h("div", { class: "lab-row" }, kids); }

function paramDefault(info, name) {
  var p = info.params.filter(function (x) { return x.name === name; })[0];
  return p ? p.default : "";
}

// Draws the explanation only: for a lab whose module is missing or failed.
var GENERIC = {
  draw: function (ctx, f) {
    clear(ctx.svg);
    s("text", { x: 10, y: 30 }, ctx.svg, f.explain);
  }
};

// What a lab's module receives: it needs no import of its own, so it never
// names a fingerprinted file.
var UI = {
  h: h, s: s, button: button, fmt: fmt, pct: pct, clear: clear, sideSet: sideSet, dl: dl,
  nodeSelect: nodeSelect, numInput: numInput, textInput: textInput, row: row, paramDefault: paramDefault
};

function renderer(root) {
  var url = root.getAttribute("data-lab-module");
  if (!url) return Promise.resolve(GENERIC);
  return import(url).then(function (m) { return m.default(UI); }, function (e) {
    console.error("lab drawing module " + url + " failed to load", e);
    return GENERIC;
  });
}

document.querySelectorAll("[data-lab-player]").forEach(function (root) {
  renderer(root).then(function (R) { init(root, R); });
});
