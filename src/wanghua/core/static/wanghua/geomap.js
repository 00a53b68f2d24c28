// Maps on the district's own outline (ECharts `geo`, no tile server): point layers that cluster as one zooms
// out, an optional heat layer, and a pin to drop. Pages give the data URL in data- attributes (CSP: no inline code).
const WH_STATUS_COLOURS = {
  reported: "#e0a800", accepted: "#fd7e14", dispatched: "#dc3545", handled: "#0d6efd", closed: "#198754",
  rejected: "#6c757d", merged: "#adb5bd", received: "#e0a800", handling: "#dc3545", fixed: "#198754",
};
const WH_PALETTE = ["#b22222", "#3b6ea5", "#2e8b57", "#e0a800", "#6f42c1", "#fd7e14", "#20c997", "#6c757d", "#d63384"];

async function whFetchJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  return response.json();
}

// Points drawn within the same square of the screen (cell: pixels) become one cluster; a lone point stays
// itself. Bucketing on screen, not in degrees, keeps clusters apart at every zoom.
function whCluster(points, toPixel, cell) {
  const cells = new Map();
  points.forEach((p) => {
    const at = toPixel([p.lon, p.lat]);
    if (!at) return;
    const key = `${Math.floor(at[0] / cell)}:${Math.floor(at[1] / cell)}`;
    if (!cells.has(key)) cells.set(key, []);
    cells.get(key).push(p);
  });
  return [...cells.values()].map((members) => ({
    lon: members.reduce((s, p) => s + p.lon, 0) / members.length,
    lat: members.reduce((s, p) => s + p.lat, 0) / members.length,
    members,
  }));
}

function whGeo(mapName, { dark = false, labels = true } = {}) {
  return {
    map: mapName, roam: true, nameProperty: "label", scaleLimit: { min: 0.8, max: 40 },
    layoutCenter: ["50%", "50%"], layoutSize: "96%",  // the district fills the box
    label: { show: labels, color: dark ? "#ddd" : "#666", fontSize: 10 },
    itemStyle: { areaColor: dark ? "#1d2a3a" : "#f4f1ea", borderColor: dark ? "#5b7a99" : "#a9a294" },
    emphasis: { label: { show: true }, itemStyle: { areaColor: dark ? "#2c4560" : "#e9e1cf" } },
    select: { disabled: true },
  };
}

