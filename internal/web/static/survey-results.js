/*
 * Icarus — survey results and comparison pages: the area map and the print button.
 *
 *   <div id="sr-map" data-areas-url="/api/v1/areas?layer=N"   GeoJSON of the areas (properties.code)
 *        data-values='{"E01...": {"c": "#hex", "t": "label"}}' colour and label per area code, computed by the server
 *        data-tiles="" data-attribution=""                    optional base map
 *        data-i18n-error="…" data-i18n-nodata="…"></div>
 *   <button id="sr-print">                                     prints the page (print CSS in survey-results.css)
 *
 * The figures themselves (shares, intervals, quadrants) are in the page and
 * its tables; the map only paints them.
 */
(function () {
	"use strict";

	function initMap() {
		var el = document.getElementById("sr-map");
		if (!el || typeof window.L === "undefined" || !window.fetch) {
			return;
		}
		var values = {};
		try {
			values = JSON.parse(el.dataset.values || "{}");
		} catch (e) {
			values = {};
		}
		var map = L.map(el, { scrollWheelZoom: false, zoomSnap: 0.25 });
		if (el.dataset.tiles) {
			L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "", maxZoom: 18 }).addTo(map);
		}
		map.setView([0, 0], 2);
		fetch(el.dataset.areasUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
			.then(function (res) {
				if (!res.ok) {
					throw new Error("HTTP " + res.status);
				}
				return res.json();
			})
			.then(function (fc) {
				var nodata = el.dataset.i18nNodata || "No data";
				var layer = L.geoJSON(fc, {
					style: function (f) {
						var v = values[f.properties.code];
						return { color: "#4d4d4d", weight: 0.6, fillOpacity: v ? 0.85 : 0.35, fillColor: v ? v.c : "#e6e6e6" };
					},
					onEachFeature: function (f, l) {
						var v = values[f.properties.code];
						l.bindTooltip(v ? v.t : (f.properties.name || f.properties.code) + " (" + f.properties.code + "): " + nodata, { sticky: true });
					}
				}).addTo(map);
				var b = layer.getBounds();
				if (b.isValid()) {
					map.fitBounds(b, { padding: [8, 8] });
				}
				el.setAttribute("data-ready", String(Object.keys(values).length));
			})
			.catch(function () {
				var p = document.createElement("p");
				p.className = "error";
				p.textContent = el.dataset.i18nError || "The map could not be loaded.";
				el.replaceWith(p);
			});
	}

	function initPrint() {
		var b = document.getElementById("sr-print");
		if (b) {
			b.addEventListener("click", function () { window.print(); });
		}
	}

	function init() {
		initMap();
		initPrint();
	}

	if (document.readyState === "loading") {
		document.addEventListener("DOMContentLoaded", init);
	} else {
		init();
	}
})();
