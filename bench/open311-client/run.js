// A published Open311 client run against Icarus: Code for America's
// "open311" npm library (node-open311 0.0.12), unchanged, in JSON mode.
// Not part of CI (it needs the npm package installed outside the repo);
// docs/open311.md "Client compatibility" has the commands.
//
//   node run.js BASE_URL API_KEY      e.g. node run.js http://127.0.0.1:8080 KEY
"use strict";
const Open311 = require("open311");
const assert = require("assert");

const [base, key] = process.argv.slice(2);
if (!base || !key) {
  console.error("usage: node run.js BASE_URL API_KEY");
  process.exit(2);
}
const call = (fn, ...args) => new Promise((ok, ko) => fn(...args, (err, data) => (err ? ko(new Error(err + ": " + data)) : ok(data))));
const step = (name, detail) => console.log("ok  " + name + (detail ? "  " + detail : ""));

(async () => {
  const city = new Open311({ discovery: base + "/open311/v2/discovery.json", apiKey: key });
  // 1. service discovery, cached: sets the endpoint and the format
  const disc = await call(city.serviceDiscovery.bind(city), { cache: true });
  assert.ok(disc.endpoints.length > 0, "discovery lists an endpoint");
  step("serviceDiscovery", "endpoint " + city.endpoint + " format " + city.format);

  // 2. service list
  const services = await call(city.serviceList.bind(city));
  assert.ok(Array.isArray(services) && services.length > 0, "services");
  services.forEach((s) => assert.strictEqual(typeof s.service_code, "string"));
  step("serviceList", services.length + " services: " + services.map((s) => s.service_code).join(", "));

  // 3. a service definition with attributes
  const withAttrs = services.find((s) => s.metadata === true);
  const def = await call(city.serviceDefinition.bind(city), withAttrs.service_code);
  assert.strictEqual(def.service_code, withAttrs.service_code);
  assert.ok(def.attributes.length > 0, "definition has attributes");
  step("serviceDefinition", def.service_code + ": " + def.attributes.map((a) => a.code + "(" + a.datatype + ")").join(", "));

  // 4. submit a request with the api key (attributes through the library's attributes option)
  const lighting = services.find((s) => s.service_code === "lighting") || services[0];
  const ack = await call(city.submitRequest.bind(city), {
    service_code: lighting.service_code, lat: 53.4808, long: -2.2426,
    description: "Street lamp out (node-open311 client test " + new Date().toISOString() + ")",
    attributes: { state: "out" },
  });
  assert.ok(Array.isArray(ack) && ack.length === 1 && typeof ack[0].service_request_id === "string", "ack with a string id");
  const id = ack[0].service_request_id;
  step("submitRequest", "service_request_id " + id + (ack[0].service_notice ? " notice: " + ack[0].service_notice : ""));

  // 5. a bad key is refused
  const bad = new Open311({ endpoint: city.endpoint, format: "json", apiKey: "not-a-key" });
  await call(bad.submitRequest.bind(bad), { service_code: lighting.service_code, lat: 53.48, long: -2.24 }).then(
    () => assert.fail("a bad api_key was accepted"),
    (e) => { assert.ok(/^Error: 403/.test(String(e)), "403 for a bad key: " + e); step("submitRequest with a bad key", "refused: 403"); });

  // 6. the request by id, and in the list
  const one = await call(city.serviceRequests.bind(city), id);
  assert.strictEqual(one.length, 1);
  assert.strictEqual(one[0].service_request_id, id);
  assert.ok(one[0].requested_datetime instanceof Date && !isNaN(one[0].requested_datetime), "requested_datetime parses as a date");
  step("serviceRequests(id)", "status " + one[0].status + ", requested " + one[0].requested_datetime.toISOString() + ", location " + one[0].lat + "," + one[0].long);
  const list = await call(city.serviceRequests.bind(city), { service_code: lighting.service_code, status: "open" });
  assert.ok(list.some((r) => r.service_request_id === id), "the new request is listed");
  step("serviceRequests({service_code, status})", list.length + " requests, the new one among them");
  const several = await call(city.serviceRequests.bind(city), [id, "999999999"]);
  assert.strictEqual(several.length, 1);
  step("serviceRequests([ids])", "service_request_id=" + id + ",999999999 -> " + several.length + " request");
  console.log("all steps passed");
})().catch((e) => {
  console.error("FAILED: " + (e && e.stack ? e.stack : e));
  process.exit(1);
});
