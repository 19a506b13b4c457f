/*
 * Icarus — the public report form (/report), progressive enhancement.
 * Without this script the form works as plain HTML: every category's
 * questions are shown, the location is typed (lat/long or an address).
 * With it: only the chosen category's questions show, a Leaflet map takes a
 * pin (click/tap, drag, or "use my location") and fills lat/long, and the
 * photo's type and size are checked before sending.
 */
(function () {
	"use strict";

	function $(id) { return document.getElementById(id); }

	function initCategories(form) {
		var blocks = form.querySelectorAll(".report-questions");
		function chosen() {
			var r = form.querySelector('input[name="service_code"]:checked');
			return r ? r.value : "";
		}
		function update() {
			var c = chosen();
			blocks.forEach(function (b) {
				var on = b.getAttribute("data-service") === c;
				b.hidden = !on;
				b.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !on; });
			});
		}
		form.querySelectorAll('input[name="service_code"]').forEach(function (r) {
			r.addEventListener("change", update);
		});
		update();
	}

	function parseBounds(s) {
		var p = (s || "").split(",").map(Number);
		if (p.length !== 4 || p.some(isNaN)) { return null; }
		return [[p[0], p[1]], [p[2], p[3]]];
	}

	function initMap(form) {
		var el = $("report-map");
		if (!el || typeof window.L === "undefined") { return; }
		var lat = $("lat"), lon = $("long"), status = $("report-map-status");
		el.hidden = false;
		var tools = document.querySelector(".report-map-tools");
		if (tools) { tools.hidden = false; }
		var map = L.map(el, { scrollWheelZoom: false });
		var tiles = el.getAttribute("data-tiles");
		if (tiles) {
			L.tileLayer(tiles, { attribution: el.getAttribute("data-attribution") || "", maxZoom: 19 }).addTo(map);
		}
		var b = parseBounds(el.getAttribute("data-bounds"));
		if (b) { map.fitBounds(b); } else { map.setView([53.48, -2.24], 12); }
		var areas = el.getAttribute("data-areas-url");
		if (!tiles && areas && window.fetch) {
			// no base map configured: the city's areas as outlines, to find one's way
			fetch(areas).then(function (r) { return r.ok ? r.json() : null; }).then(function (gj) {
				if (!gj) { return; }
				L.geoJSON(gj, {
					style: { color: "#667", weight: 1, fillColor: "#dde3ea", fillOpacity: 0.35 },
					interactive: false
				}).addTo(map);
			}).catch(function () {});
		}
		var marker = null;
		function place(ll, pan) {
			if (!marker) {
				marker = L.marker(ll, { draggable: true, keyboard: true, title: form.getAttribute("data-msg-pin") || "" }).addTo(map);
				marker.on("dragend", function () { fill(marker.getLatLng()); });
			} else {
				marker.setLatLng(ll);
			}
			if (pan) { map.setView(ll, Math.max(map.getZoom(), 16)); }
		}
		function fill(ll) {
			lat.value = ll.lat.toFixed(6);
			lon.value = ll.lng.toFixed(6);
			lat.removeAttribute("aria-invalid");
			lon.removeAttribute("aria-invalid");
		}
		map.on("click", function (e) { place(e.latlng, false); fill(e.latlng); });
		function fromInputs() {
			var a = parseFloat(lat.value), o = parseFloat(lon.value);
			if (!isNaN(a) && !isNaN(o) && a >= -90 && a <= 90 && o >= -180 && o <= 180) {
				place(L.latLng(a, o), true);
			}
		}
		lat.addEventListener("change", fromInputs);
		lon.addEventListener("change", fromInputs);
		fromInputs();
		var locate = $("report-locate");
		if (locate) {
			if (!navigator.geolocation) { locate.hidden = true; }
			locate.addEventListener("click", function () {
				navigator.geolocation.getCurrentPosition(function (p) {
					var ll = L.latLng(p.coords.latitude, p.coords.longitude);
					place(ll, true);
					fill(ll);
					status.textContent = form.getAttribute("data-msg-located") || "";
				}, function () {
					status.textContent = form.getAttribute("data-msg-locfail") || "";
				}, { enableHighAccuracy: true, timeout: 15000 });
			});
		}
	}

	function initPhoto(form) {
		var input = $("photo"), err = $("photo-error");
		if (!input || !err) { return; }
		var max = Number(form.getAttribute("data-max-photo") || "8") * 1024 * 1024;
		input.addEventListener("change", function () {
			var f = input.files && input.files[0];
			var msg = "";
			if (f && f.type && f.type !== "image/jpeg" && f.type !== "image/png") {
				msg = form.getAttribute("data-msg-photo-type");
			} else if (f && f.size > max) {
				msg = form.getAttribute("data-msg-photo-size");
			}
			err.textContent = msg;
			err.hidden = !msg;
			if (msg) {
				input.setAttribute("aria-invalid", "true");
				input.value = "";
			} else {
				input.removeAttribute("aria-invalid");
			}
		});
	}

	function init() {
		var form = $("report-form");
		if (!form) { return; }
		initCategories(form);
		initMap(form);
		initPhoto(form);
		var errs = $("report-errors");
		if (errs) { errs.focus(); }
	}

	if (document.readyState === "loading") {
		document.addEventListener("DOMContentLoaded", init);
	} else {
		init();
	}
})();
