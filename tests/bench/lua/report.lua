-- Every request carries the bench user's token (run.py signs in first).
local bench_token = os.getenv("BENCH_TOKEN")
if bench_token then wrk.headers["Authorization"] = "Bearer " .. bench_token end
function bench_headers(extra)
  if bench_token then extra["Authorization"] = "Bearer " .. bench_token end
  return extra
end
-- Shared by every scenario: one machine-readable line at the end of the run.
function done(summary, latency, requests)
  io.write(string.format('BENCH {"requests":%d,"duration_us":%d,"errors":%d,"non2xx":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(99)))
end
