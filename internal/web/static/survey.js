// The field form (templates/survey_form.html): skip logic, an offline queue
// and retries. Every response gets an idempotency key when it is filled in;
// the key stays with it in localStorage until the server has acknowledged
// it (201 stored, 200 already stored), so that resending after a lost
// connection never stores it twice. No tracking: nothing else is stored.
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form) { return; }
  var QUEUE = "icarus.surveys.queue.v1";
  var statusEl = document.getElementById("survey-status");
  var msg = function (k) { return form.getAttribute("data-msg-" + k) || k; };
  var sending = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; }
  }
  function save(q) { localStorage.setItem(QUEUE, JSON.stringify(q)); }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }
  function status(text) { statusEl.textContent = text; }
  function showPending() {
    var n = load().length;
    if (n > 0) { status(msg("pending").replace("{n}", n)); }
  }

  // ---- answers and skip logic (the same expression trees the server evaluates) ----
  function questions() { return Array.prototype.slice.call(form.querySelectorAll(".survey-q")); }
  function valueOf(q) {
    var name = q.getAttribute("data-name"), type = q.getAttribute("data-type");
    if (type === "multiple") {
      return Array.prototype.map.call(q.querySelectorAll("input:checked"), function (i) { return i.value; });
    }
    if (type === "single" || type === "likert") {
      var c = q.querySelector("input:checked");
      return c ? c.value : "";
    }
    var el = form.elements[name];
    return el ? el.value.trim() : "";
  }
  function asText(v) { return Array.isArray(v) ? v.join(" ") : String(v); }
  function num(v) {
    if (typeof v === "number") { return v; }
    if (typeof v === "string" && v.trim() !== "" && !isNaN(Number(v))) { return Number(v); }
    return null;
  }
  function truthy(v) { return typeof v === "boolean" ? v : typeof v === "number" ? v !== 0 : v !== ""; }
  function ev(e, get) {
    switch (e.op) {
      case "ref": return get(e.name);
      case "str": return e.str || "";
      case "num": return e.num || 0;
      case "bool": return !!e.bool;
      case "selected": return get(e.name).split(/\s+/).indexOf(e.str || "") >= 0;
      case "count-selected": return get(e.name).split(/\s+/).filter(Boolean).length;
      case "not": return !truthy(ev(e.args[0], get));
      case "and": return truthy(ev(e.args[0], get)) && truthy(ev(e.args[1], get));
      case "or": return truthy(ev(e.args[0], get)) || truthy(ev(e.args[1], get));
    }
    var l = ev(e.args[0], get), r = ev(e.args[1], get), ln = num(l), rn = num(r);
    if (e.op === "=" || e.op === "!=") {
      var eq = ln !== null && rn !== null ? ln === rn : asText(l) === asText(r);
      return e.op === "=" ? eq : !eq;
    }
    if (ln === null || rn === null) { return false; }
    return e.op === "<" ? ln < rn : e.op === "<=" ? ln <= rn : e.op === ">" ? ln > rn : ln >= rn;
  }
  function refresh() {
    var seen = {};
    questions().forEach(function (q) {
      var rel = q.getAttribute("data-relevant"), on = true;
      if (rel) {
        try { on = truthy(ev(JSON.parse(rel), function (n) { return seen[n] === undefined ? "" : asText(seen[n]); })); } catch (e) { on = true; }
      }
      q.hidden = !on;
      if (on) { seen[q.getAttribute("data-name")] = valueOf(q); }
    });
  }

  function collect() {
    var answers = {}, missing = false;
    questions().forEach(function (q) {
      var err = q.querySelector(".survey-error");
      err.hidden = true;
      if (q.hidden) { return; }
      var v = valueOf(q), empty = Array.isArray(v) ? v.length === 0 : v === "";
      if (empty) {
        if (q.hasAttribute("data-required")) { err.textContent = msg("required"); err.hidden = false; missing = true; }
        return;
      }
      var type = q.getAttribute("data-type");
      if (type === "number" && num(v) !== null) { v = num(v); }
      answers[q.getAttribute("data-name")] = v;
    });
    return missing ? null : answers;
  }

  // ---- the queue ----
  function showFieldErrors(body) {
    var fields = (body && body.error && body.error.fields) || [];
    fields.forEach(function (f) {
      var q = form.querySelector('.survey-q[data-name="' + f.field + '"] .survey-error');
      if (q) { q.textContent = f.message; q.hidden = false; }
    });
    status(msg("rejected") + " " + ((body && body.error && body.error.message) || ""));
  }

  function flush() {
    if (sending) { return; }
    var q = load();
    if (q.length === 0) { return; }
    sending = true;
    var item = q[0];
    fetch(item.endpoint, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Idempotency-Key": item.key, "X-CSRF-Token": form.getAttribute("data-csrf") || "" },
      body: JSON.stringify(item.body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) { return { res: res, body: body }; });
    }).then(function (x) {
      sending = false;
      var code = x.res.status;
      if (code === 200 || code === 201 || code === 400 || code === 404 || code === 409) {
        // acknowledged (stored now or before) or refused for good: drop it
        save(load().filter(function (it) { return it.key !== item.key; }));
        if (code >= 400) { showFieldErrors(x.body); return; }
        status(msg("sent"));
        showPending();
        flush();
        return;
      }
      showPending(); // 401 (signed out), 429, 5xx: keep it and retry later
    }).catch(function () {
      sending = false;
      status(msg("queued"));
      showPending();
    });
  }

  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    refresh();
    var answers = collect();
    var consent = form.elements.consent && form.elements.consent.checked;
    if (!answers || !consent) {
      if (!consent) { status(msg("required")); }
      return;
    }
    // a campaign's period: a response collected (on this device's date)
    // outside it would be refused, so it is not queued (docs/surveys.md)
    var starts = form.getAttribute("data-starts"), ends = form.getAttribute("data-ends");
    if (starts && ends) {
      var now = new Date();
      var day = now.getFullYear() + "-" + ("0" + (now.getMonth() + 1)).slice(-2) + "-" + ("0" + now.getDate()).slice(-2);
      if (day < starts || day > ends) { status(msg("period")); window.scrollTo(0, 0); return; }
    }
    var q = load();
    var body = { answers: answers, consent: true, version: Number(form.getAttribute("data-version")), submitted_at: new Date().toISOString().replace(/\.\d+Z$/, "Z") };
    if (form.getAttribute("data-campaign")) { body.campaign = Number(form.getAttribute("data-campaign")); }
    if (form.getAttribute("data-token")) { body.token = form.getAttribute("data-token"); }
    if (form.getAttribute("data-lang")) { body.lang = form.getAttribute("data-lang"); }
    q.push({ endpoint: form.getAttribute("data-endpoint"), key: newKey(), body: body });
    // a contact detail goes apart, to its own endpoint, never with the answers
    var contact = form.elements.contact && form.elements.contact.value.trim();
    if (contact) {
      q.push({ endpoint: form.getAttribute("data-contact-endpoint"), key: newKey(),
        body: { contact: contact, campaign: body.campaign || 0, token: body.token || "" } });
    }
    save(q);
    form.reset();
    refresh();
    window.scrollTo(0, 0);
    status(msg("queued"));
    flush();
  });
  Array.prototype.forEach.call(form.querySelectorAll(".survey-locate"), function (b) {
    b.addEventListener("click", function () {
      if (!navigator.geolocation) { return; }
      navigator.geolocation.getCurrentPosition(function (p) {
        document.getElementById(b.getAttribute("data-for")).value = p.coords.latitude.toFixed(6) + " " + p.coords.longitude.toFixed(6);
      });
    });
  });
  if ("serviceWorker" in navigator) { // keeps the form available offline (survey-sw.js)
    navigator.serviceWorker.register("/surveys/sw.js", { scope: "/surveys/" }).catch(function () {});
  }
  // surveyor session feedback: queued like responses
  var fb = document.getElementById("feedback-form");
  if (fb) {
    fb.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = { area: fb.elements.area.value, session_date: fb.elements.session_date.value,
        observed: fb.elements.observed.value.trim(), difficulties: fb.elements.difficulties.value.trim() };
      if (!body.observed && !body.difficulties) { status(msg("required")); return; }
      var q = load();
      q.push({ endpoint: fb.getAttribute("data-endpoint"), key: newKey(), body: body });
      save(q);
      fb.elements.observed.value = "";
      fb.elements.difficulties.value = "";
      status(msg("queued"));
      flush();
    });
  }
  window.addEventListener("online", flush);
  setInterval(flush, 30000);
  refresh();
  showPending();
  flush();
})();
