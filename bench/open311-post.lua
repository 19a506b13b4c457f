-- wrk script: POST /open311/v2/requests.json with a unique body per request
-- (thread id + counter in the description), counting answers by status
-- (200 = acknowledged with a service_request_id; 429 = rate limited).
-- Usage: KEY=... wrk -s bench/open311-post.lua http://HOST:PORT/open311/v2/requests.json
local key = os.getenv("KEY") or ""
local threads = {}
local counter = 0
tid = 0 -- global: set per thread by setup()
ok, refused, failed = 0, 0, 0 -- globals, read by done() through thread:get

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
end

function request()
  counter = counter + 1
  local lat = 53.43 + (counter % 1000) / 10000
  local lon = -2.30 + (counter % 773) / 5000
  local body = "api_key=" .. key .. "&service_code=lighting&lat=" .. string.format("%.5f", lat) .. "&long=" .. string.format("%.5f", lon) ..
    "&description=wrk+t" .. tid .. "+n" .. counter .. "&attribute%5Bstate%5D=out"
  return wrk.format("POST", nil, { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 elseif status == 429 then refused = refused + 1 else failed = failed + 1 end
end

function done(summary, latency, requests)
  local o, r, f = 0, 0, 0
  for _, t in ipairs(threads) do
    o, r, f = o + t:get("ok"), r + t:get("refused"), f + t:get("failed")
  end
  io.write(string.format("acknowledged_200 %d\nrefused_429 %d\nother %d\n", o, r, f))
  io.write(string.format("p99_ms %.2f\n", latency:percentile(99) / 1000))
end