// A map of points over the outline. opts: colour (point → colour), tooltip (point → html), heat (bool),
// clusterCell (pixels), unit (the word after a cluster's count), labels (street names on the map).
function whPointMap(el, outline, points, opts = {}) {
  if (!outline || !outline.features || outline.features.length === 0) {  // ECharts cannot frame an empty map
    const note = document.createElement("p");
    note.className = "text-muted small text-center py-5 mb-0";
    note.textContent = document.documentElement.lang.startsWith("zh") ? "暂无数据" : "No data";
    el.replaceChildren(note);
    el.dataset.chartReady = "1";
    return;
  }
  const chart = echarts.init(el);
  const mapName = `wh-${el.id}`;
  echarts.registerMap(mapName, outline);
  const colour = opts.colour || (() => "#b22222");
  const cell = opts.clusterCell || 44;  // pixels
  let heatOn = Boolean(opts.heat);

  function clusteredSeries() {
    const groups = whCluster(points, (lonLat) => chart.convertToPixel({ geoIndex: 0 }, lonLat), cell);
    const singles = groups.filter((g) => g.members.length === 1).map((g) => g.members[0]);
    const clusters = groups.filter((g) => g.members.length > 1);
    return [
      // zlevel 1: the points' own layer, above the streets' names, so a name never swallows a click
      { id: "points", type: "scatter", coordinateSystem: "geo", symbolSize: 10, zlevel: 1, z: 3,
        data: singles.map((p) => ({ value: [p.lon, p.lat], point: p, itemStyle: { color: colour(p) } })) },
      { id: "clusters", type: "scatter", coordinateSystem: "geo", zlevel: 1, z: 4,
        symbolSize: (v) => 16 + 7 * Math.log2(v[2]),
        itemStyle: { color: "rgba(178,34,34,0.78)", borderColor: "#fff", borderWidth: 1 },
        label: { show: true, formatter: (p) => String(p.value[2]), color: "#fff", fontSize: 11 },
        data: clusters.map((g) => ({ value: [g.lon, g.lat, g.members.length], members: g.members,
          itemStyle: { color: dominant(g.members), opacity: 0.8 } })) },
    ];
  }

  function dominant(members) {  // a cluster wears the colour most of its points have
    const counts = new Map();
    members.forEach((p) => counts.set(colour(p), (counts.get(colour(p)) || 0) + 1));
    return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
  }

  function heatSeries() {
    return { id: "heat", type: "heatmap", coordinateSystem: "geo", pointSize: 7, blurSize: 14,
      data: heatOn ? points.map((p) => [p.lon, p.lat, 1]) : [] };
  }

  chart.setOption({
    backgroundColor: "transparent",
    animation: false,  // thousands of points, redrawn on every zoom: no growing symbols, a point is where it is
    geo: whGeo(mapName, { dark: opts.dark, labels: opts.labels !== false }),
    tooltip: { trigger: "item", formatter: (p) => {
      if (p.data && p.data.point) return (opts.tooltip || ((q) => q.name || ""))(p.data.point);
      if (p.data && p.data.members) return `${p.data.members.length} ${opts.unit || ""}`;
      return p.name || "";
    } },
    visualMap: { show: false, min: 0, max: 4, seriesIndex: 2,
      inRange: { color: ["rgba(255,255,178,0)", "#fecc5c", "#fd8d3c", "#e31a1c"] } },
    series: [],
  });
  chart.setOption({ series: [...clusteredSeries(), heatSeries()] });

  let pending = null;
  chart.on("georoam", () => {
    clearTimeout(pending);
    pending = setTimeout(() => chart.setOption({ series: clusteredSeries() }), 120);
  });
  chart.on("click", (p) => {
    if (p.data && p.data.point && p.data.point.url) window.location.href = p.data.point.url;
    else if (p.data && p.data.members) {  // a cluster opens up: zoom in on it
      const zoom = chart.getOption().geo[0].zoom || 1;
      chart.setOption({ geo: { center: [p.data.value[0], p.data.value[1]], zoom: zoom * 2.5 } });
      chart.setOption({ series: clusteredSeries() });
    }
  });
  el.whSetHeat = (on) => { heatOn = on; chart.setOption({ series: [heatSeries()] }); };
  el.dataset.chartReady = "1";
  el.dataset.points = String(points.length);
  el.dataset.features = String(outline.features.length);
  window.addEventListener("resize", () => chart.resize());
  return chart;
}

function whLegend(container, entries) {
  if (!container) return;
  container.replaceChildren(...entries.map(({ name, colour }) => {
    const item = document.createElement("span");
    item.className = "me-3 small text-nowrap";
    const dot = document.createElement("span");
    dot.className = "d-inline-block rounded-circle me-1 align-middle";
    dot.style.width = dot.style.height = "10px";
    dot.style.background = colour;
    item.append(dot, document.createTextNode(name));
    return item;
  }));
}

// Colours by a property (category, list …): the first nine values get the palette, the rest grey.
function whColourBy(points, key) {
  const values = [...new Set(points.map((p) => p[key]))];
  const colours = Object.fromEntries(values.map((v, i) => [v, WH_PALETTE[i] || "#adb5bd"]));
  return { colour: (p) => colours[p[key]], legend: values.map((v) => ({ name: v, colour: colours[v] })) };
}

// Every [data-point-map]: data-url gives {outline, points}; data-colour-by names a point property (or
// "status"); data-legend the id of the legend's container; data-heat-toggle the id of a checkbox.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-point-map]").forEach(async (el) => {
    const data = await whFetchJSON(el.dataset.url);
    const points = data.points || [];
    const outline = data.outline || data;
    const by = el.dataset.colourBy || "status";
    const scheme = by === "status"
      ? { colour: (p) => WH_STATUS_COLOURS[p.status] || "#6c757d",
        legend: [...new Map(points.map((p) => [p.status, p.status_label])).entries()]
          .map(([status, name]) => ({ name, colour: WH_STATUS_COLOURS[status] || "#6c757d" })) }
      : whColourBy(points, by);
    const tooltip = (p) => [p.number, p.name, p.subcategory || p.category, p.status_label, p.community, p.reported]
      .filter(Boolean).join("<br>");
    const toggle = el.dataset.heatToggle ? document.getElementById(el.dataset.heatToggle) : null;
    whPointMap(el, outline, points, { colour: scheme.colour, tooltip, heat: toggle ? toggle.checked : false,
      unit: el.dataset.unit || "", labels: el.dataset.labels !== "off" });
    whLegend(document.getElementById(el.dataset.legend), scheme.legend);
    if (toggle && el.whSetHeat) toggle.addEventListener("change", () => el.whSetHeat(toggle.checked));
  });
});
