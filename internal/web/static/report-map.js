/*
 * Icarus — the public map of reports (/reports). Draws the grid cells of
 * /reports/cells.json: each cell is a circle at the cell's centre, sized by
 * its number of published reports; counts below the suppression threshold
 * are shown as "fewer than k". Without this script the page's tables and
 * list remain.
 */
(function () {
	"use strict";

	function parseBounds(s) {
		var p = (s || "").split(",").map(Number);
		if (p.length !== 4 || p.some(isNaN)) { return null; }
		return [[p[0], p[1]], [p[2], p[3]]];
	}

	function esc(s) {
		return String(s).replace(/[&<>"']/g, function (c) {
			return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
		});
	}

	function init() {
		var el = document.getElementById("reports-map");
		if (!el || typeof window.L === "undefined" || !window.fetch) { return; }
		el.hidden = false;
		var map = L.map(el, { scrollWheelZoom: false });
		var tiles = el.getAttribute("data-tiles");
		if (tiles) {
			L.tileLayer(tiles, { attribution: el.getAttribute("data-attribution") || "", maxZoom: 19 }).addTo(map);
		}
		var b = parseBounds(el.getAttribute("data-bounds"));
		if (b) { map.fitBounds(b); } else { map.setView([53.48, -2.24], 12); }
		var areas = el.getAttribute("data-areas-url");
		if (!tiles && areas) {
			// no base map configured: the areas' outlines, to find one's way
			fetch(areas).then(function (r) { return r.ok ? r.json() : null; }).then(function (gj) {
				if (gj) {
					L.geoJSON(gj, { style: { color: "#667", weight: 1, fillColor: "#dde3ea", fillOpacity: 0.3 }, interactive: false }).addTo(map).bringToBack();
				}
			}).catch(function () {});
		}
		var fewer = el.getAttribute("data-msg-fewer") || "";
		var label = el.getAttribute("data-msg-reports") || "";
		fetch(el.getAttribute("data-cells-url")).then(function (r) {
			if (!r.ok) { throw new Error("HTTP " + r.status); }
			return r.json();
		}).then(function (fc) {
			var pts = [];
			fc.features.forEach(function (f) {
				var c = f.geometry.coordinates, p = f.properties;
				var ll = L.latLng(c[1], c[0]);
				pts.push(ll);
				var n = p.count;
				var r = n === null ? 5 : Math.min(18, 5 + 3 * Math.sqrt(n));
				var rows = Object.keys(p.categories).sort().map(function (k) {
					var v = p.categories[k];
					return "<li>" + esc(k) + ": " + (v === null ? esc(fewer) : v) + "</li>";
				}).join("");
				L.circleMarker(ll, {
					radius: r, color: "#1f4e79", weight: 1, fillColor: "#2b7bb9", fillOpacity: n === null ? 0.35 : 0.7
				}).bindPopup("<strong>" + esc(label) + ": " + (n === null ? esc(fewer) : n) + "</strong><ul>" + rows + "</ul>").addTo(map);
			});
			if (!b && pts.length) { map.fitBounds(L.latLngBounds(pts).pad(0.1)); }
			if (!fc.features.length) {
				var note = document.createElement("p");
				note.className = "hint";
				note.textContent = el.getAttribute("data-msg-none") || "";
				el.parentNode.insertBefore(note, el.nextSibling);
			}
		}).catch(function () {});
	}

	if (document.readyState === "loading") {
		document.addEventListener("DOMContentLoaded", init);
	} else {
		init();
	}
})();
