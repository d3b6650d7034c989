/* Leader dashboard: draw the monthly trend charts with the vendored Apache ECharts.
   Every point opens the list of the petitions it counted; the same figures are in the tables below. */
(function () {
  "use strict";
  function start() {
    var source = document.getElementById("dash-charts");
    if (!source || typeof echarts === "undefined") return;
    var charts = JSON.parse(source.textContent);
    var font = getComputedStyle(document.body).fontFamily;
    var colors = ["#175cd3", "#b42318", "#027a48", "#b54708"];
    var instances = [];
    charts.forEach(function (chart) {
      var el = document.getElementById("chart-" + chart.key);
      if (!el) return;
      var instance = echarts.init(el, null, { renderer: "canvas" });
      var months = chart.series.length ? chart.series[0].points.map(function (p) { return p.month; }) : [];
      instance.setOption({
        color: colors,
        textStyle: { fontFamily: font },
        animation: false,
        grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
        legend: { top: 0, textStyle: { fontFamily: font } },
        tooltip: {
          trigger: "axis",
          valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; }
        },
        xAxis: { type: "category", data: months, axisLabel: { hideOverlap: true } },
        yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        series: chart.series.map(function (s) {
          return {
            name: s.name,
            type: "line",
            connectNulls: false,
            symbolSize: 7,
            data: s.points.map(function (p) { return { value: p.value, url: p.den_url }; })
          };
        })
      });
      instance.on("click", function (params) {
        if (params.data && params.data.url) window.location.href = params.data.url;
      });
      instances.push(instance);
    });
    window.addEventListener("resize", function () { instances.forEach(function (i) { i.resize(); }); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
