/* Consent campaign: the consent rate over time with the threshold, drawn with the vendored ECharts.
   The same figures are in the table under the chart. */
(function () {
  "use strict";
  function start() {
    var source = document.getElementById("consent-data");
    var el = document.getElementById("consent-chart");
    if (!source || !el || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var font = getComputedStyle(document.body).fontFamily;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      color: ["#027a48"],
      textStyle: { fontFamily: font },
      animation: false,
      grid: { left: 8, right: 40, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, textStyle: { fontFamily: font } },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
      xAxis: { type: "category", data: data.days, boundaryGap: false, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [{
        name: data.name,
        type: "line",
        step: "end",
        symbolSize: 6,
        areaStyle: { opacity: 0.12 },
        data: data.rates,
        markLine: {
          symbol: "none",
          lineStyle: { color: "#b42318", type: "dashed" },
          label: { position: "insideEndTop", formatter: data.thresholdName + " {c}%" },
          data: [{ yAxis: data.threshold }]
        }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
