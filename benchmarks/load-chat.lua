-- wrk -s load-chat.lua URL -- unary|stream : POSTs one chat completion (a unary answer, or server-sent
-- events) per request, and prints one machine-readable line with exact figures (latencies in µs), read
-- by load.sh.
local prompt = '"messages":[{"role":"user","content":"Write one sentence about the sea."}],"max_tokens":8'

function init(args)
  local kind = args[1] or "unary"
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if kind == "stream" then
    wrk.body = '{"model":"Qwen/Qwen3-0.6B",' .. prompt .. ',"stream":true}'
  else
    wrk.body = '{"model":"Qwen/Qwen3-0.6B",' .. prompt .. '}'
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKRESULT requests=%d duration_us=%d connect=%d read=%d write=%d timeout=%d non2xx=%d avg_us=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d bytes=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, summary.bytes))
end
