// devpath lab player: replays a deterministic run computed by the server
// (POST /api/labs/run) and draws each frame's state as SVG. No framework.
// A run is (lab, seed, params, actions); it lives in the page URL so a
// shared link reproduces the same run exactly.
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var CLOCKLESS = { "consistent-hashing": true, "sketches": true };
  // Virtual milliseconds per real millisecond at speed 1.
  var RATE = { raft: 0.1, clocks: 0.1, "rate-limiting": 1, "circuit-breaker": 2 };
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

  function init(root) {
    var cfgEl = root.querySelector("[data-lab-config]");
    if (!cfgEl) return;
    var cfg = JSON.parse(cfgEl.textContent);
    var info = cfg.info;
    var spec = cfg.spec;
    var slug = info.slug;
    var clockless = !!CLOCKLESS[slug];
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

    var R = RENDER[slug] || RENDER.generic;
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
        at = Math.max(f.time, Math.floor(st.clock));
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
        st.clock += dt * st.speed * (RATE[slug] || 1);
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

  // ---- per-lab drawing ----------------------------------------------
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

  var RENDER = {};

  // Raft: nodes on a circle, messages as moving dots, partitions as cut links.
  RENDER.raft = {
    controls: function (ctx) {
      var a = ctx.actions;
      ctx.nodeButtons = h("div", { class: "lab-row lab-node-buttons", "data-lab-node-buttons": true });
      var req = textInput(ctx, "Value", "value", "x1");
      var counter = 1;
      a.appendChild(h("p", { class: "muted lab-hint" }, ["Click a node (or its button) to crash or restart it."]));
      a.appendChild(ctx.nodeButtons);
      var part = nodeSelect(ctx, "Isolate", [], "raft-part");
      ctx.partSel = part.sel;
      var to = nodeSelect(ctx, "Time out", [], "raft-timeout");
      ctx.toSel = to.sel;
      a.appendChild(row([
        req.wrap,
        button("Client request", function () {
          var v = (req.inp.value || "").trim() || ("x" + counter);
          counter++; req.inp.value = "x" + counter;
          ctx.act("request", [v]);
        }, { "data-lab-action": "request" })
      ]));
      a.appendChild(row([part.wrap, button("Partition", function () { ctx.act("partition", [part.sel.value]); }, { "data-lab-action": "partition" }),
        button("Heal", function () { ctx.act("heal", []); }, { "data-lab-action": "heal" })]));
      a.appendChild(row([to.wrap, button("Fire timeout", function () { ctx.act("timeout", [to.sel.value]); }, { "data-lab-action": "timeout" })]));
      // Faults on one link, from one node to another.
      var from = nodeSelect(ctx, "Link from", [], "raft-from");
      var dest = nodeSelect(ctx, "to", [], "raft-to");
      ctx.fromSel = from.sel;
      ctx.destSel = dest.sel;
      var ms = numInput(ctx, "ms", "latency", 200, 0, 10000);
      var pct = numInput(ctx, "%", "loss", 50, 0, 100);
      var link = function (kind, extra) {
        if (from.sel.value === dest.sel.value) { ctx.announce("Pick two different nodes for a link fault."); return; }
        ctx.act(kind, [from.sel.value, dest.sel.value].concat(extra || []));
      };
      a.appendChild(row([from.wrap, dest.wrap,
        button("Cut one way", function () { link("partition-oneway"); }, { "data-lab-action": "partition-oneway" }),
        button("Drop next message", function () { link("drop"); }, { "data-lab-action": "drop" })]));
      a.appendChild(row([ms.wrap, button("Add latency", function () { link("latency", [String(ms.inp.value || 0)]); }, { "data-lab-action": "latency" }),
        pct.wrap, button("Set loss", function () { link("loss", [String(pct.inp.value || 0)]); }, { "data-lab-action": "loss" })]));
    },
    draw: function (ctx, f, clock) {
      var svg = ctx.svg, S = f.state, nodes = S.nodes, n = nodes.length;
      clear(svg);
      svg.setAttribute("viewBox", "110 0 420 420");
      var cx = 320, cy = 205, R = 150, pos = {};
      nodes.forEach(function (nd, i) {
        var ang = -Math.PI / 2 + (2 * Math.PI * i) / n;
        pos[nd.id] = [cx + R * Math.cos(ang), cy + R * Math.sin(ang)];
      });
      // Links; blocked ones drawn cut.
      var blocked = {};
      (S.net.blocked || []).forEach(function (p) { blocked[p[0] + ">" + p[1]] = true; });
      var links = s("g", { class: "raft-links" }, svg);
      for (var i = 0; i < n; i++) for (var j = i + 1; j < n; j++) {
        var A = nodes[i].id, B = nodes[j].id, pa = pos[A], pb = pos[B];
        var ab = blocked[A + ">" + B], ba = blocked[B + ">" + A];
        var cls = ab && ba ? "link cut" : (ab || ba ? "link oneway" : "link");
        s("line", { x1: pa[0], y1: pa[1], x2: pb[0], y2: pb[1], class: cls }, links);
        if (ab || ba) s("text", { x: (pa[0] + pb[0]) / 2, y: (pa[1] + pb[1]) / 2 + 4, class: "cut-mark", "text-anchor": "middle" }, links, "✕");
      }
      // Messages in flight.
      var msgs = s("g", { class: "raft-msgs" }, svg);
      (S.messages || []).forEach(function (m) {
        var pa = pos[m.from], pb = pos[m.to];
        if (!pa || !pb) return;
        var span = Math.max(1, m.deliver_time - m.send_time);
        var t = Math.max(0, Math.min(1, (clock - m.send_time) / span));
        var x = pa[0] + (pb[0] - pa[0]) * t, y = pa[1] + (pb[1] - pa[1]) * t;
        var kind = m.kind === "RequestVote" || m.kind === "VoteReply" ? "vote" : "append";
        var reply = /Reply$/.test(m.kind);
        var c = s("circle", { cx: x, cy: y, r: m.entries ? 7 : 5, class: "msg msg-" + kind + (reply ? " msg-reply" : "") }, msgs);
        s("title", {}, c, m.from + " → " + m.to + ": " + m.kind + " " + (m.summary || ""));
      });
      // Nodes.
      var g = s("g", { class: "raft-nodes" }, svg);
      nodes.forEach(function (nd) {
        var p = pos[nd.id];
        var role = nd.alive ? nd.role : "crashed";
        var ng = s("g", {
          class: "raft-node role-" + role, "data-node": nd.id, "data-role": role, "data-term": nd.term,
          tabindex: 0, role: "button", transform: "translate(" + p[0] + "," + p[1] + ")",
          "aria-label": nd.id + ", " + role + ", term " + nd.term + ". Press to " + (nd.alive ? "crash" : "restart") + " it."
        }, g);
        s("circle", { r: 36, class: "node-circle" }, ng);
        s("text", { y: -6, class: "node-id", "text-anchor": "middle" }, ng, nd.id);
        s("text", { y: 10, class: "node-role", "text-anchor": "middle" }, ng, role);
        s("text", { y: 23, class: "node-term", "text-anchor": "middle" }, ng, "term " + nd.term);
        // Log: last 8 entries as squares, committed ones solid.
        var log = nd.log || [], start = Math.max(0, log.length - 8);
        var lx = -((log.length - start) * 11) / 2;
        for (var k = start; k < log.length; k++) {
          var committed = k < nd.commit_index;
          var sq = s("rect", { x: lx + (k - start) * 11, y: 42, width: 9, height: 9, rx: 2, class: "log-entry" + (committed ? " committed" : "") + " term-" + (log[k][0] % 4) }, ng);
          s("title", {}, sq, "#" + (k + 1) + " term " + log[k][0] + ": " + log[k][1]);
        }
        if (log.length > 8) s("text", { x: -lx + 2, y: 51, class: "node-log-len" }, ng, "(" + log.length + ")");
        var toggle = function () { ctx.act(nd.alive ? "crash" : "restart", [nd.id]); };
        ng.addEventListener("click", toggle);
        ng.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); e.stopPropagation(); toggle(); } });
      });
      // Legend.
      var lg = s("g", { class: "lab-legend", transform: "translate(120,405)" }, svg);
      [["msg msg-vote", "vote"], ["msg msg-append", "append / heartbeat"]].forEach(function (x, i) {
        s("circle", { cx: i * 120 + 6, cy: 0, r: 5, class: x[0] }, lg);
        s("text", { x: i * 120 + 16, y: 4 }, lg, x[1]);
      });
      // Buttons and selects that depend on the nodes.
      var key = nodes.map(function (nd) { return nd.id + (nd.alive ? "+" : "-"); }).join(" ");
      if (ctx.nodeKey !== key) {
        ctx.nodeKey = key;
        var focused = document.activeElement && document.activeElement.getAttribute("data-node");
        ctx.nodeButtons.textContent = "";
        nodes.forEach(function (nd) {
          var b = button((nd.alive ? "Crash " : "Restart ") + nd.id, function () { ctx.act(nd.alive ? "crash" : "restart", [nd.id]); },
            { "data-node": nd.id, "data-lab-action": nd.alive ? "crash" : "restart", class: "lab-btn lab-btn-small" + (nd.alive ? "" : " lab-btn-warn") });
          ctx.nodeButtons.appendChild(b);
          if (focused === nd.id && document.activeElement.tagName !== "g") b.focus();
        });
        [ctx.partSel, ctx.toSel, ctx.fromSel, ctx.destSel].forEach(function (sel) {
          var v = sel.value;
          sel.textContent = "";
          nodes.forEach(function (nd) { sel.appendChild(h("option", { value: nd.id, selected: nd.id === v }, [nd.id])); });
        });
      }
      var inv = h("ul", { class: "lab-invariants", "aria-label": "Invariants" });
      Object.keys(S.invariants).forEach(function (k) {
        var ok = S.invariants[k];
        inv.appendChild(h("li", { class: ok ? "ok" : "bad" }, [(ok ? "✓ " : "✗ ") + k.replace(/_/g, " ")]));
      });
      sideSet(ctx.side, [
        dl([["Term", S.term], ["Leader", S.leader || "none", { "data-lab-leader": S.leader || "" }], ["Committed", (S.committed || []).length ? S.committed.join(", ") : "nothing yet"], ["In flight", (S.messages || []).length + " messages"]]),
        h("h4", {}, ["Invariants"]), inv,
        (S.violations || []).length ? h("ul", { class: "lab-violations" }, S.violations.map(function (v) { return h("li", {}, [typeof v === "string" ? v : JSON.stringify(v)]); })) : null
      ]);
    }
  };

  // Clocks: a space-time diagram, one line per process.
  RENDER.clocks = {
    controls: function (ctx) {
      var a = ctx.actions;
      var procs = [];
      var n = parseInt(ctx.spec().params.processes || paramDefault(ctx.info, "processes"), 10) || 3;
      for (var i = 1; i <= n; i++) procs.push("p" + i);
      var p = nodeSelect(ctx, "Process", procs, "clk-p");
      var q = nodeSelect(ctx, "to", procs, "clk-q");
      if (procs[1]) q.sel.value = procs[1];
      a.appendChild(row([p.wrap, button("Local event", function () { ctx.act("local", [p.sel.value]); }, { "data-lab-action": "local" })]));
      a.appendChild(row([q.wrap, button("Send message", function () { ctx.act("send", [p.sel.value, q.sel.value]); }, { "data-lab-action": "send" })]));
      var e1 = textInput(ctx, "Event", "e1", "p1.1"), e2 = textInput(ctx, "and", "e2", "p2.1");
      e1.inp.size = 6; e2.inp.size = 6;
      a.appendChild(row([e1.wrap, e2.wrap, button("Query order", function () { ctx.act("query", [e1.inp.value.trim(), e2.inp.value.trim()]); }, { "data-lab-action": "query" })]));
      a.appendChild(h("p", { class: "muted lab-hint" }, ["Tip: click two events in the diagram to fill the query."]));
      ctx.pick = function (id) { if (ctx.nextPick === 2) { e2.inp.value = id; ctx.nextPick = 1; } else { e1.inp.value = id; ctx.nextPick = 2; } };
    },
    draw: function (ctx, f) {
      var svg = ctx.svg, S = f.state;
      var procs = S.processes, n = procs.length;
      clear(svg, 40 + Math.min(100, 340 / Math.max(1, n - 1)) * (n - 1) + 50);
      // Events are spaced by their order (not their time) so labels stay readable;
      // an arrow always goes right because a receive follows its send.
      var N = Math.max(8, S.events.length + 1);
      var order = {};
      S.events.forEach(function (e, i) { order[e.id] = i; });
      var x0 = 60, x1 = 625, top = 40, gap = Math.min(100, 340 / Math.max(1, n - 1));
      var X = function (i) { return x0 + (x1 - x0) * (i + 0.5) / N; };
      var Y = {};
      procs.forEach(function (p, i) {
        Y[p.id] = top + i * gap;
        s("line", { x1: x0, y1: Y[p.id], x2: x1, y2: Y[p.id], class: "proc-line" }, svg);
        s("text", { x: 8, y: Y[p.id] + 4, class: "proc-label" }, svg, p.id);
      });
      var ev = {};
      S.events.forEach(function (e) { ev[e.id] = e; });
      var q = S.query || {};
      (S.messages || []).forEach(function (m) {
        var se = ev[m.send_event], re = m.receive_event ? ev[m.receive_event] : null;
        if (!se) return;
        var frac = Math.max(0, Math.min(1, (f.time - m.send_time) / Math.max(1, m.deliver_time - m.send_time)));
        var tx = re ? X(order[re.id]) : X(order[se.id]) + (X(N - 1) - X(order[se.id])) * Math.max(0.15, frac);
        var ty = re ? Y[m.to] : Y[m.from] + (Y[m.to] - Y[m.from]) * Math.max(0.15, frac);
        s("line", { x1: X(order[se.id]), y1: Y[m.from], x2: tx, y2: ty, class: "clk-msg" + (re ? "" : " in-flight") }, svg);
      });
      S.events.forEach(function (e) {
        var sel = e.id === q.a || e.id === q.b;
        var g = s("g", { class: "clk-event kind-" + e.kind + (sel ? " selected" : ""), transform: "translate(" + X(order[e.id]) + "," + Y[e.process] + ")", tabindex: 0, role: "button", "data-event": e.id, "aria-label": e.id + " Lamport " + e.lamport + " vector [" + e.vector.join(",") + "]" }, svg);
        s("circle", { r: 6 }, g);
        s("text", { y: -22, "text-anchor": "middle", class: "clk-id" }, g, e.id);
        s("text", { y: -10, "text-anchor": "middle", class: "clk-lamport" }, g, "L" + e.lamport);
        s("text", { y: 19 + (order[e.id] % 2) * 11, "text-anchor": "middle", class: "clk-vector" }, g, "[" + e.vector.join(",") + "]");
        var pick = function () { if (ctx.pick) ctx.pick(e.id); };
        g.addEventListener("click", pick);
        g.addEventListener("keydown", function (k) { if (k.key === "Enter") pick(); });
      });
      var blocks = [dl(procs.map(function (p) { return [p.id, "L" + p.lamport + " · [" + p.vector.join(",") + "]"]; }))];
      if (S.query) blocks.push(h("div", { class: "lab-query" }, [h("h4", {}, ["Query"]), h("p", { "data-lab-relation": S.query.relation || "" }, [typeof S.query === "string" ? S.query : (S.query.answer || JSON.stringify(S.query))])]));
      sideSet(ctx.side, blocks);
    }
  };

  function paramDefault(info, name) {
    var p = info.params.filter(function (x) { return x.name === name; })[0];
    return p ? p.default : "";
  }

  // Consistent hashing: the ring with tokens and a key-count chart.
  RENDER["consistent-hashing"] = {
    controls: function (ctx) {
      var a = ctx.actions;
      var nodeName = textInput(ctx, "Node", "node", "");
      nodeName.inp.placeholder = "next nK";
      nodeName.inp.size = 6;
      var rm = nodeSelect(ctx, "Remove", [], "ch-rm");
      ctx.rmSel = rm.sel;
      var keys = numInput(ctx, "Keys", "keys", 100, 1, 10000);
      a.appendChild(row([nodeName.wrap, button("Add node", function () { var v = nodeName.inp.value.trim(); ctx.act("add-node", v ? [v] : []); nodeName.inp.value = ""; }, { "data-lab-action": "add-node" })]));
      a.appendChild(row([rm.wrap, button("Remove node", function () { if (rm.sel.value) ctx.act("remove-node", [rm.sel.value]); }, { "data-lab-action": "remove-node" })]));
      a.appendChild(row([keys.wrap, button("Add keys", function () { ctx.act("add-keys", [keys.inp.value || "100"]); }, { "data-lab-action": "add-keys" })]));
    },
    draw: function (ctx, f) {
      var svg = ctx.svg, S = f.state;
      clear(svg);
      var cx = 190, cy = 210, R = 150, size = S.ring_size || 4294967296;
      s("circle", { cx: cx, cy: cy, r: R, class: "ring" }, svg);
      var colors = S.nodes.map(function (_, i) { return "c" + (i % 8); });
      var at = function (pos, r) { var a = -Math.PI / 2 + 2 * Math.PI * pos / size; return [cx + r * Math.cos(a), cy + r * Math.sin(a)]; };
      S.nodes.forEach(function (nd, i) {
        (nd.tokens || []).forEach(function (t) {
          var p1 = at(t, R - 8), p2 = at(t, R + 8);
          s("line", { x1: p1[0], y1: p1[1], x2: p2[0], y2: p2[1], class: "token " + colors[i] }, svg);
        });
      });
      var idx = {};
      S.nodes.forEach(function (nd, i) { idx[nd.name] = i; });
      (S.sample || []).forEach(function (k) {
        var p = at(k.pos, R - 22);
        s("circle", { cx: p[0], cy: p[1], r: 2.5, class: "key " + colors[idx[k.node]] }, svg);
      });
      s("text", { x: cx, y: cy - 4, "text-anchor": "middle", class: "ring-label" }, svg, S.keys + " keys");
      s("text", { x: cx, y: cy + 14, "text-anchor": "middle", class: "ring-sub" }, svg, S.nodes.length + " nodes × " + S.vnodes + " tokens");
      // Bars: keys per node (ring) vs hash % N.
      var bx = 380, bw = 240, max = Math.max(1, S.nodes.reduce(function (m, nd) { return Math.max(m, nd.keys, nd.modulo_keys || 0); }, 0));
      s("text", { x: bx, y: 40, class: "chart-title" }, svg, "Keys per node: ring vs hash % N");
      var rowH = Math.min(36, 320 / Math.max(1, S.nodes.length));
      S.nodes.forEach(function (nd, i) {
        var y = 56 + i * rowH;
        s("text", { x: bx, y: y + 10, class: "bar-label" }, svg, nd.name);
        s("rect", { x: bx + 30, y: y, width: Math.max(1, (bw - 70) * nd.keys / max), height: rowH * 0.38, class: "bar " + colors[i] }, svg);
        s("rect", { x: bx + 30, y: y + rowH * 0.42, width: Math.max(1, (bw - 70) * (nd.modulo_keys || 0) / max), height: rowH * 0.3, class: "bar bar-modulo" }, svg);
        s("text", { x: bx + 30 + (bw - 70) * nd.keys / max + 4, y: y + 9, class: "bar-value" }, svg, String(nd.keys));
      });
      if (ctx.rmSel) {
        var key = S.nodes.map(function (nd) { return nd.name; }).join(",");
        if (ctx.rmKey !== key) {
          ctx.rmKey = key;
          ctx.rmSel.textContent = "";
          S.nodes.forEach(function (nd) { ctx.rmSel.appendChild(h("option", { value: nd.name }, [nd.name])); });
        }
      }
      var lc = S.last_change;
      sideSet(ctx.side, [
        dl([["Keys", S.keys], ["Ideal per node", fmt(S.ideal_per_node, 1)], ["Busiest / ideal", fmt(S.max_over_ideal, 2)]]),
        lc ? h("div", { class: "lab-query" }, [h("h4", {}, ["Last change: " + lc.kind]), dl([["Moved (ring)", lc.moved, { "data-lab-moved": lc.moved }], ["Moved (hash % N)", lc.modulo_moved]])]) : null,
        h("p", { class: "muted lab-hint" }, ["Solid bars: keys on the ring. Thin grey bars: what hash % N would assign."])
      ]);
    }
  };

  // Rate limiting: five lanes of accepted and rejected marks over time.
  RENDER["rate-limiting"] = {
    controls: function (ctx) {
      var a = ctx.actions;
      var n = numInput(ctx, "Requests", "burst-n", 20, 1, 1000);
      var spread = numInput(ctx, "over ms", "burst-spread", 0, 0, 10000);
      a.appendChild(row([button("One request", function () { ctx.act("request", []); }, { "data-lab-action": "request" })]));
      a.appendChild(row([n.wrap, spread.wrap, button("Burst", function () {
        var args = [n.inp.value || "20"];
        if (parseInt(spread.inp.value, 10) > 0) args.push(spread.inp.value);
        ctx.act("burst", args);
      }, { "data-lab-action": "burst" })]));
      a.appendChild(h("p", { class: "muted lab-hint" }, ["Change the traffic pattern, rate or burst size under Run settings."]));
    },
    draw: function (ctx, f) {
      var svg = ctx.svg, S = f.state;
      clear(svg, 370);
      // Collect decisions from every frame so far (each frame holds its tick).
      var frames = ctx.st.run.frames, upto = ctx.st.idx;
      var dur = frames[frames.length - 1].time || 1;
      var x0 = 165, x1 = 632, laneH = 70;
      var X = function (t) { return x0 + (x1 - x0) * t / dur; };
      S.algorithms.forEach(function (alg, li) {
        var y = 20 + li * laneH;
        s("rect", { x: x0, y: y, width: x1 - x0, height: laneH - 14, class: "lane" }, svg);
        s("text", { x: 6, y: y + 18, class: "lane-label" }, svg, alg.name);
        s("text", { x: 6, y: y + 36, class: "lane-sub" }, svg, alg.accepted + " ok · " + alg.rejected + " rejected");
        for (var i = 0; i <= upto; i++) {
          var fs = frames[i].state, A = fs.arrivals || [], D = fs.algorithms[li].decisions || [];
          for (var k = 0; k < A.length; k++) {
            var ok = D[k];
            var yy = y + (ok ? 8 : 30) + (k % 4) * 4;
            s("rect", { x: X(A[k].t) - 1, y: yy, width: 2.5, height: 10, class: ok ? "mark ok" : "mark bad" }, svg);
          }
        }
      });
      s("line", { x1: X(f.time), y1: 10, x2: X(f.time), y2: 20 + 5 * laneH - 10, class: "now" }, svg);
      var gauges = h("ul", { class: "lab-gauges" }, S.algorithms.map(function (a) {
        var g = a.gauge || {}, txt = Object.keys(g).filter(function (k) { return g[k] != null && typeof g[k] !== "object"; }).map(function (k) { return k.replace(/_/g, " ") + " " + g[k]; }).join(" · ");
        return h("li", {}, [h("strong", {}, [a.name]), h("br"), h("span", { class: "muted" }, [txt])]);
      }));
      sideSet(ctx.side, [dl([["Pattern", S.pattern], ["Rate", S.rate + "/s"], ["Burst", S.capacity], ["Arrived", S.total_arrivals]]), h("h4", {}, ["Gauges"]), gauges,
        h("p", { class: "muted lab-hint" }, ["Upper marks: accepted. Lower marks: rejected."])]);
    }
  };

  // Circuit breaker: the state machine and the two callers' counters.
  RENDER["circuit-breaker"] = {
    controls: function (ctx) {
      var a = ctx.actions;
      var fr = numInput(ctx, "Failure rate %", "failure", 100, 0, 100);
      var lat = numInput(ctx, "Latency ms", "latency", 1000, 1, 60000);
      a.appendChild(row([fr.wrap, button("Set failure rate", function () { ctx.act("failure-rate", [fr.inp.value || "0"]); }, { "data-lab-action": "failure-rate" })]));
      a.appendChild(row([lat.wrap, button("Set latency", function () { ctx.act("latency", [lat.inp.value || "50"]); }, { "data-lab-action": "latency" })]));
      a.appendChild(row([button("Fix the dependency", function () { ctx.act("failure-rate", ["0"]); }, {})]));
    },
    draw: function (ctx, f) {
      var svg = ctx.svg, S = f.state, cur = S.breaker.state;
      clear(svg);
      var P = { closed: [110, 110], open: [530, 110], "half-open": [320, 250] };
      // [from, to, label, offset of the line, label position]
      var arrows = [["closed", "open", "failures ≥ " + S.config.threshold, 0, [320, 102]], ["open", "half-open", "after " + S.config.open_ms + " ms →", -14, [520, 190]],
        ["half-open", "closed", "← " + S.config.trials + " trials ok", 0, [150, 190]], ["half-open", "open", "← a trial fails", 14, [410, 215]]];
      arrows.forEach(function (ar) {
        var a = P[ar[0]], b = P[ar[1]], off = ar[3];
        s("line", { x1: a[0] + off, y1: a[1] + off, x2: b[0] + off, y2: b[1] + off, class: "sm-edge" }, svg);
        s("text", { x: ar[4][0], y: ar[4][1], "text-anchor": "middle", class: "sm-label" }, svg, ar[2]);
      });
      Object.keys(P).forEach(function (k) {
        var g = s("g", { class: "sm-state" + (k === cur ? " current" : ""), "data-state": k, transform: "translate(" + P[k][0] + "," + P[k][1] + ")" }, svg);
        s("rect", { x: -70, y: -28, width: 140, height: 56, rx: 28 }, g);
        s("text", { y: 6, "text-anchor": "middle" }, g, k);
      });
      // Recent calls strip.
      var rec = S.recent || [];
      s("text", { x: 20, y: 330, class: "chart-title" }, svg, "Recent calls: with breaker (top), without (bottom)");
      rec.forEach(function (r, i) {
        s("rect", { x: 20 + i * 30, y: 340, width: 24, height: 24, rx: 4, class: "call " + r["with"] }, svg);
        s("rect", { x: 20 + i * 30, y: 370, width: 24, height: 24, rx: 4, class: "call " + r.without }, svg);
      });
      var W = S.with_breaker, O = S.without_breaker;
      var table = h("table", { class: "lab-table" }, [
        h("thead", {}, [h("tr", {}, [h("th", {}, [""]), h("th", {}, ["with"]), h("th", {}, ["without"])])]),
        h("tbody", {}, [["success", W.success, O.success], ["failure", W.failure, O.failure], ["timeout", W.timeout, O.timeout], ["short-circuited", W.short_circuited, "–"], ["in flight", W.in_flight, O.in_flight], ["max in flight", W.max_in_flight, O.max_in_flight], ["time wasted (ms)", W.wasted_ms, O.wasted_ms]].map(function (r) {
          return h("tr", {}, [h("th", {}, [r[0]]), h("td", {}, [String(r[1])]), h("td", {}, [String(r[2])])]);
        }))
      ]);
      sideSet(ctx.side, [dl([["Breaker", cur, { "data-lab-breaker": cur }], ["Failures in a row", S.breaker.consecutive_failures], ["Dependency", S.dependency.failure_rate + "% fail, ~" + S.dependency.latency_ms + " ms"]]), table]);
    }
  };

  // Sketches: the Bloom filter's bits, false positives and HyperLogLog.
  RENDER.sketches = {
    controls: function (ctx) {
      var a = ctx.actions;
      var item = textInput(ctx, "Item", "item", "apple");
      var n = numInput(ctx, "N", "n", 100, 1, 100000);
      a.appendChild(row([item.wrap, button("Insert", function () { var v = item.inp.value.trim(); if (v) ctx.act("insert", [v]); }, { "data-lab-action": "insert" }),
        button("Query", function () { var v = item.inp.value.trim(); if (v) ctx.act("query", [v]); }, { "data-lab-action": "query" })]));
      a.appendChild(row([n.wrap, button("Insert N random", function () { ctx.act("insert-random", [n.inp.value || "100"]); }, { "data-lab-action": "insert-random" }),
        button("Query N absent", function () { ctx.act("query-random", [n.inp.value || "100"]); }, { "data-lab-action": "query-random" })]));
    },
    draw: function (ctx, f) {
      var svg = ctx.svg, S = f.state, B = S.bloom, H = S.hll;
      clear(svg);
      var m = B.m, cols = m <= 1024 ? 32 : m <= 4096 ? 64 : m <= 16384 ? 128 : 256;
      var shown = m, cell = 640 / cols;
      var rowsN = Math.ceil(shown / cols);
      var touched = {};
      ((S.last && S.last.positions) || []).forEach(function (p) { touched[p] = true; });
      var hex = B.bits, d = "";
      for (var i = 0; i < shown; i++) {
        var digit = parseInt(hex.charAt(i >> 2), 16) || 0;
        if ((digit >> (3 - (i & 3))) & 1) d += "M" + ((i % cols) * cell) + " " + (Math.floor(i / cols) * cell) + "h" + (cell - 1) + "v" + (cell - 1) + "h-" + (cell - 1) + "z";
      }
      s("rect", { x: 0, y: 0, width: cols * cell, height: rowsN * cell, class: "bits-bg" }, svg);
      s("path", { d: d, class: "bit-on" }, svg);
      Object.keys(touched).forEach(function (p) {
        p = +p;
        if (p < shown) s("rect", { x: (p % cols) * cell - 1, y: Math.floor(p / cols) * cell - 1, width: cell + 1, height: cell + 1, class: "bit-touched" }, svg);
      });
      var y = rowsN * cell + 18;
      s("text", { x: 0, y: y, class: "chart-title" }, svg, shown < m ? "First " + shown + " of " + m + " bits (outlined: the last item's bits)" : m + " bits (outlined: the last item's bits)");
      svg.setAttribute("viewBox", "0 0 640 " + (y + 8));
      var last = S.last;
      sideSet(ctx.side, [
        h("h4", {}, ["Bloom filter"]),
        dl([["Bits m / hashes k", m + " / " + B.k], ["Items n", B.n], ["Bits set", B.set_bits + " (" + pct(B.fill) + ")"], ["False positives", B.false_positives + " of " + B.negatives_queried + " absent queries"], ["FP measured", pct(B.measured_fp), { "data-lab-fp": B.measured_fp == null ? "" : B.measured_fp }], ["FP formula", pct(B.formula_fp)]]),
        h("h4", {}, ["HyperLogLog"]),
        dl([["Registers", H.m + " (p = " + H.p + ")"], ["Estimate", fmt(H.estimate, 1)], ["True distinct", H.true_count], ["Error", pct(H.relative_error) + " (std " + pct(H.std_error) + ")"], ["Method", H.method]]),
        last ? h("p", { class: "lab-query" }, [last.op + " " + (last.item || "") + (last.answer ? ": " + last.answer : "")]) : null
      ]);
    }
  };

  RENDER.generic = {
    draw: function (ctx, f) {
      clear(ctx.svg);
      s("text", { x: 10, y: 30 }, ctx.svg, f.explain);
    }
  };

  document.querySelectorAll("[data-lab-player]").forEach(init);
})();
