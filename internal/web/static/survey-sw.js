// Service worker of the field form (served as /surveys/sw.js, scope
// /surveys/): keeps the last copy of each form page and its static files,
// so that a form opened once loads without a connection. Network first:
// a fresh copy replaces the cached one whenever the server answers.
// Responses are never handled here: survey.js queues and resends them.
"use strict";
var CACHE = "icarus-survey-v2";
var ASSETS = ["/static/survey.js", "/static/survey.css", "/static/campaign.css", "/static/surveygaps.css", "/static/app.css", "/static/icon.svg"];

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(ASSETS); }).then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});
self.addEventListener("fetch", function (e) {
  var req = e.request;
  if (req.method !== "GET") { return; }
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) { return; }
  var isForm = /^\/surveys\/\d+\/form$/.test(url.pathname);
  if (!isForm && ASSETS.indexOf(url.pathname) < 0) { return; }
  e.respondWith(fetch(req).then(function (res) {
    if (res.ok && !res.redirected) { // never cache a sign-in page in place of the form
      var copy = res.clone();
      caches.open(CACHE).then(function (c) { return c.put(req, copy); });
    }
    return res;
  }).catch(function () {
    return caches.match(req).then(function (hit) { return hit || Response.error(); });
  }));
});
