// The live fragment is re-swapped every second, except while the operator is writing an
// alarm registration in it (an open <details> or focus inside one of its forms).
function liveMayRefresh() {
  const live = document.getElementById("live");
  if (!live) return false;
  return !live.querySelector("details[open]") && !(document.activeElement && live.contains(document.activeElement)
    && document.activeElement.closest("form"));
}

function refreshLive() {
  const live = document.getElementById("live");
  if (live && window.htmx) htmx.trigger(live, "live-tick");
}

// The tick is ours, not an htmx trigger filter: htmx evaluates filters as code, which the Content-Security-Policy
// (scripts from our own files only, no eval) refuses.
setInterval(() => {
  if (liveMayRefresh()) refreshLive();
}, 1000);

// A fragment already on its way when the operator opened a registration is dropped, not swapped over it.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.target && event.detail.target.id === "live" && !liveMayRefresh()) event.detail.shouldSwap = false;
});

// An alarm step answered (HX-Trigger-After-Swap: live-changed): the step is done, so its form is let go (focus,
// an open registration) and the alarm's new state is read at once.
document.addEventListener("live-changed", () => {
  const live = document.getElementById("live");
  if (!live) return;
  if (document.activeElement && live.contains(document.activeElement)) document.activeElement.blur();
  live.querySelectorAll("details[open]").forEach((details) => { details.open = false; });
  refreshLive();
});

// Times on the sparklines' axis and tooltip in the plant's time zone (Asia/Shanghai), whatever the phone's own.
function timeFormatter(timeZone) {
  const format = new Intl.DateTimeFormat("zh-CN", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  return (ms) => format.format(new Date(ms));
}

// Few, short Y labels: a 90 px chart has room for three.
function shortNumber(value) {
  const magnitude = Math.abs(value);
  if (magnitude >= 10000) return `${(value / 1000).toFixed(0)}k`;
  if (magnitude >= 100) return value.toFixed(0);
  return Number(value.toFixed(2)).toString();
}

// Sparklines of the key tags: JSON every 10 s into setOption; the containers are never re-swapped.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("sparklines");
  if (!box) return;
  const clock = timeFormatter(box.dataset.timeZone || "Asia/Shanghai");
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
        grid: { left: 44, right: 8, top: 8, bottom: 20 },
        xAxis: { type: "time", splitNumber: 4, axisLabel: { fontSize: 10, hideOverlap: true, formatter: clock } },
        yAxis: { type: "value", scale: true, splitNumber: 2,
                 axisLabel: { fontSize: 10, hideOverlap: true, formatter: shortNumber } },
        tooltip: { trigger: "axis", axisPointer: { label: { formatter: (p) => clock(p.value) } },
                   valueFormatter: (v) => (v == null ? "—" : shortNumber(v)) },
        series: [{ type: "line", data: points, showSymbol: false, lineStyle: { width: 1.5, color: "#b22222" } }],
      });
    }
    box.dataset.ready = "1";
  }
  refresh();
  setInterval(refresh, 10000);
});
