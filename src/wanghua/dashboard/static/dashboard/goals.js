// 六望花: the six goals as the petals of a rose chart, each petal as long as the share of targets met.
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("chart-flower");
  if (!el) return;
  const data = JSON.parse(document.getElementById(el.dataset.chartData).textContent);
  const chart = echarts.init(el);
  const petals = ["#b22222", "#d9534f", "#2e8b57", "#3b6ea5", "#e0a800", "#8b4513"];
  chart.setOption({
    tooltip: { trigger: "item", formatter: (p) => `${p.name}: ${p.value}` },
    series: [{
      type: "pie", roseType: "radius", radius: ["12%", "78%"], itemStyle: { borderRadius: 6 },
      label: { formatter: "{b}\n{c}" },
      data: data.names.map((name, i) => ({ name, value: data.counts[i], itemStyle: { color: petals[i % petals.length] } })),
    }],
  });
  el.dataset.chartReady = "1";
  window.addEventListener("resize", () => chart.resize());
});
