// The district's towns/streets on their own GeoJSON outlines, coloured by the zone they belong to (no tiles).
const ZONE_COLOURS = { core: "#b22222", belt: "#6c757d", edz: "#3b6ea5", west: "#e0a800", tayu: "#2e8b57" };

async function drawDistrictMap(el, { dark = false } = {}) {
  const chart = echarts.init(el, dark ? "dark" : null);
  const geo = await (await fetch(el.dataset.url, { headers: { Accept: "application/json" } })).json();
  if (!geo.features.length) return showEmpty(el, chart);  // nothing of the district in the reader's scope
  echarts.registerMap("wanghua-streets", geo);
  const zones = {};
  geo.features.forEach((f) => { zones[f.properties.zone] = f.properties.zone_name; });
  chart.setOption({
    backgroundColor: "transparent",
    tooltip: { trigger: "item", formatter: (p) => (p.data ? [
      `<b>${p.data.label}</b>`, p.data.zoneName,
      `${el.dataset.msgCommunities || ""} ${p.data.communities}`, `${el.dataset.msgPopulation || ""} ${p.data.population}`,
      `${el.dataset.msgStations || ""} ${p.data.stations}`].filter(Boolean).join("<br>") : p.name) },
    legend: { show: false },
    series: [{
      type: "map", map: "wanghua-streets", roam: true, scaleLimit: { min: 0.8, max: 12 }, selectedMode: false,
      labelLayout: { hideOverlap: true },  // the small urban streets: a name that would cover another waits for zoom
      // Every town/street is named on the map; its figures come on hover.
      label: { show: true, color: dark ? "#fff" : "#222", fontSize: dark ? 13 : 11, formatter: (p) => (p.data ? p.data.label : "") },
      emphasis: { label: { show: true, formatter: (p) => (p.data ? p.data.label : "") } },
      layoutCenter: dark ? null : ["60%", "50%"], layoutSize: dark ? null : "80%",
      data: geo.features.map((f) => ({
        name: f.properties.name, label: f.properties.label, zoneName: f.properties.zone_name,
        communities: f.properties.communities, population: f.properties.population, stations: f.properties.stations,
        itemStyle: { areaColor: ZONE_COLOURS[f.properties.zone] || "#adb5bd", borderColor: "#fff" },
      })),
    }],
    graphic: Object.entries(zones).map(([code, name], i) => ({
      type: "group", left: 8, top: 8 + i * 18, children: [
        { type: "rect", shape: { width: 12, height: 12 }, style: { fill: ZONE_COLOURS[code] || "#adb5bd" } },
        { type: "text", left: 16, style: { text: name, fill: dark ? "#fff" : "#333", font: "12px sans-serif" } },
      ],
    })),
  });
  el.dataset.chartReady = "1";
  el.dataset.features = String(geo.features.length);
  window.addEventListener("resize", () => chart.resize());
  return chart;
}

document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("district-map");
  if (el && !el.dataset.manual) drawDistrictMap(el);
});
