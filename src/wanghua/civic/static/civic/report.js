// The resident's pin-drop: tap the map (or use the phone's GPS) to place the problem; the hidden lat/lon fields
// carry it, and open cases of the same kind nearby are offered as "我也遇到" before a duplicate is filed.
document.addEventListener("DOMContentLoaded", async () => {
  const el = document.getElementById("pin-map");
  if (!el) return;
  const form = document.getElementById("report-form");
  const [lat, lon, same, category] = ["lat", "lon", "same_as", "category"].map((n) => form.elements[n]);
  const status = document.getElementById("pin-status");
  const nearby = document.getElementById("nearby");
  const data = await whFetchJSON(el.dataset.outlineUrl);
  const chart = echarts.init(el);
  echarts.registerMap("wh-pin", data.outline);
  chart.setOption({
    geo: whGeo("wh-pin"),
    series: [{ id: "pin", type: "scatter", coordinateSystem: "geo", symbol: "pin", symbolSize: 30,
      itemStyle: { color: "#b22222" }, data: [] }],
  });

  async function checkNearby() {
    nearby.replaceChildren();
    if (!lat.value || !category.value) return;
    const query = new URLSearchParams({ category: category.value, lat: lat.value, lon: lon.value });
    const found = (await whFetchJSON(`${el.dataset.nearbyUrl}?${query}`)).cases;
    el.dataset.nearby = String(found.length);
    if (!found.length) return;
    const box = document.createElement("div");
    box.className = "alert alert-warning py-2 mb-0";
    box.id = "nearby-warning";
    const title = document.createElement("div");
    title.className = "fw-semibold mb-1";
    title.textContent = el.dataset.msgNearby;
    box.append(title);
    found.forEach((c) => {
      const row = document.createElement("div");
      row.className = "d-flex align-items-center gap-2 small mb-1";
      const text = document.createElement("span");
      text.className = "me-auto";
      text.textContent = `${c.category} · ${c.status_label} · ${c.reported}`;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-outline-primary me-too";
      button.dataset.number = c.number;
      button.textContent = el.dataset.msgMetoo;
      button.addEventListener("click", () => {
        same.value = c.number;
        box.querySelectorAll(".me-too").forEach((b) => b.classList.remove("active"));
        button.classList.add("active");
        button.textContent = el.dataset.msgChosen;
      });
      row.append(text, button);
      box.append(row);
    });
    nearby.append(box);
  }

  function setPin(lo, la) {
    lat.value = la.toFixed(6);
    lon.value = lo.toFixed(6);
    same.value = "";
    chart.setOption({ series: [{ id: "pin", data: [[lo, la]] }] });
    status.textContent = el.dataset.msgPinned;
    el.dataset.pinned = "1";
    checkNearby();
  }

  chart.getZr().on("click", (event) => {
    const at = chart.convertFromPixel({ geoIndex: 0 }, [event.offsetX, event.offsetY]);
    if (at && Number.isFinite(at[0])) setPin(at[0], at[1]);
  });
  document.getElementById("use-gps").addEventListener("click", () => {
    if (!navigator.geolocation) { status.textContent = el.dataset.msgGpsFailed; return; }
    navigator.geolocation.getCurrentPosition((position) => {
      const { longitude, latitude } = position.coords;
      setPin(longitude, latitude);
      chart.setOption({ geo: { center: [longitude, latitude], zoom: 6 } });
    }, () => { status.textContent = el.dataset.msgGpsFailed; }, { enableHighAccuracy: true, timeout: 10000 });
  });
  category.addEventListener("change", checkNearby);
  if (lat.value && lon.value) {  // the form came back with an error: keep the pin where it was
    chart.setOption({ series: [{ id: "pin", data: [[Number(lon.value), Number(lat.value)]] }] });
  }
  el.dataset.chartReady = "1";
  window.addEventListener("resize", () => chart.resize());
});
