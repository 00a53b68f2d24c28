// The live fragment is re-swapped every second, except while the operator is writing an
// alarm registration in it (an open <details> or focus inside one of its forms).
function liveMayRefresh() {
  const live = document.getElementById("live");
  if (!live) return false;
  return !live.querySelector("details[open]") && !(document.activeElement && live.contains(document.activeElement)
    && document.activeElement.closest("form"));
}

// The tick is ours, not an htmx trigger filter: htmx evaluates filters as code, which the Content-Security-Policy
// (scripts from our own files only, no eval) refuses.
setInterval(() => {
  if (liveMayRefresh() && window.htmx) htmx.trigger(document.getElementById("live"), "live-tick");
}, 1000);

// Sparklines of the key tags: JSON every 10 s into setOption; the containers are never re-swapped.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("sparklines");
  if (!box) return;
  const charts = {};
  box.querySelectorAll(".sparkline").forEach((el) => {
    charts[el.dataset.tag] = echarts.init(el);
    window.addEventListener("resize", () => charts[el.dataset.tag].resize());
  });
  async function refresh() {
    const response = await fetch(box.dataset.sparklinesUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const series = await response.json();
    for (const [code, points] of Object.entries(series)) {
      if (!charts[code]) continue;
      charts[code].setOption({
        grid: { left: 36, right: 4, top: 4, bottom: 16 },
        xAxis: { type: "time", axisLabel: { fontSize: 9 } },
        yAxis: { type: "value", scale: true, axisLabel: { fontSize: 9 } },
        tooltip: { trigger: "axis" },
        series: [{ type: "line", data: points, showSymbol: false, lineStyle: { width: 1.5, color: "#b22222" } }],
      });
    }
    box.dataset.ready = "1";
  }
  refresh();
  setInterval(refresh, 10000);
});
