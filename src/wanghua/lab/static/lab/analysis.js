// Lab analysis: X̄ and R charts with control and specification lines, turnaround per month.
document.addEventListener("DOMContentLoaded", () => {
  const data = JSON.parse(document.getElementById("lab-series").textContent);
  if (!data.heats) return;
  const line = (name, value, color) => (value === null || value === undefined ? [] : [{ name, yAxis: value, lineStyle: { color } }]);
  const draw = (id, option) => {
    const el = document.getElementById(id);
    const chart = echarts.init(el);
    chart.setOption(option);
    el.dataset.chartReady = "1";
    window.addEventListener("resize", () => chart.resize());
  };
  const marks = (lines) => ({ symbol: "none", label: { formatter: "{b} {c}" }, data: lines });
  draw("chart-xbar", {
    tooltip: { trigger: "axis" }, grid: { left: 50, right: 90, top: 20, bottom: 40 },
    xAxis: { type: "category", data: data.heats, axisLabel: { show: false } }, yAxis: { type: "value", scale: true },
    dataZoom: [{ type: "inside" }, { type: "slider", height: 16, bottom: 4 }],
    series: [{ type: "line", data: data.means, showSymbol: false, lineStyle: { width: 1, color: "#b22222" },
      markLine: marks([...line("UCL", data.ucl, "#fd7e14"), ...line("X̄̄", data.centre, "#198754"),
        ...line("LCL", data.lcl, "#fd7e14"), ...line("min", data.lower, "#dc3545"), ...line("max", data.upper, "#dc3545")]) }],
  });
  draw("chart-range", {
    tooltip: { trigger: "axis" }, grid: { left: 50, right: 90, top: 10, bottom: 20 },
    xAxis: { type: "category", data: data.heats, axisLabel: { show: false } }, yAxis: { type: "value" },
    series: [{ type: "bar", data: data.ranges, itemStyle: { color: "#6c757d" }, markLine: marks(line("UCL", data.range_ucl, "#fd7e14")) }],
  });
  draw("chart-turnaround", {
    tooltip: { trigger: "axis" }, grid: { left: 40, right: 10, top: 10, bottom: 50 },
    xAxis: { type: "category", data: data.months, axisLabel: { rotate: 40 } }, yAxis: { type: "value" },
    series: [{ type: "bar", data: data.turnaround, itemStyle: { color: "#b22222" } }],
  });
});
