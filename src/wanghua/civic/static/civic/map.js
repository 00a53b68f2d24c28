// Cases by community, drawn on the communities' own GeoJSON outlines (no map tiles).
document.addEventListener("DOMContentLoaded", async () => {
  const el = document.getElementById("case-map");
  const chart = echarts.init(el);
  chart.showLoading();
  const response = await fetch(el.dataset.url, { headers: { Accept: "application/json" } });
  const geo = await response.json();
  chart.hideLoading();
  if (!geo.features.length) return showEmpty(el, chart);  // no community outline in the reader's scope
  echarts.registerMap("wanghua-communities", geo);
  const data = geo.features.map((f) => ({ name: f.properties.name, value: f.properties.cases, label: f.properties.label }));
  const most = Math.max(1, ...data.map((d) => d.value));
  chart.setOption({
    tooltip: { trigger: "item", formatter: (p) => `${p.data ? p.data.label : p.name}: ${p.value || 0}` },
    visualMap: { min: 0, max: most, left: 10, bottom: 10, inRange: { color: ["#fff5f0", "#b22222"] }, calculable: true },
    series: [{ type: "map", map: "wanghua-communities", roam: true, data, emphasis: { label: { show: true, formatter: (p) => (p.data ? p.data.label : "") } } }],
  });
  el.dataset.chartReady = "1";
  el.dataset.features = String(geo.features.length);
  window.addEventListener("resize", () => chart.resize());
});
