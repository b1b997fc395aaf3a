/* ECharts pages: a chart is <div data-chart="KIND" data-source="JSON-SCRIPT-ID" data-…-label="…">, drawn here so
   that templates carry no inline script. Tooltips are drawn on the canvas (richText): ECharts' HTML tooltips
   need inline styles, which the Content-Security-Policy refuses. */
(function () {
  "use strict";

  const numbers = function (rows, key) { return rows.map(function (r) { return Number(r[key]); }); };

  const builders = {
    scores: function (data) {
      return {tooltip: {}, grid: {left: 40, right: 10, bottom: 70},
        xAxis: {type: "category", data: data.map(function (d) { return d.name; }), axisLabel: {rotate: 40}},
        yAxis: {type: "value"}, series: [{type: "bar", data: numbers(data, "value")}]};
    },
    cost_benefit: function (data, labels) {
      return {tooltip: {trigger: "axis"}, legend: {}, grid: {left: 80, right: 20, bottom: 30},
        xAxis: {type: "category", data: data.map(function (d) { return d.month; })}, yAxis: {type: "value"},
        series: [{name: labels.incomeLabel, type: "bar", data: numbers(data, "income")},
                 {name: labels.costLabel, type: "bar", data: numbers(data, "cost")},
                 {name: labels.contributionLabel, type: "line", data: numbers(data, "contribution")}]};
    },
    payroll_branches: function (data, labels) {
      return {tooltip: {}, legend: {}, grid: {left: 60, right: 10, bottom: 30},
        xAxis: {type: "category", data: data.map(function (d) { return d.branch; })}, yAxis: {type: "value"},
        series: [{name: labels.grossLabel, type: "bar", data: numbers(data, "gross")},
                 {name: labels.netLabel, type: "bar", data: numbers(data, "net")}]};
    },
    assets_trend: function (data, labels) {
      const series = [{name: labels.totalLabel, type: "line", data: data.trend.total}];
      if (data.trend.avg.length) series.push({name: labels.averageLabel, type: "bar", data: data.trend.avg});
      return {tooltip: {trigger: "axis"}, legend: {}, grid: {left: 80, right: 20},
        xAxis: {type: "category", data: data.trend.x}, yAxis: {type: "value"}, series: series};
    },
    assets_composition: function (data) {
      return {tooltip: {trigger: "item"}, series: [{type: "pie", radius: ["40%", "70%"], data: data.composition}]};
    },
    tier_mix: function (data, labels) {
      return {tooltip: {trigger: "axis"}, legend: {}, grid: {left: 50, right: 20},
        xAxis: {type: "category", data: data.tiers.map(function (t) { return t.name; })}, yAxis: {type: "value", max: 100, name: "%"},
        series: [{name: labels.customersLabel + " %", type: "bar", data: numbers(data.tiers, "customer_share")},
                 {name: labels.assetsLabel + " %", type: "bar", data: numbers(data.tiers, "assets_share")},
                 {name: labels.commissionLabel + " %", type: "bar", data: numbers(data.tiers, "commission_share")}]};
    },
    tier_trend: function (data) {
      return {tooltip: {trigger: "axis"}, legend: {}, grid: {left: 60, right: 20},
        xAxis: {type: "category", data: data.trend.periods}, yAxis: {type: "value"},
        series: data.trend.series.map(function (s) { return {name: s.label, type: "bar", stack: "tiers", data: s.customers}; })};
    },
    tier_migration: function (data, labels) {
      const max = Math.max.apply(null, [1].concat(data.cells.map(function (c) { return c[2]; })));
      return {tooltip: {position: "top"}, grid: {left: 100, bottom: 60},
        xAxis: {type: "category", data: data.tiers, name: labels.columnsLabel},
        yAxis: {type: "category", data: data.rows, name: labels.rowsLabel},
        visualMap: {min: 0, max: max, calculable: true, orient: "horizontal", left: "center", bottom: 0},
        series: [{type: "heatmap", data: data.cells, label: {show: true}}]};
    },
  };

  function draw(element) {
    const data = JSON.parse(document.getElementById(element.dataset.source).textContent);
    const option = builders[element.dataset.chart](data, element.dataset);
    option.tooltip = Object.assign({renderMode: "richText", confine: true}, option.tooltip);
    window.echarts.init(element).setOption(option);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (window.echarts) document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
