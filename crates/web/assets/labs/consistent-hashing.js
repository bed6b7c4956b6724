// Consistent hashing: the ring with tokens and a key-count chart.
// A drawing module of the lab player (../lab.js): the player imports it
// and passes its DOM and SVG helpers in `ui`, so it imports nothing.
export default function (ui) {
  var h = ui.h, s = ui.s, button = ui.button, fmt = ui.fmt, clear = ui.clear,
    sideSet = ui.sideSet, dl = ui.dl, nodeSelect = ui.nodeSelect, numInput = ui.numInput,
    textInput = ui.textInput, row = ui.row;

  return {
    // No clock: an action's `at` is a step index and frames advance one by one.
    clockless: true,
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
}
