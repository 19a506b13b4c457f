/*
 * Icarus — area choropleth map.
 *
 * Plain script, no build step. Load after Leaflet:
 *
 *   <link rel="stylesheet" href="/static/vendor/leaflet@1.9.4/leaflet.css">
 *   <script src="/static/vendor/leaflet@1.9.4/leaflet.js" defer></script>
 *   <script src="/static/map.js" defer></script>
 *
 * Markup contract (all data-i18n-* values are already-translated text):
 *
 *   <form id="map-filter" method="get">  selects named category, from, to, layer; works without JS
 *   <div id="area-map" class="map"
 *        data-areas-url="/api/areas"        GeoJSON FeatureCollection, properties {id, code, name}
 *        data-areas-params="layer"          filter fields passed to the areas URL (comma list; default "layer")
 *        data-counts-url="/api/counts"      {"method":{…}, "counts":[{area_id, code, name, count, suppressed}]}
 *        data-tiles=""                      optional tile URL template; empty = no base map
 *        data-attribution=""                attribution HTML for the tiles
 *        data-i18n-legend="Incidents per area"
 *        data-i18n-count="Incidents"
 *        data-i18n-area="Area"
 *        data-i18n-code="Code"
 *        data-i18n-suppressed="fewer than {n}"     {n} = suppression threshold
 *        data-i18n-nodata="No data"
 *        data-i18n-loading="Loading…"
 *        data-i18n-error="The map data could not be loaded…"
 *        data-i18n-method="Method: …{period}…{category}…{n}…{k}…"
 *        data-i18n-methodexact="…"              the same when nothing is suppressed (k = 0, staff)
 *        data-i18n-all="All"                       category label when no category is selected
 *        data-i18n-table="Incidents by area"       table caption
 *        data-i18n-map="Incident map"></div>       accessible name of the map region
 *   <p id="map-method" class="method"></p>   optional; filled from the counts' method
 *   <div id="area-table"></div>               optional; receives the sortable table
 *
 * All of the filter's name=value pairs are added to the counts URL, and
 * those named in data-areas-params to the areas URL (empty values remove
 * the parameter); the areas GeoJSON is only re-fetched when its URL changes
 * (e.g. a different layer). The page URL's query is kept in step with
 * history.replaceState.
 */
