// Charts get JSON {names, counts} and call setOption; containers are never re-swapped (DESIGN.md §2).
const RED = "#b22222";

// Below this width a pie's outside labels no longer fit beside it (a phone, a narrow card): the names go to a
// legend under the pie and the ring carries the shares, so no label is cut off at the edge.
const NARROW_PIE = 560;

function pieOption(data, width) {
  const slices = data.names.map((name, i) => ({ name, value: data.counts[i] }));
  if (width >= NARROW_PIE) {
    return {
      tooltip: { trigger: "item" },
      series: [{ type: "pie", radius: ["35%", "65%"], data: slices, avoidLabelOverlap: true,
                 label: { formatter: "{b} {d}%", alignTo: "labelLine", bleedMargin: 8 } }],
    };
  }
  return {
    tooltip: { trigger: "item", confine: true },
    legend: { bottom: 0, left: "center", itemWidth: 12, itemHeight: 10, itemGap: 8, textStyle: { fontSize: 12 } },
    series: [{ type: "pie", radius: ["26%", "54%"], center: ["50%", "38%"], data: slices,
               label: { position: "inside", formatter: (p) => (p.percent >= 6 ? `${Math.round(p.percent)}%` : ""),
                        color: "#fff", fontSize: 11 },
               labelLine: { show: false } }],
  };
}

function chartOption(type, data, width = 1000) {
  if (type === "pie") return pieOption(data, width);
  return {
    tooltip: { trigger: "axis" },
    grid: { left: 48, right: 10, bottom: 70, top: 20 },
    xAxis: { type: "category", data: data.names, axisLabel: { rotate: 35 } },
    yAxis: { type: "value", minInterval: 1 },
    dataZoom: data.names.length > 36 ? [{ type: "slider", bottom: 0 }] : [],
    series: [{ type: type === "line" ? "line" : "bar", data: data.counts, itemStyle: { color: RED }, smooth: true }],
  };
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-chart-url]").forEach(async (el) => {
    const chart = echarts.init(el);
    chart.showLoading();
    const response = await fetch(el.dataset.chartUrl, { headers: { Accept: "application/json" } });
    const data = await response.json();
    chart.hideLoading();
    draw(el, chart, data);
  });
  // Figures already on the page travel as json_script: no second request.
  document.querySelectorAll("[data-chart-data]").forEach((el) => {
    draw(el, echarts.init(el), JSON.parse(document.getElementById(el.dataset.chartData).textContent));
  });
});

// An empty series makes ECharts throw on its first resize: say "no data" instead of drawing nothing.
function showEmpty(el, chart) {
  chart.dispose();
  const note = document.createElement("p");
  note.className = "text-muted small text-center py-5 mb-0";
  note.textContent = el.dataset.emptyText || (document.documentElement.lang.startsWith("zh") ? "暂无数据" : "No data");
  el.replaceChildren(note);
  el.dataset.chartReady = "1";
  el.dataset.empty = "1";
}

function draw(el, chart, data) {
  if (!data.names || data.names.length === 0) return showEmpty(el, chart);
  const type = el.dataset.chartType || "bar";
  chart.setOption(chartOption(type, data, el.clientWidth));
  el.dataset.chartReady = "1";
  el.dataset.chartLayout = type === "pie" && el.clientWidth < NARROW_PIE ? "legend" : "labels";
  window.addEventListener("resize", () => {
    if (type === "pie") chart.setOption(chartOption(type, data, el.clientWidth), { replaceMerge: ["series", "legend"] });
    chart.resize();
  });
}
