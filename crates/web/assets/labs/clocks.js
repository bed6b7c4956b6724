// Clocks: a space-time diagram, one line per process.
// A drawing module of the lab player (../lab.js): the player imports it
// and passes its DOM and SVG helpers in `ui`, so it imports nothing.
export default function (ui) {
  var h = ui.h, s = ui.s, button = ui.button, clear = ui.clear, sideSet = ui.sideSet,
    dl = ui.dl, nodeSelect = ui.nodeSelect, textInput = ui.textInput, row = ui.row,
    paramDefault = ui.paramDefault;

  return {
    // Virtual milliseconds per real millisecond at speed 1.
    rate: 0.1,
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
}
