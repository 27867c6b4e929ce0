-- wrk: replay pre-generated requests (bench/harness.py run_wrk), each once, in order, one list per thread.
--
--   wrk -t N -c N -d 10s -s bench/replay.lua http://127.0.0.1:PORT -- FOLDER
--
-- FOLDER holds 1.req .. N.req (thread i replays i.req) and expect.tsv (what a good response looks like).
-- One connection per thread: a thread's requests then go strictly one after another (a USSD session's
-- hops), and the thread stops after its last response, so no request is ever sent twice.
--
-- wrk's main thread sleeps for the whole -d duration whatever the threads do, so req/s is only right when
-- no list runs out first: done() reports how many did (ran_out) and the harness then runs again with more.

local created = {}

function setup(thread)
  created[#created + 1] = thread
  thread:set("index", #created)
end

-- Globals, so that done() can read them from each thread (thread:get).
bad = 0
answered = 0
planned = 0
sample = ""

local queue = {}
local position = 0
local ok_status = nil
local prefixes, contains, refused = {}, {}, {}

local function read_expectations(path)
  local file = assert(io.open(path, "rb"))
  for line in file:lines() do
    local kind, value = line:match("^(%a+)\t(.*)$")
    if kind == "status" then ok_status = tonumber(value)
    elseif kind == "prefix" then prefixes[#prefixes + 1] = value
    elseif kind == "contains" then contains[#contains + 1] = value
    elseif kind == "refused" then refused[#refused + 1] = value
    end
  end
  file:close()
end

local function read_requests(path)
  local file = assert(io.open(path, "rb"))
  while true do
    local line = file:read("*l")
    if not line or line == "" then break end
    local method, target, count, length = line:match("^(%S+)\t(%S+)\t(%d+)\t(%d+)$")
    local headers = {}
    for _ = 1, tonumber(count) do
      local name, value = file:read("*l"):match("^([^\t]+)\t(.*)$")
      headers[name] = value
    end
    length = tonumber(length)
    local body = nil
    if length > 0 then body = file:read(length) elseif method ~= "GET" then body = "" end
    file:read("*l")
    queue[#queue + 1] = wrk.format(method, target, headers, body)
  end
  file:close()
end

function init(args)
  read_expectations(args[1] .. "/expect.tsv")
  read_requests(args[1] .. "/" .. index .. ".req")
  planned = #queue
end

local checked = false

function request()
  if index == 1 and not checked then
    -- wrk calls request() once on the first thread before the run (script_verify_request, to count
    -- pipelined requests) and never sends that one: hand it the first request without using it up.
    checked = true
    return queue[1] or wrk.format("GET", "/healthz")
  end
  position = position + 1
  if position > #queue then  -- not reached with one connection per thread; never repeat a request
    wrk.thread:stop()
    return wrk.format("GET", "/healthz")
  end
  return queue[position]
end

local function good(status, body)
  if status >= 400 or (ok_status and status ~= ok_status) then return false end
  if #prefixes > 0 then
    local found = false
    for _, prefix in ipairs(prefixes) do
      if body:sub(1, #prefix) == prefix then found = true break end
    end
    if not found then return false end
  end
  for _, text in ipairs(contains) do
    if not body:find(text, 1, true) then return false end
  end
  for _, text in ipairs(refused) do
    if body:find(text, 1, true) then return false end
  end
  return true
end

function response(status, headers, body)
  answered = answered + 1
  if not good(status, body or "") then
    bad = bad + 1
    if sample == "" then sample = status .. " " .. (body or ""):sub(1, 160):gsub("%s+", " ") end
  end
  if answered >= #queue then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local errors, first, ran_out = 0, "", 0
  for _, thread in ipairs(created) do
    errors = errors + thread:get("bad")
    if first == "" then first = thread:get("sample") end
    if thread:get("answered") >= thread:get("planned") then ran_out = ran_out + 1 end
  end
  local e = summary.errors
  errors = errors + e.connect + e.read + e.write + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "REPLAY requests=%d errors=%d ran_out=%d seconds=%.3f req_per_s=%.1f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f\n",
    summary.requests, errors, ran_out, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
  if first ~= "" then io.write("REPLAY_SAMPLE " .. first .. "\n") end
end
