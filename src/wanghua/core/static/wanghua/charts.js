// Charts get JSON {names, counts} and call setOption; containers are never re-swapped (DESIGN.md §2).
const RED = "#b22222";

function chartOption(type, data) {
  if (type === "pie") {
    return {
      tooltip: { trigger: "item" },
      series: [{ type: "pie", radius: ["35%", "70%"], data: data.names.map((name, i) => ({ name, value: data.counts[i] })) }],
    };
  }
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
  chart.setOption(chartOption(el.dataset.chartType || "bar", data));
  el.dataset.chartReady = "1";
  window.addEventListener("resize", () => chart.resize());
}
