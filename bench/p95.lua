-- wrk: print the latency percentiles the analytics benchmark reports (wrk's --latency has no p95).
done = function(summary, latency, requests)
  io.write(string.format("BENCH requests=%d errors=%d p50_ms=%.1f p95_ms=%.1f p99_ms=%.1f\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
