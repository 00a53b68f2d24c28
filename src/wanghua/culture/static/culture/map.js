// Heritage sites as points and study routes as lines over the district's outline (no map tiles); the recognised
// role models per community in the tooltip of the communities.
document.addEventListener("DOMContentLoaded", async () => {
  const el = document.getElementById("culture-map");
  if (!el) return;
  const chart = echarts.init(el);
  const layers = await (await fetch(el.dataset.url, { headers: { Accept: "application/json" } })).json();
  const models = Object.fromEntries(layers.role_models.map((r) => [r.community, r.count]));
  const series = [
    { name: el.dataset.sites, type: "scatter", coordinateSystem: "geo", symbolSize: 12, data: layers.sites,
      label: { show: true, formatter: (p) => p.name, position: "right", fontSize: 11 } },
    ...layers.routes.map((r) => ({ name: `${el.dataset.routes}：${r.name}`, type: "lines", coordinateSystem: "geo",
      polyline: true, data: [{ coords: r.coords }], lineStyle: { width: 3, color: "#b22222" } })),
  ];
  if (layers.outline.features.length) {
    echarts.registerMap("culture-outline", layers.outline);
    chart.setOption({
      tooltip: { trigger: "item", formatter: (p) => (p.seriesType === "scatter" ? p.name
        : `${p.name}${models[p.name] ? ` · ${el.dataset.models} ${models[p.name]}` : ""}`) },
      geo: { map: "culture-outline", roam: true, itemStyle: { areaColor: "#fbf6ee" } }, series,
    });
  } else {
    // No outline in the geography yet: the same points on longitude/latitude axes.
    chart.setOption({ xAxis: { scale: true }, yAxis: { scale: true }, tooltip: {},
      series: series.map((s) => ({ ...s, coordinateSystem: "cartesian2d" })) });
  }
  el.dataset.chartReady = "1";
  el.dataset.sitesShown = String(layers.sites.length);
  window.addEventListener("resize", () => chart.resize());
});
