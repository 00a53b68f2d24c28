// The phone's position, when it allows it, goes with the report (the form's lat/lon fields).
(() => {
  "use strict";
  if (!navigator.geolocation || !document.getElementById("id_lat")) return;
  navigator.geolocation.getCurrentPosition((p) => {
    document.getElementById("id_lat").value = p.coords.latitude.toFixed(6);
    document.getElementById("id_lon").value = p.coords.longitude.toFixed(6);
    document.getElementById("gps").textContent = `GPS ${p.coords.latitude.toFixed(5)}, ${p.coords.longitude.toFixed(5)}`;
  });
})();
