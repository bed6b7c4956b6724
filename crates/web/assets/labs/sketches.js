// Sketches: the Bloom filter's bits, false positives and HyperLogLog.
// A drawing module of the lab player (../lab.js): the player imports it
// and passes its DOM and SVG helpers in `ui`, so it imports nothing.
export default function (ui) {
  var h = ui.h, s = ui.s, button = ui.button, fmt = ui.fmt, pct = ui.pct, clear = ui.clear,
    sideSet = ui.sideSet, dl = ui.dl, numInput = ui.numInput, textInput = ui.textInput,
    row = ui.row;

  return {
    // No clock: an action's `at` is a step index and frames advance one by one.
    clockless: true,
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
}
