-- wrk script for scripts/bench's peers section: POSTs one body to every request and, when done,
-- prints one JSON line with the figures, so no one has to parse wrk's human-readable summary.
--
-- Environment:
--   WRK_BODY_FILE     file whose bytes are the request body (required)
--   WRK_CONTENT_TYPE  Content-Type of the body (default application/json)
--   WRK_HEADERS       more headers, one "Name: value" per line (e.g. an Authorization header)
--   WRK_EXPECT        text a good answer contains (e.g. "status":"complete"); when set, an answer
--                     that is not a 200 or lacks it counts as incomplete and is left out of "ok"
--   WRK_LABEL         name of the side, copied into the JSON line
--
-- Reading each answer's body costs the client time, so WRK_EXPECT is for the sides whose answers
-- can be partial; wrk's own count of non-2xx answers covers the others.

local function read_file(path)
  local file = assert(io.open(path, "rb"), "WRK_BODY_FILE: cannot open " .. tostring(path))
  local bytes = file:read("*a")
  file:close()
  return bytes
end

local body_file = os.getenv("WRK_BODY_FILE")
assert(body_file and body_file ~= "", "WRK_BODY_FILE is not set")
wrk.method = "POST"
wrk.body = read_file(body_file)
wrk.headers["Content-Type"] = os.getenv("WRK_CONTENT_TYPE") or "application/json"
for line in (os.getenv("WRK_HEADERS") or ""):gmatch("[^\n]+") do
  local name, value = line:match("^%s*([^:]+):%s*(.-)%s*$")
  assert(name, "WRK_HEADERS: not a header line: " .. line)
  wrk.headers[name] = value
end

local expect = os.getenv("WRK_EXPECT")
if expect == "" then expect = nil end

-- Each wrk thread runs its own copy of this script: the counts live in the threads and done()
-- gathers them.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

incomplete = 0
if expect then
  function response(status, headers, body)
    if status ~= 200 or not body or not body:find(expect, 1, true) then
      incomplete = incomplete + 1
    end
  end
end

local function json_string(text)
  return '"' .. text:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

function done(summary, latency, requests)
  local missing = 0
  for _, thread in ipairs(threads) do
    missing = missing + (tonumber(thread:get("incomplete")) or 0)
  end
  local errors = summary.errors
  -- Without WRK_EXPECT the non-2xx answers are the bad ones; with it they are among the
  -- incomplete already. wrk counts an answer slower than its --timeout among the requests and
  -- as a timeout, without its latency: it is not ok either (it may be incomplete as well, so
  -- failed can count it twice; run wrk with a generous --timeout).
  local bad = expect and missing or errors.status
  local failed = bad + errors.connect + errors.read + errors.write + errors.timeout
  local ok = math.max(summary.requests - bad - errors.timeout, 0)
  io.write(string.format(
    '{"label":%s,"requests":%d,"ok":%d,"failed":%d,"incomplete":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
    json_string(os.getenv("WRK_LABEL") or ""), summary.requests, ok, failed,
    missing, summary.duration, summary.bytes, errors.connect, errors.read, errors.write, errors.status,
    errors.timeout, latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
