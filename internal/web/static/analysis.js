/*
 * Icarus — analysis workbench (templates/analysis.html).
 *
 * Builds an analysis request from the form, POSTs it to /api/v1/analyses
 * (201: done; 202: queued as a job, then polls GET /api/v1/analyses/{id}
 * and shows its progress), and draws the result: the map layer with
 * Leaflet, the charts as SVG, the method card, the table; exports CSV and
 * GeoJSON (server), PNG (canvas, drawn here: no cross-origin tiles); saves
 * and shares. Plain script, no build step, no inline code (strict CSP).
 */
(function () {
	"use strict";

	var root = document.getElementById("workbench");
	if (!root) { return; }
	var SVGNS = "http://www.w3.org/2000/svg";
	var form = document.getElementById("analysis-form");
	var current = null; // {id, result}
	var opened = root.getAttribute("data-analysis-id"); // the analysis opened by link
	var map = null, mapLayer = null, legendCtl = null;

	function t(key, vars) {
		var s = root.getAttribute("data-i18n-" + key) || key;
		if (vars) {
			Object.keys(vars).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); });
		}
		return s;
	}
	function el(tag, attrs, text) {
		var e = document.createElement(tag);
		if (attrs) { Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); }); }
		if (text !== undefined && text !== null) { e.textContent = text; }
		return e;
	}
	function svg(tag, attrs, text) {
		var e = document.createElementNS(SVGNS, tag);
		if (attrs) { Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); }); }
		if (text !== undefined && text !== null) { e.textContent = text; }
		return e;
	}
	function byId(id) { return document.getElementById(id); }

	// ---------------------------------------------------------------- form

	function showMethodFields() {
		if (!form) { return; }
		var m = form.elements.method.value;
		form.querySelectorAll("[data-methods]").forEach(function (f) {
			f.hidden = f.getAttribute("data-methods").split(" ").indexOf(m) < 0;
		});
		form.querySelectorAll("[data-for-method]").forEach(function (s) {
			s.hidden = s.getAttribute("data-for-method") !== m;
		});
	}

	function fillSelect(sel, values, keepFirst) {
		var first = keepFirst ? sel.options[0] : null;
		sel.textContent = "";
		if (first) { sel.appendChild(first); }
		values.forEach(function (v) { sel.appendChild(el("option", null, v)); });
	}

	function datasetChanged() {
		var id = form.elements.dataset_id.value;
		fetch("/api/v1/analyses/options?dataset=" + encodeURIComponent(id), { credentials: "same-origin" })
			.then(function (r) { return r.ok ? r.json() : Promise.reject(r); })
			.then(function (o) {
				fillSelect(form.elements.categories, o.categories, false);
				["from", "to", "before_from", "before_to", "after_from", "after_to"].forEach(function (n) {
					fillSelect(form.elements[n], o.months, true);
				});
			})
			.catch(function () { status(t("error"), true); });
	}

	function num(name) {
		var v = form.elements[name].value.trim();
		return v === "" ? undefined : Number(v);
	}
	function list(name) {
		return form.elements[name].value.split(",").map(function (s) { return s.trim(); })
			.filter(function (s) { return s !== ""; }).map(Number);
	}

	function buildRequest() {
		var f = form.elements;
		var m = f.method.value;
		var cats = Array.prototype.filter.call(f.categories.options, function (o) { return o.selected; })
			.map(function (o) { return o.value; });
		var req = { method: m, dataset_id: Number(f.dataset_id.value), filters: {}, params: {} };
		if (cats.length) { req.filters.categories = cats; }
		if (f.from.value) { req.filters.from = f.from.value; }
		if (f.to.value) { req.filters.to = f.to.value; }
		if (f.area_id.value) { req.filters.area_id = Number(f.area_id.value); }
		var p = req.params;
		var spatial = ["grid", "kde", "getis-ord", "moran", "hotspot-change", "sppt", "forecast"].indexOf(m) >= 0;
		if (spatial && num("cell") !== undefined) { p.cell = num("cell"); }
		if (m === "kde") {
			p.kernel = f.kernel.value;
			if (num("bandwidth") !== undefined) { p.bandwidth = num("bandwidth"); } else { p.selector = f.selector.value; }
		}
		if (m === "getis-ord" || m === "moran" || m === "hotspot-change") {
			if (f.weights.value) { p.weights = f.weights.value; }
			p.permutations = num("permutations");
			if (m === "getis-ord") { p.star = f.star.checked; }
			if (m !== "hotspot-change" && f.layer_id.value) { p.layer_id = Number(f.layer_id.value); delete p.cell; }
		}
		if (m === "knox") {
			p.space_bands = list("space_bands");
			p.time_bands = list("time_bands");
			p.metric = f.metric.value;
			p.iterations = num("iterations");
		}
		if (m === "getis-ord" || m === "moran" || m === "knox" || m === "hotspot-change") {
			p.alpha = num("alpha");
		}
		if (m === "getis-ord" || m === "moran" || m === "knox" || m === "hotspot-change" || m === "sppt") {
			p.seed = num("seed");
		}
		if (m === "trend") {
			p.kind = f.kind.value;
		}
		if (m === "trend" || m === "hotspot-change") {
			p.interval = f.interval.value === "day" && m === "hotspot-change" ? "week" : f.interval.value;
		}
		if (m === "forecast") {
			p.forecast_method = f.forecast_method.value;
			p.evaluate = f.evaluate.checked;
			p.test_days = num("test_days");
		}
		if (m === "change" || m === "sppt") {
			["before_from", "before_to", "after_from", "after_to"].forEach(function (n) { if (f[n].value) { p[n] = f[n].value; } });
		}
		return req;
	}

	function setForm(req) {
		if (!form || !req) { return; }
		var f = form.elements, p = req.params || {}, fl = req.filters || {};
		function set(name, v) { if (v !== undefined && v !== null && f[name]) { f[name].value = Array.isArray(v) ? v.join(",") : String(v); } }
		set("method", req.method);
		set("from", fl.from); set("to", fl.to); set("area_id", fl.area_id);
		if (fl.categories && f.categories) {
			Array.prototype.forEach.call(f.categories.options, function (o) { o.selected = fl.categories.indexOf(o.value) >= 0; });
		}
		["cell", "kernel", "bandwidth", "selector", "weights", "permutations", "space_bands", "time_bands", "metric", "iterations",
			"kind", "interval", "alpha", "seed", "before_from", "before_to", "after_from", "after_to", "forecast_method", "test_days", "layer_id"].forEach(function (n) { set(n, p[n]); });
		if (p.star !== undefined && f.star) { f.star.checked = !!p.star; }
		if (f.evaluate) { f.evaluate.checked = !!p.evaluate; }
		showMethodFields();
	}

	// ---------------------------------------------------------------- status

	function status(text, isError, progress) {
		var st = byId("a-status-text"), bar = byId("a-progress");
		if (!st) { return; }
		st.textContent = text || "";
		st.className = isError ? "error" : "";
		if (bar) {
			bar.hidden = progress === undefined;
			if (progress !== undefined) { bar.value = progress; }
		}
	}

	function busy(on) {
		var b = byId("a-run");
		if (b) { b.disabled = on; b.setAttribute("aria-busy", on ? "true" : "false"); }
	}

	function run(ev) {
		ev.preventDefault();
		busy(true);
		status(t("running"), false, 0);
		fetch("/api/v1/analyses", {
			method: "POST", credentials: "same-origin",
			headers: { "Content-Type": "application/json", "X-CSRF-Token": root.getAttribute("data-csrf") },
			body: JSON.stringify(buildRequest())
		}).then(function (r) {
			return r.json().then(function (body) { return { status: r.status, body: body }; });
		}).then(function (res) {
			if (res.body.error) { throw new Error(res.body.error.message); }
			handle(res.body);
		}).catch(function (e) {
			busy(false);
			status(t("failed") + " " + (e && e.message ? e.message : t("error")), true);
		});
	}

	function handle(st) {
		if (st.state === "done") {
			busy(false);
			status(t("done"), false);
			show(st);
			return;
		}
		if (st.state === "failed") {
			busy(false);
			status(t("failed") + " " + st.error, true);
			return;
		}
		var text = st.state === "queued" ? t("queued") : t("running") + (st.stage ? " " + st.stage : "") + " " + Math.round(100 * st.progress) + "%";
		status(text, false, st.progress || 0);
		setTimeout(function () { poll(st.id); }, 700);
	}

	function poll(id) {
		fetch("/api/v1/analyses/" + id, { credentials: "same-origin" })
			.then(function (r) { return r.json(); })
			.then(function (st) {
				if (st.error && st.error.code) { throw new Error(st.error.message); }
				handle(st);
			})
			.catch(function (e) { busy(false); status(t("failed") + " " + (e.message || t("error")), true); });
	}

	// ---------------------------------------------------------------- result

	function show(st) {
		current = { id: st.id, result: st.result, name: st.name };
		var res = st.result;
		var box = byId("a-result");
		box.hidden = false;
		byId("a-summary").textContent = res.summary;
		drawCard(res.card);
		drawMap(res.layer);
		drawCharts(res.charts || []);
		drawTable(res.table);
		byId("a-csv").href = "/api/v1/analyses/" + st.id + "/export?format=csv";
		byId("a-csv").hidden = !res.table;
		byId("a-geojson").href = "/api/v1/analyses/" + st.id + "/export?format=geojson";
		byId("a-geojson").hidden = !res.layer;
		if (st.name) { shared(st.id); }
		else { byId("a-share").hidden = true; }
		if (!opened || String(st.id) !== opened) {
			// keyboard and screen-reader users land on the result
			var title = byId("a-result-title");
			title.setAttribute("tabindex", "-1");
			title.focus();
		}
	}

	function drawCard(c) {
		var card = byId("a-card");
		card.textContent = "";
		card.appendChild(el("h3", null, t("method") + ": " + c.method));
		var dl = el("dl");
		function row(term, content) {
			dl.appendChild(el("dt", null, term));
			var dd = el("dd");
			if (typeof content === "string") { dd.textContent = content; } else { dd.appendChild(content); }
			dl.appendChild(dd);
		}
		function ul(items, cls) {
			var u = el("ul", cls ? { "class": cls } : null);
			items.forEach(function (s) { u.appendChild(el("li", null, s)); });
			return u;
		}
		row(t("question"), c.question);
		var d = c.data;
		var data = [d.source];
		if (d.categories && d.categories.length) { data.push(d.categories.join(", ")); }
		if (d.area) { data.push(d.area); }
		data.push((d.from || "?") + " – " + (d.to || "?"));
		if (d.crs) { data.push(d.crs); }
		row(t("data"), data.join(" · "));
		row(t("n"), c.n + " / " + d.incidents);
		if (c.excluded && c.excluded.length) {
			row(t("excluded"), ul(c.excluded.map(function (e) { return e.count + " — " + e.reason; })));
		}
		row(t("params"), ul(c.parameters.map(function (p) { return p.name + " = " + p.value + (p.note ? " (" + p.note + ")" : ""); })));
		row(t("uncertainty"), c.uncertainty);
		if (c.warnings && c.warnings.length) { row(t("warnings"), ul(c.warnings, "warn")); }
		row(t("limits"), ul(c.limits || []));
		row(t("references"), ul(c.references || []));
		row(t("more"), c.doc);
		card.appendChild(dl);
	}

	function drawMap(layer) {
		var fig = byId("a-map-fig");
		if (!layer || !window.L) { fig.hidden = true; return; }
		fig.hidden = false;
		if (!map) {
			map = L.map("a-map", { zoomSnap: 0.25 });
			var tiles = root.getAttribute("data-tiles");
			if (tiles) { L.tileLayer(tiles, { attribution: root.getAttribute("data-attribution") || "", maxZoom: 19 }).addTo(map); }
		}
		if (mapLayer) { map.removeLayer(mapLayer); }
		if (legendCtl) { map.removeControl(legendCtl); }
		var colours = {};
		layer.legend.forEach(function (l) { colours[l["class"]] = l.color; });
		mapLayer = L.geoJSON({ type: "FeatureCollection", features: layer.features }, {
			style: function (f) {
				return { color: "#555", weight: 0.3, fillOpacity: 0.75, fillColor: colours[f.properties["class"]] || "#ccc" };
			},
			onEachFeature: function (f, lyr) {
				var pr = f.properties, parts = [];
				Object.keys(pr).forEach(function (k) {
					if (k === "cell") { return; }
					var v = pr[k];
					parts.push(k + ": " + (typeof v === "number" ? +v.toPrecision(4) : v));
				});
				lyr.bindTooltip(parts.join(" · "));
			}
		}).addTo(map);
		legendCtl = L.control({ position: "bottomright" });
		legendCtl.onAdd = function () {
			var d = el("div", { "class": "analysis-legend" });
			d.appendChild(el("strong", null, layer.title));
			layer.legend.forEach(function (l) {
				var r = el("div");
				var sw = el("span", { "class": "swatch" });
				sw.style.background = l.color; // CSSOM property, allowed by the CSP
				r.appendChild(sw);
				r.appendChild(document.createTextNode(l.label + (l.count ? " (" + l.count + ")" : "")));
				d.appendChild(r);
			});
			return d;
		};
		legendCtl.addTo(map);
		byId("a-map-note").textContent = layer.note || "";
		setTimeout(function () {
			map.invalidateSize();
			var b = mapLayer.getBounds();
			if (b.isValid()) { map.fitBounds(b, { padding: [8, 8] }); } else { map.setView([0, 0], 2); }
		}, 0);
	}

	// ---------------------------------------------------------------- charts

	function fmt(v) {
		if (v === null || v === undefined) { return "–"; }
		var a = Math.abs(v);
		return a >= 100 ? String(Math.round(v)) : String(+v.toPrecision(3));
	}

	function drawCharts(charts) {
		var box = byId("a-charts");
		box.textContent = "";
		charts.forEach(function (c, i) {
			var fig = el("figure", { "class": "chart-box" });
			var s = c.kind === "heatmap" ? heatmap(c) : lineChart(c);
			s.setAttribute("role", "img");
			s.setAttribute("aria-label", c.title);
			s.setAttribute("id", "a-chart-" + i);
			fig.appendChild(s);
			fig.appendChild(el("figcaption", null, c.title + (c.note ? " — " + c.note : "")));
			box.appendChild(fig);
		});
	}

	function lineChart(c) {
		var W = 720, H = 320, L0 = 56, R0 = 16, T0 = 26, B0 = 56;
		var s = svg("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H });
		var n = c.labels.length, max = 0, min = 0;
		c.series.forEach(function (se) { se.values.forEach(function (v) { if (v !== null && v > max) { max = v; } }); });
		if (max <= 0) { max = 1; }
		max *= 1.08;
		function x(i) { return L0 + (n <= 1 ? (W - L0 - R0) / 2 : i * (W - L0 - R0) / (n - 1)); }
		function y(v) { return T0 + (H - T0 - B0) * (1 - (v - min) / (max - min)); }
		s.appendChild(svg("rect", { x: 0, y: 0, width: W, height: H, fill: "#fff" }));
		for (var k = 0; k <= 4; k++) {
			var v = min + k * (max - min) / 4;
			s.appendChild(svg("line", { x1: L0, x2: W - R0, y1: y(v), y2: y(v), stroke: "#ddd" }));
			s.appendChild(svg("text", { x: L0 - 6, y: y(v) + 4, "text-anchor": "end", "font-size": 11, fill: "#333" }, fmt(v)));
		}
		var step = Math.max(1, Math.ceil(n / 12));
		c.labels.forEach(function (lab, i) {
			if (i % step) { return; }
			s.appendChild(svg("text", { x: x(i), y: H - B0 + 16, "text-anchor": "middle", "font-size": 11, fill: "#333" }, lab));
		});
		if (c.y_label) { s.appendChild(svg("text", { x: L0, y: 12, "font-size": 11, fill: "#333" }, c.y_label + " ↑")); }
		if (c.kind === "bars") {
			var bw = Math.min(80, (W - L0 - R0) / (n * 1.6));
			c.series[0].values.forEach(function (v, i) {
				if (v === null) { return; }
				var cx = L0 + (i + 0.5) * (W - L0 - R0) / n;
				s.appendChild(svg("rect", { x: cx - bw / 2, y: y(v), width: bw, height: y(0) - y(v), fill: "#2c7fb8" }));
				s.appendChild(svg("text", { x: cx, y: y(v) - 4, "text-anchor": "middle", "font-size": 12, fill: "#111" }, fmt(v)));
				s.appendChild(svg("text", { x: cx, y: H - B0 + 16, "text-anchor": "middle", "font-size": 12, fill: "#333" }, c.labels[i]));
			});
			return s;
		}
		var lo = null, up = null;
		c.series.forEach(function (se) { if (se.role === "lower") { lo = se; } if (se.role === "upper") { up = se; } });
		if (lo && up) {
			var pts = [], back = [];
			for (var i = 0; i < n; i++) {
				if (lo.values[i] === null || up.values[i] === null) { continue; }
				pts.push(x(i) + "," + y(up.values[i]));
				back.unshift(x(i) + "," + y(lo.values[i]));
			}
			if (pts.length) { s.appendChild(svg("polygon", { points: pts.concat(back).join(" "), fill: "#c6dbef", stroke: "none" })); }
		}
		var styles = { value: { stroke: "#08306b", width: 2, dash: "" }, expected: { stroke: "#e6550d", width: 1.5, dash: "5 4" } };
		var palette = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"], nth = 0;
		c.series.forEach(function (se) {
			if (se.role === "series") { se.colour = palette[nth++ % palette.length]; }
			var st = se.role === "series" ? { stroke: se.colour, width: 2, dash: "" } : styles[se.role];
			if (!st) { return; }
			var d = "", pen = false;
			se.values.forEach(function (v, i) {
				if (v === null) { pen = false; return; }
				d += (pen ? " L" : " M") + x(i).toFixed(1) + " " + y(v).toFixed(1);
				pen = true;
			});
			s.appendChild(svg("path", { d: d, fill: "none", stroke: st.stroke, "stroke-width": st.width, "stroke-dasharray": st.dash }));
		});
		// flagged points: outside the band
		if (lo && up) {
			var val = c.series[0];
			val.values.forEach(function (v, i) {
				if (v === null || lo.values[i] === null) { return; }
				if (v > up.values[i] || v < lo.values[i]) {
					s.appendChild(svg("circle", { cx: x(i), cy: y(v), r: 4, fill: v > up.values[i] ? "#d7301f" : "#2c7fb8", stroke: "#fff" }));
				}
			});
		}
		// key (one row per series when they are named at length)
		var kx = L0, ky = H - 22;
		c.series.forEach(function (se) {
			if (se.role === "lower") { return; }
			var label = se.role === "upper" ? se.name.replace(/^upper /, "") : se.name;
			if (label.length > 40) { label = label.slice(0, 38) + "…"; }
			var colour = se.colour || (se.role === "value" ? "#08306b" : se.role === "expected" ? "#e6550d" : "#c6dbef");
			var width = 30 + label.length * 6.2;
			if (kx + width > W) { kx = L0; ky += 15; }
			s.appendChild(svg("rect", { x: kx, y: ky, width: 14, height: 10, fill: colour }));
			s.appendChild(svg("text", { x: kx + 18, y: ky + 9, "font-size": 11, fill: "#333" }, label));
			kx += width;
		});
		if (ky > H - 22) { s.setAttribute("viewBox", "0 0 " + W + " " + (ky + 16)); s.setAttribute("height", ky + 16); }
		return s;
	}

	function lerp(a, b, f) { return Math.round(a + (b - a) * f); }
	function mix(c1, c2, f) {
		return "rgb(" + lerp(c1[0], c2[0], f) + "," + lerp(c1[1], c2[1], f) + "," + lerp(c1[2], c2[2], f) + ")";
	}

	function heatmap(c) {
		var rows = c.rows.length, cols = c.cols.length;
		// cell text may have several parts ("obs · ×ratio · p"): one line each
		var lines = 1, longest = 2;
		if (c.text) {
			c.text.forEach(function (r) { r.forEach(function (s) {
				var parts = s.split(" · ");
				lines = Math.max(lines, parts.length);
				parts.forEach(function (q) { longest = Math.max(longest, q.length); });
			}); });
		}
		var multi = lines > 1;
		var cw = multi ? Math.max(74, longest * 7.5 + 12) : Math.max(26, Math.min(60, 640 / cols));
		var ch = multi ? lines * 15 + 10 : 26;
		var L0 = 8 + Math.max.apply(null, c.rows.map(function (r) { return r.length; })) * 7, T0 = 40;
		var W = L0 + cols * cw + 10, H = T0 + rows * ch + 12;
		var s = svg("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H });
		s.appendChild(svg("rect", { x: 0, y: 0, width: W, height: H, fill: "#fff" }));
		var lo = Infinity, hi = -Infinity;
		c.values.forEach(function (r) { r.forEach(function (v) { if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }); });
		var mid = c.mid !== undefined && c.mid !== null ? c.mid : null;
		// f in [-1, 1]: ratios around mid on a log scale (×2 and ÷2 are full
		// colour), other values from the smallest to the largest
		function strength(v) {
			if (v === null) { return null; }
			if (mid !== null) {
				if (v <= 0) { return -1; }
				return Math.max(-1, Math.min(1, Math.log(v / mid) / Math.LN2));
			}
			return hi > lo ? (v - lo) / (hi - lo) : 0;
		}
		function colour(f) {
			if (f === null) { return "#eee"; }
			if (mid !== null) {
				return f >= 0 ? mix([255, 255, 255], [203, 24, 29], f) : mix([255, 255, 255], [33, 113, 181], -f);
			}
			return mix([255, 255, 229], [204, 76, 2], f);
		}
		c.cols.forEach(function (lab, j) {
			s.appendChild(svg("text", { x: L0 + j * cw + cw / 2, y: T0 - 8, "text-anchor": "middle", "font-size": 12, fill: "#222" }, lab));
		});
		c.rows.forEach(function (lab, i) {
			s.appendChild(svg("text", { x: L0 - 6, y: T0 + i * ch + ch / 2 + 4, "text-anchor": "end", "font-size": 12, fill: "#222" }, lab));
			c.cols.forEach(function (_, j) {
				var v = c.values[i][j], f = strength(v);
				var rect = svg("rect", { x: L0 + j * cw, y: T0 + i * ch, width: cw - 1, height: ch - 1, fill: colour(f) });
				rect.appendChild(svg("title", null, lab + " × " + c.cols[j] + ": " + (c.text ? c.text[i][j] : fmt(v))));
				s.appendChild(rect);
				if (!c.text || cw < 24) { return; }
				var parts = c.text[i][j].split(" · ");
				var dark = f !== null && Math.abs(f) > 0.6;
				var y0 = T0 + i * ch + ch / 2 - (parts.length - 1) * 7.5 + 4;
				parts.forEach(function (q, k) {
					s.appendChild(svg("text", { x: L0 + j * cw + cw / 2, y: y0 + k * 15, "text-anchor": "middle", "font-size": multi ? 12 : 10,
						"font-weight": k === 0 && multi ? "bold" : "normal", fill: dark ? "#fff" : "#111" }, q));
				});
			});
		});
		if (c.x_label) { s.appendChild(svg("text", { x: L0, y: 13, "font-size": 11, fill: "#444" }, c.x_label + " →")); }
		if (c.y_label) { s.appendChild(svg("text", { x: 4, y: T0 - 8, "font-size": 11, fill: "#444" }, c.y_label + " ↓")); }
		return s;
	}

	// ---------------------------------------------------------------- table

	function drawTable(tb) {
		var box = byId("a-table");
		box.textContent = "";
		byId("a-table-box").hidden = !tb;
		if (!tb) { return; }
		var max = 200;
		var table = el("table");
		var thead = el("thead"), tr = el("tr");
		tb.columns.forEach(function (c) { tr.appendChild(el("th", { scope: "col" }, c)); });
		thead.appendChild(tr);
		table.appendChild(thead);
		var tbody = el("tbody");
		tb.rows.slice(0, max).forEach(function (r) {
			var row = el("tr");
			r.forEach(function (v) { row.appendChild(el("td", null, typeof v === "number" ? String(+v.toPrecision(6)) : (v === null ? "" : String(v)))); });
			tbody.appendChild(row);
		});
		table.appendChild(tbody);
		if (tb.rows.length > max) { box.appendChild(el("p", { "class": "muted" }, t("rows", { n: max, total: tb.rows.length }))); }
		box.appendChild(table);
	}

	// ---------------------------------------------------------------- PNG

	function download(canvas, name) {
		var a = el("a", { download: name, href: canvas.toDataURL("image/png") });
		document.body.appendChild(a);
		a.click();
		a.remove();
	}

	// mapPNG draws the layer's cells (Web Mercator), legend and title on a canvas.
	function mapPNG(layer, title) {
		var W = 1000, H = 800, pad = 40;
		var cv = el("canvas", { width: W, height: H + 140 });
		var g = cv.getContext("2d");
		g.fillStyle = "#fff";
		g.fillRect(0, 0, W, H + 140);
		function merc(p) { return [p[0] * Math.PI / 180, Math.log(Math.tan(Math.PI / 4 + p[1] * Math.PI / 360))]; }
		var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
		function rings(f) { return f.geometry.type === "MultiPolygon" ? [].concat.apply([], f.geometry.coordinates) : f.geometry.coordinates; }
		layer.features.forEach(function (f) {
			rings(f).forEach(function (ring) { ring.forEach(function (p) {
				var m = merc(p);
				minX = Math.min(minX, m[0]); maxX = Math.max(maxX, m[0]); minY = Math.min(minY, m[1]); maxY = Math.max(maxY, m[1]);
			}); });
		});
		var sc = Math.min((W - 2 * pad) / (maxX - minX || 1), (H - 2 * pad) / (maxY - minY || 1));
		var colours = {};
		layer.legend.forEach(function (l) { colours[l["class"]] = l.color; });
		layer.features.forEach(function (f) {
			g.beginPath();
			rings(f).forEach(function (ring) {
				ring.forEach(function (p, i) {
					var m = merc(p), px = pad + (m[0] - minX) * sc, py = pad + (maxY - m[1]) * sc;
					if (i) { g.lineTo(px, py); } else { g.moveTo(px, py); }
				});
				g.closePath();
			});
			g.fillStyle = colours[f.properties["class"]] || "#ccc";
			g.fill("evenodd");
		});
		g.fillStyle = "#111";
		g.font = "bold 18px sans-serif";
		g.fillText(title, pad, 26);
		var y = H + 10;
		g.font = "14px sans-serif";
		g.fillText(layer.title, pad, y + 14);
		layer.legend.forEach(function (l, i) {
			var x = pad + (i % 3) * 300, yy = y + 34 + Math.floor(i / 3) * 24;
			g.fillStyle = l.color;
			g.fillRect(x, yy - 12, 16, 16);
			g.fillStyle = "#111";
			g.fillText(l.label + (l.count ? " (" + l.count + ")" : ""), x + 22, yy + 2);
		});
		return cv;
	}

	// chartPNG renders an SVG chart to a canvas through an image.
	function chartPNG(svgEl, done) {
		var xml = new XMLSerializer().serializeToString(svgEl);
		var img = new Image();
		var w = Number(svgEl.getAttribute("width")), h = Number(svgEl.getAttribute("height"));
		img.onload = function () {
			var cv = el("canvas", { width: w * 2, height: h * 2 });
			var g = cv.getContext("2d");
			g.scale(2, 2);
			g.drawImage(img, 0, 0, w, h);
			done(cv);
		};
		img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(xml);
	}

	function savePNG() {
		if (!current) { return; }
		var res = current.result, name = "analysis-" + current.id + "-" + res.method;
		var title = res.card.method + " — n = " + res.card.n;
		if (res.layer) { download(mapPNG(res.layer, title), name + "-map.png"); }
		var first = byId("a-chart-0");
		if (first) { chartPNG(first, function (cv) { download(cv, name + "-chart.png"); }); }
	}

	// ---------------------------------------------------------------- save

	function shared(id) {
		var link = byId("a-share-link"), url = location.origin + "/analyses/" + id;
		link.href = "/analyses/" + id;
		link.textContent = url;
		byId("a-share").hidden = false;
	}

	function save(ev) {
		ev.preventDefault();
		if (!current) { return; }
		var name = byId("a-name").value.trim();
		if (!name) { byId("a-name").focus(); return; }
		fetch("/api/v1/analyses/" + current.id + "/save", {
			method: "POST", credentials: "same-origin",
			headers: { "Content-Type": "application/json", "X-CSRF-Token": root.getAttribute("data-csrf") },
			body: JSON.stringify({ name: name })
		}).then(function (r) { return r.json(); }).then(function (b) {
			if (b.error) { throw new Error(b.error.message); }
			status(t("saved"), false);
			shared(current.id);
		}).catch(function (e) { status(t("failed") + " " + e.message, true); });
	}

	// ---------------------------------------------------------------- wiring

	if (form) {
		form.addEventListener("submit", run);
		form.elements.method.addEventListener("change", showMethodFields);
		form.elements.dataset_id.addEventListener("change", datasetChanged);
		showMethodFields();
	}
	var sv = byId("a-save");
	if (sv) { sv.addEventListener("submit", save); }
	byId("a-png").addEventListener("click", savePNG);
	if (opened) {
		fetch("/api/v1/analyses/" + opened, { credentials: "same-origin" })
			.then(function (r) { return r.json(); })
			.then(function (st) {
				if (st.error && st.error.code) { throw new Error(st.error.message); }
				if (form && st.request) {
					if (st.request.dataset_id && String(st.request.dataset_id) !== form.elements.dataset_id.value) {
						form.elements.dataset_id.value = String(st.request.dataset_id);
					}
					setForm(st.request);
				}
				if (st.name && byId("a-name")) { byId("a-name").value = st.name; }
				handle(st);
			})
			.catch(function (e) { status(t("failed") + " " + e.message, true); });
	}
}());
