/* Charts of the supervision dashboard (Apache ECharts, served from static/vendor/echarts).
 * The numbers come from <script type="application/json" id="supervision-charts">; the same
 * numbers are in the table under each chart, for printing and screen readers. */
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var source = document.getElementById("supervision-charts");
  if (!source || typeof echarts === "undefined") { return; }
  var charts = JSON.parse(source.textContent);
  var drawn = [];

  function draw(id, option) {
    var element = document.getElementById(id);
    if (!element) { return; }
    var chart = echarts.init(element);
    chart.setOption(option);
    drawn.push(chart);
  }

  var percent = { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } };

  draw("chart-trend", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 40, bottom: 32 },
    xAxis: { type: "category", data: charts.trend.months },
    yAxis: percent,
    series: charts.trend.series.map(function (s) {
      return { name: s.name, type: "line", data: s.values, connectNulls: false };
    })
  });

  draw("chart-ranking", {
    tooltip: { trigger: "axis" },
    grid: { left: 120, right: 24, top: 16, bottom: 24 },
    xAxis: percent,
    yAxis: { type: "category", inverse: true, data: charts.ranking.names },
    series: [{ name: charts.ranking.label, type: "bar", data: charts.ranking.values,
               itemStyle: { color: "#198754" } }]
  });

  var cardColours = { none: "#adb5bd", blue: "#0d6efd", yellow: "#ffc107", red: "#dc3545" };
  draw("chart-cards", {
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["40%", "70%"],
               data: charts.cards.keys.map(function (key, i) {
                 return { name: charts.cards.names[i], value: charts.cards.values[i],
                          itemStyle: { color: cardColours[key] } };
               }) }]
  });

  draw("chart-workload", {
    tooltip: { trigger: "axis" },
    grid: { left: 120, right: 24, top: 16, bottom: 24 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: charts.workload.names },
    series: [{ type: "bar", data: charts.workload.values, itemStyle: { color: "#0d6efd" } }]
  });

  window.addEventListener("resize", function () {
    drawn.forEach(function (chart) { chart.resize(); });
  });
})();
