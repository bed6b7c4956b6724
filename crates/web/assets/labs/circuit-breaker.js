// Circuit breaker: the state machine and the two callers' counters.
// A drawing module of the lab player (../lab.js): the player imports it
// and passes its DOM and SVG helpers in `ui`, so it imports nothing.
export default function (ui) {
  var h = ui.h, s = ui.s, button = ui.button, clear = ui.clear, sideSet = ui.sideSet,
    dl = ui.dl, numInput = ui.numInput, row = ui.row;

  return {
    // Virtual milliseconds per real millisecond at speed 1.
    rate: 2,
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
}
