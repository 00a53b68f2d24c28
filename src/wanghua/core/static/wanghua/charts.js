// Charts get JSON and call setOption; containers are never re-swapped (DESIGN.md §2).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-chart-url]").forEach(async (el) => {
    const chart = echarts.init(el);
    const response = await fetch(el.dataset.chartUrl, { headers: { Accept: "application/json" } });
    const data = await response.json();
    chart.setOption({
      tooltip: {},
      grid: { left: 40, right: 10, bottom: 60, top: 20 },
      xAxis: { type: "category", data: data.names, axisLabel: { rotate: 35 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: data.counts, itemStyle: { color: "#b22222" } }],
    });
    el.dataset.chartReady = "1";
    window.addEventListener("resize", () => chart.resize());
  });
});
