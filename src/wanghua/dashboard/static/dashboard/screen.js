// The big screen: fit the 1920×1080 stage to the window, rotate the centre panel, poll for new values.
const stage = document.getElementById("stage");
let data = JSON.parse(document.getElementById("screen-data").textContent);
const charts = {};

function fit() {
  const scale = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
  stage.style.transform = `scale(${scale})`;
  Object.values(charts).forEach((c) => c.resize());
}

function formatted(value) {
  if (value === null || value === undefined) return "—";
  return Number(value).toLocaleString("zh-CN", { maximumFractionDigits: 2 });
}

function drawFlower() {
  charts.flower = charts.flower || echarts.init(document.getElementById("screen-flower"), "dark");
  charts.flower.setOption({
    backgroundColor: "transparent",
    title: { text: stage.querySelector('[data-slide="1"]').textContent, left: "center", top: 4, textStyle: { fontSize: 22 } },
    series: [{ type: "pie", roseType: "radius", radius: ["12%", "75%"], label: { fontSize: 18, formatter: "{b}\n{c}" },
      data: data.goals.map((g) => ({ name: g.name, value: g.score || 0 })) }],
  });
}

function drawTrends() {
  charts.trends = charts.trends || echarts.init(document.getElementById("screen-trends"), "dark");
  const names = {};
  Object.values(data.panels).flat().forEach((f) => { names[f.key] = f.name; });
  const keys = Object.keys(data.trend);
  const months = keys.length ? data.trend[keys[0]].months : [];
  charts.trends.setOption({
    backgroundColor: "transparent",
    legend: { top: 4, textStyle: { fontSize: 16 } },
    grid: keys.map((_k, i) => ({ left: 80, right: 30, top: 60 + i * 300, height: 220 })),
    xAxis: keys.map((k, i) => ({ type: "category", gridIndex: i, data: data.trend[k].months.length ? data.trend[k].months : months })),
    yAxis: keys.map((_k, i) => ({ type: "value", gridIndex: i })),
    series: keys.map((k, i) => ({ name: names[k] || k, type: "line", xAxisIndex: i, yAxisIndex: i, smooth: true, areaStyle: { opacity: 0.15 }, data: data.trend[k].values })),
  }, true);
}

function update() {
  document.getElementById("screen-updated").textContent = data.updated;
  document.getElementById("screen-period").textContent = data.period;
  Object.values(data.panels).flat().forEach((f) => {
    const cell = stage.querySelector(`.fig[data-key="${f.key}"] b`);
    if (cell) cell.textContent = formatted(f.value);
  });
  const body = document.querySelector("#screen-lines tbody");
  body.replaceChildren(...data.lines.map((l) => {
    const row = document.createElement("tr");
    [l.name, l.status_label, l.grade, l.heat, formatted(l.count)].forEach((text, i) => {
      const cell = document.createElement("td");
      cell.textContent = text;
      if (i === 1) cell.className = `st st-${l.status}`;
      row.append(cell);
    });
    return row;
  }));
  drawFlower();
  drawTrends();
}

let slide = 0;
function show(n) {
  const slides = stage.querySelectorAll(".slide");
  slide = n % slides.length;
  slides.forEach((s, i) => s.classList.toggle("on", i === slide));
  stage.querySelectorAll("#rotation span").forEach((d, i) => d.classList.toggle("on", i === slide));
  stage.dataset.slide = String(slide);
  Object.values(charts).forEach((c) => c.resize());
}

async function poll() {
  try {
    const response = await fetch(stage.dataset.url, { headers: { Accept: "application/json" } });
    if (response.ok) {
      data = await response.json();
      update();
      stage.dataset.polls = String(Number(stage.dataset.polls || 0) + 1);
    }
  } catch (error) {
    console.warn("screen poll failed", error);  // keep showing the last values
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  fit();
  window.addEventListener("resize", fit);
  charts.map = await drawDistrictMap(document.getElementById("district-map"), { dark: true });
  update();
  stage.querySelectorAll("#rotation span").forEach((d) => d.addEventListener("click", () => show(Number(d.dataset.slide))));
  setInterval(() => show(slide + 1), Number(stage.dataset.rotateSeconds) * 1000);
  setInterval(poll, Number(stage.dataset.pollSeconds) * 1000);
  stage.dataset.ready = "1";
});
