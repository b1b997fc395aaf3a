/* Report charts (bar, line, stacked bar, pie) from the JSON a page embeds with json_script:
   <div data-report-chart="DATA-ID">, data = {view, labels, series: [{name, data}]}. No inline script (CSP);
   tooltips drawn on the canvas (richText) because HTML tooltips need inline styles. */
(function () {
  "use strict";

  function option(data) {
    if (data.view === "pie") {
      const first = data.series[0] || {data: []};
      return {tooltip: {trigger: "item"}, legend: {type: "scroll", bottom: 0},
        series: [{name: first.name, type: "pie", radius: ["35%", "65%"],
                  data: data.labels.map(function (label, i) { return {name: label, value: first.data[i]}; })}]};
    }
    const kind = data.view === "line" ? "line" : "bar";
    return {tooltip: {trigger: "axis"}, legend: {type: "scroll"}, grid: {left: 80, right: 20, bottom: 60},
      xAxis: {type: "category", data: data.labels, axisLabel: {rotate: data.labels.length > 6 ? 30 : 0}},
      yAxis: {type: "value"},
      series: data.series.map(function (s) {
        return {name: s.name, type: kind, data: s.data, stack: data.view === "stacked" ? "total" : undefined};
      })};
  }

  function draw(element) {
    const data = JSON.parse(document.getElementById(element.dataset.reportChart).textContent);
    const chosen = option(data);
    chosen.tooltip = Object.assign({renderMode: "richText", confine: true}, chosen.tooltip);
    window.echarts.init(element).setOption(chosen);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (window.echarts) document.querySelectorAll("[data-report-chart]").forEach(draw);
  });
})();
