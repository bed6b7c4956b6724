// Rate limiting: five lanes of accepted and rejected marks over time.
// A drawing module of the lab player (../lab.js): the player imports it
// and passes its DOM and SVG helpers in `ui`, so it imports nothing.
export default function (ui) {
  var h = ui.h, s = ui.s, button = ui.button, clear = ui.clear, sideSet = ui.sideSet,
    dl = ui.dl, numInput = ui.numInput, row = ui.row;

  return {
    // Virtual milliseconds per real millisecond at speed 1.
    rate: 1,
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
}