(function () {
	"use strict";

	var CLASSES = 6;
	var FALLBACK_COLOURS = ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"];
	var FALLBACK_SUPPRESSED = "#b0b0b0";
	var FALLBACK_NODATA = "#e6e6e6";
	var FALLBACK_OUTLINE = "#4d4d4d";

	var DEFAULT_TEXT = {
		legend: "Incidents per area",
		count: "Incidents",
		area: "Area",
		code: "Code",
		suppressed: "fewer than {n}",
		nodata: "No data",
		loading: "Loading…",
		error: "The map data could not be loaded. Check your connection and try again.",
		method: "",
		methodexact: "",
		all: "All",
		table: "Incidents by area",
		map: ""
	};

	function init() {
		var el = document.getElementById("area-map");
		if (!el) {
			return;
		}
		if (typeof window.L === "undefined" || !window.fetch) {
			// Leaflet failed to load or very old browser: the server-rendered
			// page (and its table, if any) remains usable.
			return;
		}
		new AreaMap(el).start();
	}

	// ------------------------------------------------------------ helpers

	function text(el) {
		var t = {};
		Object.keys(DEFAULT_TEXT).forEach(function (k) {
			var attr = "i18n" + k.charAt(0).toUpperCase() + k.slice(1);
			var v = el.dataset[attr];
			t[k] = v !== undefined && v !== "" ? v : DEFAULT_TEXT[k];
		});
		return t;
	}

	// fill replaces {name} placeholders with values[name]; unknown ones stay.
	function fill(template, values) {
		return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, function (m, name) {
			return Object.prototype.hasOwnProperty.call(values, name) && values[name] !== undefined && values[name] !== null
				? String(values[name])
				: m;
		});
	}

	function h(tag, attrs, children) {
		var e = document.createElement(tag);
		if (attrs) {
			Object.keys(attrs).forEach(function (k) {
				if (attrs[k] === undefined || attrs[k] === null || attrs[k] === false) {
					return;
				}
				if (k === "class") {
					e.className = attrs[k];
				} else if (k === "text") {
					e.textContent = attrs[k];
				} else {
					e.setAttribute(k, attrs[k] === true ? "" : attrs[k]);
				}
			});
		}
		(children || []).forEach(function (c) {
			if (c !== null && c !== undefined) {
				e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
			}
		});
		return e;
	}

	function cssVar(name, fallback) {
		var v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
		return v || fallback;
	}

	// withQuery returns url with params merged into its query string.
	function withQuery(url, params) {
		var u = new URL(url, window.location.href);
		params.forEach(function (value, key) {
			if (value === "") {
				u.searchParams.delete(key);
			} else {
				u.searchParams.set(key, value);
			}
		});
		return u.origin === window.location.origin ? u.pathname + u.search : u.href;
	}

	function formParams(form) {
		var out = new URLSearchParams();
		if (!form) {
			return out;
		}
		new FormData(form).forEach(function (value, key) {
			if (typeof value === "string" && key !== "") {
				out.set(key, value);
			}
		});
		return out;
	}

	function getJSON(url, signal) {
		return fetch(url, {
			headers: { Accept: "application/json" },
			credentials: "same-origin",
			signal: signal
		}).then(function (res) {
			if (!res.ok) {
				throw new Error("HTTP " + res.status + " for " + url);
			}
			return res.json();
		});
	}

	function isNum(v) {
		return typeof v === "number" && isFinite(v);
	}

	// quantileBreaks returns ascending, distinct upper bounds (inclusive) of
	// up to k classes so that each class holds about the same number of
	// values. The last bound is the maximum.
	function quantileBreaks(values, k) {
		var v = values.filter(isNum).sort(function (a, b) { return a - b; });
		if (v.length === 0) {
			return [];
		}
		var bounds = [];
		for (var i = 1; i <= k; i++) {
			var idx = Math.ceil((i * v.length) / k) - 1;
			var b = v[Math.max(0, Math.min(v.length - 1, idx))];
			if (bounds.length === 0 || b > bounds[bounds.length - 1]) {
				bounds.push(b);
			}
		}
		return bounds;
	}

	// ------------------------------------------------------------ AreaMap

	function AreaMap(el) {
		this.el = el;
		this.t = text(el);
		this.lang = document.documentElement.lang || undefined;
		this.nf = new Intl.NumberFormat(this.lang);
		this.colon = /^fr\b/i.test(this.lang || "") ? "\u00a0: " : ": ";
		this.form = document.getElementById("map-filter");
		this.tableHost = document.getElementById("area-table");
		this.methodEl = document.getElementById("map-method");
		this.areasCache = {}; // url → GeoJSON
		this.seq = 0;
		this.abort = null;
		this.data = null; // last successful {areas, counts}
		this.layers = {}; // area key → Leaflet layer
		this.sort = { key: "count", dir: "descending" };
		this.colours = [];
		for (var i = 0; i < CLASSES; i++) {
			this.colours.push(cssVar("--choro-" + i, FALLBACK_COLOURS[i]));
		}
		this.suppressedColour = cssVar("--choro-suppressed", FALLBACK_SUPPRESSED);
		this.nodataColour = cssVar("--choro-nodata", FALLBACK_NODATA);
		this.outline = cssVar("--choro-outline", FALLBACK_OUTLINE);
	}

	AreaMap.prototype.start = function () {
		var self = this;
		var el = this.el;

		// Status region (loading / error), placed just before the map.
		this.status = h("div", { class: "map-status", role: "status", "aria-live": "polite" });
		el.parentNode.insertBefore(this.status, el);

		if (this.t.map && !el.hasAttribute("aria-label")) {
			el.setAttribute("role", "region");
			el.setAttribute("aria-label", this.t.map);
		}

		this.map = L.map(el, {
			zoomSnap: 0.25,
			scrollWheelZoom: false // page scrolling must not get stuck on the map
		});
		this.map.setView([0, 0], 2);
		// Enable wheel zoom once the user engages with the map.
		this.map.once("focus click", function () {
			self.map.scrollWheelZoom.enable();
		});

		var tiles = (el.dataset.tiles || "").trim();
		if (tiles) {
			L.tileLayer(tiles, {
				attribution: el.dataset.attribution || "",
				maxZoom: 19
			}).addTo(this.map);
		}

		this.legend = L.control({ position: "bottomright" });
		this.legend.onAdd = function () {
			var div = L.DomUtil.create("div", "legend");
			L.DomEvent.disableClickPropagation(div);
			L.DomEvent.disableScrollPropagation(div);
			self.legendEl = div;
			return div;
		};
		this.legend.addTo(this.map);

		if (this.form) {
			var timer = null;
			var onChange = function () {
				clearTimeout(timer);
				timer = setTimeout(function () { self.load(true); }, 150);
			};
			this.form.addEventListener("change", onChange);
			this.form.addEventListener("submit", function (ev) {
				ev.preventDefault();
				clearTimeout(timer);
				self.load(true);
			});
		}

		this.load(false);
	};

	AreaMap.prototype.setStatus = function (kind, message) {
		this.status.className = "map-status" + (kind ? " " + kind : "");
		this.status.setAttribute("role", kind === "error" ? "alert" : "status");
		this.status.textContent = message || "";
	};

	AreaMap.prototype.load = function (fromFilter) {
		var self = this;
		var params = formParams(this.form);
		var areasParams = new URLSearchParams();
		var wanted = (this.el.dataset.areasParams !== undefined ? this.el.dataset.areasParams : "layer")
			.split(",").map(function (s) { return s.trim(); });
		params.forEach(function (value, key) {
			if (wanted.indexOf(key) >= 0) {
				areasParams.set(key, value);
			}
		});
		var areasURL = withQuery(this.el.dataset.areasUrl, areasParams);
		var countsURL = withQuery(this.el.dataset.countsUrl, params);

		if (fromFilter) {
			var page = new URL(window.location.href);
			params.forEach(function (value, key) {
				if (value === "") {
					page.searchParams.delete(key);
				} else {
					page.searchParams.set(key, value);
				}
			});
			window.history.replaceState(window.history.state, "", page.pathname + page.search + page.hash);
		}

		if (this.abort) {
			this.abort.abort();
		}
		var ctrl = typeof AbortController !== "undefined" ? new AbortController() : null;
		this.abort = ctrl;
		var seq = ++this.seq;

		this.el.setAttribute("aria-busy", "true");
		this.setStatus("notice", this.t.loading);

		var areasP = this.areasCache[areasURL]
			? Promise.resolve(this.areasCache[areasURL])
			: getJSON(areasURL, ctrl && ctrl.signal).then(function (gj) {
				if (!gj || !Array.isArray(gj.features)) {
					throw new Error("areas: not a FeatureCollection");
				}
				self.areasCache = {};
				self.areasCache[areasURL] = gj;
				return gj;
			});
		var countsP = getJSON(countsURL, ctrl && ctrl.signal).then(function (c) {
			if (!c || !Array.isArray(c.counts)) {
				throw new Error("counts: missing counts array");
			}
			return c;
		});

		Promise.all([areasP, countsP]).then(function (res) {
			if (seq !== self.seq) {
				return;
			}
			self.el.removeAttribute("aria-busy");
			self.setStatus("", "");
			var refit = !self.data || self.data.areas !== res[0];
			self.data = { areas: res[0], counts: res[1] };
			self.render(refit);
		}).catch(function (err) {
			if (seq !== self.seq || (err && err.name === "AbortError")) {
				return;
			}
			self.el.removeAttribute("aria-busy");
			if (window.console) {
				console.error("map:", err);
			}
			self.clear();
			self.setStatus("error", self.t.error);
		});
	};

	AreaMap.prototype.clear = function () {
		if (this.geo) {
			this.map.removeLayer(this.geo);
			this.geo = null;
		}
		this.layers = {};
		this.data = null;
		if (this.legendEl) {
			this.legendEl.textContent = "";
			this.legendEl.hidden = true;
		}
		if (this.tableHost) {
			this.tableHost.textContent = "";
		}
		if (this.methodEl) {
			this.methodEl.textContent = "";
		}
	};

	// rows joins the counts to the area features; every feature gets a row.
	AreaMap.prototype.rows = function () {
		var byID = {};
		var byCode = {};
		this.data.counts.counts.forEach(function (c) {
			if (c.area_id !== undefined && c.area_id !== null) {
				byID[String(c.area_id)] = c;
			}
			if (c.code) {
				byCode[c.code] = c;
			}
		});
		return this.data.areas.features.map(function (f, i) {
			var p = f.properties || {};
			var c = (p.id !== undefined && byID[String(p.id)]) || (p.code && byCode[p.code]) || null;
			var state = !c ? "nodata" : c.suppressed ? "suppressed" : isNum(c.count) ? "value" : "nodata";
			return {
				key: p.id !== undefined ? "id:" + p.id : p.code ? "code:" + p.code : "i:" + i,
				feature: f,
				name: p.name || (c && c.name) || p.code || "",
				code: p.code || (c && c.code) || "",
				count: state === "value" ? c.count : null,
				state: state
			};
		});
	};

	AreaMap.prototype.classOf = function (row) {
		if (row.state !== "value") {
			return row.state;
		}
		for (var i = 0; i < this.breaks.length; i++) {
			if (row.count <= this.breaks[i]) {
				return i;
			}
		}
		return this.breaks.length - 1;
	};

	// colourIndex spreads n classes over the 6-colour ramp (n ≤ 6).
	AreaMap.prototype.colourIndex = function (cls) {
		var n = this.breaks.length;
		if (n <= 1) {
			return CLASSES - 1;
		}
		return Math.round((cls * (CLASSES - 1)) / (n - 1));
	};

	AreaMap.prototype.fillFor = function (cls) {
		if (cls === "suppressed") {
			return this.suppressedColour;
		}
		if (cls === "nodata") {
			return this.nodataColour;
		}
		return this.colours[this.colourIndex(cls)];
	};

	AreaMap.prototype.swatchClass = function (cls) {
		return "swatch choro-" + (typeof cls === "number" ? this.colourIndex(cls) : cls);
	};

	AreaMap.prototype.threshold = function () {
		var m = this.data.counts.method || {};
		return m.suppression_threshold;
	};

	AreaMap.prototype.suppressedLong = function () {
		var k = this.threshold();
		return fill(this.t.suppressed, { n: k !== undefined ? this.nf.format(k) : undefined });
	};

	AreaMap.prototype.suppressedShort = function () {
		var k = this.threshold();
		return k !== undefined ? "<" + this.nf.format(k) : "–";
	};

	// countNode renders a count cell's content: a number, "<k" or "No data".
	AreaMap.prototype.countNode = function (row) {
		if (row.state === "value") {
			return document.createTextNode(this.nf.format(row.count));
		}
		if (row.state === "suppressed") {
			return h("span", null, [
				h("span", { "aria-hidden": "true", title: this.suppressedLong(), text: this.suppressedShort() }),
				h("span", { class: "visually-hidden", text: this.suppressedLong() })
			]);
		}
		return h("span", { class: "muted", text: this.t.nodata });
	};

	AreaMap.prototype.infoNode = function (row) {
		return h("div", { class: "area-info" }, [
			h("strong", { text: row.name }),
			row.code ? h("span", { class: "code", text: row.code }) : null,
			h("div", null, [this.t.count + this.colon, this.countNode(row)])
		]);
	};

	AreaMap.prototype.render = function (refit) {
		var self = this;
		var rows = this.rows();
		this.breaks = quantileBreaks(rows.map(function (r) { return r.count; }), CLASSES);
		var rowByFeature = new Map();
		rows.forEach(function (r) { rowByFeature.set(r.feature, r); });

		if (this.geo) {
			this.map.removeLayer(this.geo);
		}
		this.layers = {};
		this.geo = L.geoJSON(this.data.areas, {
			style: function (f) {
				var r = rowByFeature.get(f);
				return {
					color: self.outline,
					weight: 1,
					opacity: 0.9,
					fillColor: self.fillFor(self.classOf(r)),
					fillOpacity: 0.8
				};
			},
			onEachFeature: function (f, layer) {
				var r = rowByFeature.get(f);
				self.layers[r.key] = layer;
				layer.bindTooltip(function () { return self.infoNode(r); }, { sticky: true, direction: "top" });
				layer.bindPopup(function () { return self.infoNode(r); });
				layer.on("mouseover", function () {
					layer.setStyle({ weight: 3, color: "#000" });
					layer.bringToFront();
				});
				layer.on("mouseout popupclose", function () {
					if (!layer.isPopupOpen()) {
						self.geo.resetStyle(layer);
					}
				});
				layer.on("popupopen", function () {
					layer.setStyle({ weight: 3, color: "#000" });
					layer.bringToFront();
				});
			}
		}).addTo(this.map);

		if (refit) {
			var b = this.geo.getBounds();
			if (b.isValid()) {
				this.map.fitBounds(b, { padding: [12, 12] });
			}
		}

		this.renderLegend(rows);
		this.renderMethod();
		this.renderTable(rows);
	};

	AreaMap.prototype.renderLegend = function (rows) {
		var self = this;
		var div = this.legendEl;
		if (!div) {
			return;
		}
		div.textContent = "";
		div.hidden = false;
		div.appendChild(h("p", { class: "legend-title", text: this.t.legend }));
		var ul = h("ul");
		var allInt = rows.every(function (r) { return r.count === null || Number.isInteger(r.count); });
		var min = Infinity;
		rows.forEach(function (r) {
			if (r.count !== null && r.count < min) {
				min = r.count;
			}
		});
		this.breaks.forEach(function (hi, i) {
			var lo = i === 0 ? min : allInt ? self.breaks[i - 1] + 1 : self.breaks[i - 1];
			var label;
			if (lo === hi) {
				label = self.nf.format(hi);
			} else if (i > 0 && !allInt) {
				label = "> " + self.nf.format(lo) + " – " + self.nf.format(hi);
			} else {
				label = self.nf.format(lo) + " – " + self.nf.format(hi);
			}
			ul.appendChild(h("li", null, [h("span", { class: self.swatchClass(i), "aria-hidden": "true" }), label]));
		});
		var has = { suppressed: false, nodata: false };
		rows.forEach(function (r) { has[r.state] = true; });
		if (has.suppressed) {
			ul.appendChild(h("li", null, [
				h("span", { class: this.swatchClass("suppressed"), "aria-hidden": "true" }),
				this.suppressedShort() + " (" + this.suppressedLong() + ")"
			]));
		}
		if (has.nodata) {
			ul.appendChild(h("li", null, [
				h("span", { class: this.swatchClass("nodata"), "aria-hidden": "true" }),
				this.t.nodata
			]));
		}
		div.appendChild(ul);
	};

	AreaMap.prototype.renderMethod = function () {
		if (!this.methodEl || !this.t.method) {
			return;
		}
		var m = this.data.counts.method || {};
		var text = (!m.suppression_threshold && this.t.methodexact) ? this.t.methodexact : this.t.method;
		this.methodEl.textContent = fill(text, {
			period: m.period,
			category: m.category ? m.category : this.t.all,
			// n is withheld from the public when it would reveal suppressed cells: show the visible part as a lower bound
			n: isNum(m.n) ? this.nf.format(m.n) : (isNum(m.n_visible) ? "\u2265 " + this.nf.format(m.n_visible) : "\u2014"),
			k: isNum(m.suppression_threshold) ? this.nf.format(m.suppression_threshold) : m.suppression_threshold
		});
	};

	// sortValue orders suppressed counts just below the threshold and areas
	// without data below everything else.
	AreaMap.prototype.sortValue = function (row, key) {
		if (key !== "count") {
			return row[key];
		}
		if (row.state === "value") {
			return row.count;
		}
		if (row.state === "suppressed") {
			var k = this.threshold();
			return isNum(k) ? k - 0.5 : -0.5;
		}
		return -Infinity;
	};

	AreaMap.prototype.renderTable = function (rows) {
		var self = this;
		var host = this.tableHost;
		if (!host) {
			return;
		}
		this.lastRows = rows;
		var key = this.sort.key;
		var dir = this.sort.dir === "ascending" ? 1 : -1;
		var collator = new Intl.Collator(this.lang, { numeric: true, sensitivity: "base" });
		var sorted = rows.slice().sort(function (a, b) {
			var va = self.sortValue(a, key);
			var vb = self.sortValue(b, key);
			var c = typeof va === "number" && typeof vb === "number" ? va - vb : collator.compare(String(va), String(vb));
			if (c === 0) {
				c = collator.compare(a.name, b.name) * dir; // stable, name ascending
			}
			return c * dir;
		});

		var cols = [
			{ key: "name", label: this.t.area, cls: "" },
			{ key: "code", label: this.t.code, cls: "" },
			{ key: "count", label: this.t.count, cls: "num" }
		];
		var headRow = h("tr", null, cols.map(function (c) {
			var btn = h("button", { type: "button", class: "sort", text: c.label });
			btn.addEventListener("click", function () {
				if (self.sort.key === c.key) {
					self.sort.dir = self.sort.dir === "ascending" ? "descending" : "ascending";
				} else {
					self.sort = { key: c.key, dir: c.key === "count" ? "descending" : "ascending" };
				}
				self.renderTable(self.lastRows);
				var again = host.querySelector('th[data-key="' + c.key + '"] button');
				if (again) {
					again.focus();
				}
			});
			return h("th", {
				scope: "col",
				class: c.cls || null,
				"data-key": c.key,
				"aria-sort": self.sort.key === c.key ? self.sort.dir : null
			}, [btn]);
		}));

		var body = h("tbody", null, sorted.map(function (r) {
			var show = h("button", { type: "button", class: "link", text: r.name });
			show.addEventListener("click", function () { self.focusArea(r); });
			var swatch = h("span", { class: self.swatchClass(self.classOf(r)), "aria-hidden": "true" });
			return h("tr", null, [
				h("th", { scope: "row" }, [show]),
				h("td", { class: "code", text: r.code }),
				h("td", { class: "num" }, [swatch, self.countNode(r)])
			]);
		}));

		var table = h("table", null, [
			h("caption", { text: this.t.table }),
			h("thead", null, [headRow]),
			body
		]);
		var wrap = h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": this.t.table }, [table]);
		host.textContent = "";
		host.appendChild(wrap);
	};

	// focusArea zooms to an area and opens its popup (used by the table).
	AreaMap.prototype.focusArea = function (row) {
		var layer = this.layers[row.key];
		if (!layer) {
			return;
		}
		var b = layer.getBounds ? layer.getBounds() : null;
		if (b && b.isValid()) {
			this.map.fitBounds(b, { padding: [24, 24], maxZoom: Math.max(this.map.getZoom(), 13) });
		}
		layer.openPopup(b && b.isValid() ? b.getCenter() : undefined);
		if (this.el.scrollIntoView) {
			this.el.scrollIntoView({ block: "nearest" });
		}
	};

	if (document.readyState === "loading") {
		document.addEventListener("DOMContentLoaded", init);
	} else {
		init();
	}
})();
