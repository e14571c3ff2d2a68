-- wrk script of bench/soak: the read side of the soak mix, one request at a
-- time per connection, drawn at random for each request:
--   70 %  GET  /api/v1/ledger/{id}         an entry, id in 1..SOAK_ENTRIES
--   20 %  GET  /api/v1/ledger?q={word}      a search, a Japanese word below
--   10 %  POST /api/v1/check                a request document evaluated (alternately
--                                           confidentiality 1 (12 risks) and 2 (28 requirements))
-- The Authorization header comes from wrk's -H. Every response's status is
-- counted (response()), and done() prints machine-readable "SOAK ..." lines
-- for bench/soak_run.py: completed requests, statuses, socket errors,
-- latency percentiles (µs) and how many of each kind were sent.
local n = tonumber(os.getenv("SOAK_ENTRIES") or "100000")
local read_pct = tonumber(os.getenv("SOAK_READ_PCT") or "70")
local search_pct = tonumber(os.getenv("SOAK_SEARCH_PCT") or "20")

-- Words the seeded ledger holds (bench/lib.sh's `extsvc demo --entries N`:
-- service names, providers, purposes), from 0.6 % to 17 % of the entries,
-- and one that matches nothing.
local words = {
  "翻訳", "ファイル共有", "会議", "チャット", "電子契約", "周南クラウド", "徳山システム",
  "避難所", "学校行事", "地図", "防災情報", "AI要約", "ストレージ", "図書館", "アンケート",
  "窓口予約", "議事録", "勤怠管理", "新南陽", "職員研修", "存在しない語",
}

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
for i, w in ipairs(words) do words[i] = urlencode(w) end

local function doc_risks()
  local parts = {}
  for k = 1, 12 do
    parts[#parts + 1] = string.format('"%d": {"decision": "accept", "reason": "公開情報のみを扱う"}', k)
  end
  return '{"service": {"name": "Google マップ", "function": "地図", "provider": "Google LLC", "category": "map"},'
    .. ' "purpose": "公開施設の案内図の作成",'
    .. ' "classification": {"confidentiality": "1", "integrity": "1", "availability": "1"},'
    .. ' "period": {"from": "2026-04-01", "to": "2027-03-31"},'
    .. ' "applicant": {"department": "総務部 総務課", "name": "周南 太郎"},'
    .. ' "scope": "部局内に限る",'
    .. ' "procurement": {"approval_ref": "総務第123号", "approved_on": "2026-02-01", "vendor_decided_on": "2026-02-15"},'
    .. ' "risks": {' .. table.concat(parts, ", ") .. "}}"
end

local function doc_requirements()
  local parts = {}
  for k = 1, 28 do
    parts[#parts + 1] = string.format('"%d": {"status": "met", "evidence": "確認済み %d"}', k, k)
  end
  return '{"service": {"name": "Microsoft Teams", "function": "Web会議", "provider": "日本マイクロソフト株式会社"},'
    .. ' "purpose": "庁外関係者とのWeb会議",'
    .. ' "classification": {"confidentiality": "2", "integrity": "2", "availability": "1"},'
    .. ' "period": {"from": "2026-04-01", "to": "2027-03-31"},'
    .. ' "scope": "部局内に限る",'
    .. ' "procurement": {"approval_ref": "総務第123号", "approved_on": "2026-02-01", "vendor_decided_on": "2026-02-15"},'
    .. ' "requirements": {' .. table.concat(parts, ", ") .. "}}"
end

local docs = { doc_risks(), doc_requirements() }
local json_headers -- wrk's headers (-H, the token) and a Content-Type; made in init()

local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + (id or 0))
  statuses = {}
  sent_read, sent_search, sent_check = 0, 0, 0
  ndoc = 0
  -- wrk.format() uses the headers it is given instead of wrk.headers (which
  -- hold -H's Authorization): copy them.
  json_headers = { ["Content-Type"] = "application/json" }
  for k, v in pairs(wrk.headers) do json_headers[k] = v end
end

function request()
  local r = math.random(100)
  if r <= read_pct then
    sent_read = sent_read + 1
    return wrk.format("GET", "/api/v1/ledger/" .. math.random(1, n))
  elseif r <= read_pct + search_pct then
    sent_search = sent_search + 1
    return wrk.format("GET", "/api/v1/ledger?q=" .. words[math.random(#words)])
  else
    sent_check = sent_check + 1
    ndoc = ndoc % #docs + 1
    return wrk.format("POST", "/api/v1/check", json_headers, docs[ndoc])
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local st = {}
  local sent = { read = 0, search = 0, check = 0 }
  for _, t in ipairs(threads) do
    for code, count in pairs(t:get("statuses")) do st[code] = (st[code] or 0) + count end
    sent.read = sent.read + t:get("sent_read")
    sent.search = sent.search + t:get("sent_search")
    sent.check = sent.check + t:get("sent_check")
  end
  io.write(string.format("SOAK requests %d\n", summary.requests))
  io.write(string.format("SOAK duration_us %d\n", summary.duration))
  for code, count in pairs(st) do io.write(string.format("SOAK status %d %d\n", code, count)) end
  local e = summary.errors
  io.write(string.format("SOAK socket connect %d read %d write %d timeout %d\n",
    e.connect, e.read, e.write, e.timeout))
  io.write(string.format("SOAK latency_us p50 %d p90 %d p99 %d max %d\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
  io.write(string.format("SOAK sent read %d search %d check %d\n", sent.read, sent.search, sent.check))
end
