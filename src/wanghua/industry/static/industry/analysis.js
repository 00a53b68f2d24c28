// The downtime Pareto: bars of hours per location, a line of the cumulative share.
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("chart-pareto");
  if (!el) return;
  const rows = JSON.parse(el.dataset.pareto);
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 40, top: 20, bottom: 60 },
    xAxis: { type: "category", data: rows.map((r) => r.label), axisLabel: { rotate: 30 } },
    yAxis: [{ type: "value", name: "h" }, { type: "value", max: 100, name: "%" }],
    series: [
      { type: "bar", data: rows.map((r) => r.hours), itemStyle: { color: "#b22222" } },
      { type: "line", yAxisIndex: 1, data: rows.map((r) => r.cumulative_percent) },
    ],
  });
  el.dataset.chartReady = "1";
  window.addEventListener("resize", () => chart.resize());
});
