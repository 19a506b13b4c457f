/*
 * Icarus — staff report page: a small Leaflet map of the report and the
 * nearby same-category reports suggested as duplicates.
 *
 *   <div id="o311-dupmap" data-points='[{"id":1,"lat":..,"lon":..,"label":"..","current":true}, ...]'
 *        data-tiles="" data-attribution="" data-radius="250" data-i18n-map="..."></div>
 *
 * Works without a tile server (points and the search circle on a blank
 * background). Markers link to the reports' pages.
 */
(function () {
  "use strict";
  var el = document.getElementById("o311-dupmap");
  if (!el || typeof L === "undefined") { return; }
  var pts;
  try { pts = JSON.parse(el.getAttribute("data-points") || "[]"); } catch (e) { return; }
  if (!pts.length) { return; }
  var map = L.map(el, { scrollWheelZoom: false, attributionControl: !!el.dataset.tiles });
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  var group = L.featureGroup().addTo(map);
  var current = null;
  pts.forEach(function (p) {
    var m = L.circleMarker([p.lat, p.lon], {
      radius: p.current ? 9 : 7,
      color: p.current ? "#b42318" : "#1d4ed8",
      weight: 2,
      fillOpacity: p.current ? 0.8 : 0.5
    }).addTo(group);
    m.bindTooltip(p.label);
    if (p.current) {
      current = p;
    } else {
      m.on("click", function () { window.location.href = "/staff/reports/" + p.id; });
    }
  });
  var r = parseFloat(el.dataset.radius || "0");
  var bounds = L.latLngBounds(pts.map(function (p) { return [p.lat, p.lon]; }));
  if (current && r > 0) {
    bounds.extend(L.latLng(current.lat, current.lon).toBounds(2 * r));
  }
  map.fitBounds(bounds.pad(0.1), { maxZoom: 17 });
  if (current && r > 0) {
    L.circle([current.lat, current.lon], { radius: r, color: "#b42318", weight: 1, fill: false, dashArray: "4 4", interactive: false }).addTo(map);
  }
  el.setAttribute("data-ready", String(pts.length));
})();
