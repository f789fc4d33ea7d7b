/* A small SVG line chart for body weight: a shaded healthy range, the line and its points.
   Written for this page (no library): drawWeightChart(svg, options). */
"use strict";

(function () {
  var NS = "http://www.w3.org/2000/svg";
  var W = 320, H = 160, LEFT = 36, RIGHT = 8, TOP = 10, BOTTOM = 22;

  function el(name, attrs, text) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function niceStep(span) {
    var raw = span / 4, power = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * power >= raw) return steps[i] * power;
    return 10 * power;
  }

  /* points: [{label, value}] in display units, oldest first; band: [low, high] or null. */
  function drawWeightChart(svg, options) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var points = options.points || [], band = options.band;
    if (!points.length) return false;
    var values = points.map(function (p) { return p.value; });
    if (band) values = values.concat(band);
    var low = Math.min.apply(null, values), high = Math.max.apply(null, values);
    var pad = Math.max((high - low) * 0.15, 2);
    low -= pad; high += pad;
    var step = niceStep(high - low);
    low = Math.floor(low / step) * step; high = Math.ceil(high / step) * step;
    var plotW = W - LEFT - RIGHT, plotH = H - TOP - BOTTOM;
    function y(v) { return TOP + plotH * (1 - (v - low) / (high - low)); }
    function x(i) {
      return points.length === 1 ? LEFT + plotW / 2 : LEFT + plotW * i / (points.length - 1);
    }
    for (var tick = low; tick <= high + step / 2; tick += step) {
      svg.appendChild(el("line", { class: "grid", x1: LEFT, x2: W - RIGHT, y1: y(tick), y2: y(tick) }));
      svg.appendChild(el("text", { x: LEFT - 4, y: y(tick) + 3, "text-anchor": "end" },
        String(Math.round(tick * 10) / 10)));
    }
    if (band) {
      svg.appendChild(el("rect", {
        class: "band", x: LEFT, width: plotW, y: y(band[1]), height: y(band[0]) - y(band[1])
      }));
      svg.appendChild(el("text", { x: W - RIGHT - 2, y: y(band[0]) - 4, "text-anchor": "end" },
        options.bandLabel || ""));
    }
    if (points.length === 1) {
      svg.appendChild(el("line", {
        class: "line", x1: LEFT, x2: W - RIGHT, y1: y(points[0].value), y2: y(points[0].value),
        "stroke-dasharray": "4 4"
      }));
    } else {
      var path = points.map(function (p, i) {
        return (i ? "L" : "M") + x(i).toFixed(1) + " " + y(p.value).toFixed(1);
      }).join(" ");
      svg.appendChild(el("path", { class: "line", d: path }));
    }
    points.forEach(function (p, i) {
      svg.appendChild(el("circle", { class: "dot", cx: x(i), cy: y(p.value), r: 4 }));
      var first = i === 0, last = i === points.length - 1;
      if (first || last) {
        svg.appendChild(el("text", { x: x(i), y: H - 6, "text-anchor": "middle" }, p.label));
      }
    });
    svg.appendChild(el("text", { x: LEFT, y: TOP - 2 }, options.unit || ""));
    return true;
  }

  window.drawWeightChart = drawWeightChart;
})();
