-- wrk's done() hook: the run's figures as one JSON line, exact (microseconds,
-- from wrk's own histogram) rather than the rounded text of --latency.
-- No response() hook: defining one makes wrk parse every response in Lua and
-- would slow the client down more than the fastest server.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nBENCH {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
