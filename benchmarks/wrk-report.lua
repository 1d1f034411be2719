-- wrk -s wrk-report.lua: prints one machine-readable line with exact figures (latencies in µs),
-- read by scrape.sh.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKRESULT requests=%d duration_us=%d connect=%d read=%d write=%d timeout=%d non2xx=%d avg_us=%.1f p50_us=%d p99_us=%d max_us=%d bytes=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency.mean, latency:percentile(50), latency:percentile(99), latency.max, summary.bytes))
end
