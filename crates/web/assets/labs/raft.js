// Raft: nodes on a circle, messages as moving dots, partitions as cut links.
// A drawing module of the lab player (../lab.js): the player imports it
// and passes its DOM and SVG helpers in `ui`, so it imports nothing.
export default function (ui) {
  var h = ui.h, s = ui.s, button = ui.button, clear = ui.clear, sideSet = ui.sideSet,
    dl = ui.dl, nodeSelect = ui.nodeSelect, numInput = ui.numInput, textInput = ui.textInput,
    row = ui.row;

  return {
    // Virtual milliseconds per real millisecond at speed 1.
    rate: 0.1,
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
}
