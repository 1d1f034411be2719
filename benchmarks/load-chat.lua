-- wrk -s load-chat.lua URL -- unary|stream[/MS] : POSTs one chat completion (a unary answer, or server-sent
-- events) per request, and prints one machine-readable line with exact figures (latencies in µs), read
-- by load.sh. With /MS each connection waits MS milliseconds on average (0 … 2 * MS) after every answer
-- before its next request (paced load: about connections * 1000 / (MS + latency) requests per second,
-- instead of as many as the deployment can serve).
local prompt = '"messages":[{"role":"user","content":"Write one sentence about the sea."}],"max_tokens":8'

local pause_ms = 0

function init(args)
  local kind = args[1] or "unary"
  local slash = string.find(kind, "/", 1, true)
  if slash then
    pause_ms = tonumber(string.sub(kind, slash + 1))
    kind = string.sub(kind, 1, slash - 1)
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if kind == "stream" then
    wrk.body = '{"model":"Qwen/Qwen3-0.6B",' .. prompt .. ',"stream":true}'
  else
    wrk.body = '{"model":"Qwen/Qwen3-0.6B",' .. prompt .. '}'
  end
end

-- a pause drawn evenly from 0 … 2 * MS (MS on average), so the connections, which start together, do not
-- stay in step and send their requests in bursts
function delay()
  if pause_ms == 0 then
    return 0
  end
  return math.random(0, 2 * pause_ms)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKRESULT requests=%d duration_us=%d connect=%d read=%d write=%d timeout=%d non2xx=%d avg_us=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d bytes=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, summary.bytes))
  -- every latency, in buckets 1 % wide (a bucket is named by its lowest µs), so that windows can be pooled:
  -- "WRKHIST µs:count µs:count …"
  local buckets, order = {}, {}
  for i = 1, #latency do
    local us, count = latency(i)
    local b = math.floor(1.01 ^ math.floor(math.log(math.max(us, 1)) / math.log(1.01)) + 0.5)
    if not buckets[b] then
      buckets[b] = 0
      order[#order + 1] = b
    end
    buckets[b] = buckets[b] + count
  end
  table.sort(order)
  local parts = {}
  for _, b in ipairs(order) do
    parts[#parts + 1] = b .. ":" .. buckets[b]
  end
  io.write("WRKHIST " .. table.concat(parts, " ") .. "\n")
end
