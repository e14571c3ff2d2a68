-- wrk script: spread requests over entry ids 1..N (N from the environment),
-- so the benchmark reads the whole ledger, not one cached row.
local n = tonumber(os.getenv("BENCH_ENTRIES") or "100000")
local prefix = os.getenv("BENCH_PREFIX") or "/api/v1/ledger/"
math.randomseed(os.time())
request = function()
  return wrk.format("GET", prefix .. math.random(1, n))
end
