-- wrk script of load.test.mjs. Environment:
--   LOAD_MODE    "get-session": GET /api/auth/get-session with the Cookie given by wrk -H; a body
--                that is not a session ("null") counts as lost.
--                "sign-in": POST /api/auth/sign-in/anonymous {}; a uniform sample of the tokens
--                answered is kept, LOAD_SAMPLE per thread.
--   LOAD_OUT     where done() writes its JSON report: wrk's summary, the statuses counted here,
--                and the tokens.
--   LOAD_SAMPLE  tokens kept per thread (sign-in), default 100.
local mode = os.getenv("LOAD_MODE") or "get-session"
local out = os.getenv("LOAD_OUT")
local sample = tonumber(os.getenv("LOAD_SAMPLE") or "100")

-- Per thread (each has its own Lua state), read back in done() with thread:get().
ok_responses = 0
bad_status = 0
lost = 0
tokens = {}
token_count = 0
seen = 0
id = 0

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  math.randomseed(os.time() * 100 + id)
  if mode == "sign-in" then
    wrk.method = "POST"
    wrk.body = "{}"
    wrk.headers["Content-Type"] = "application/json"
  end
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    bad_status = bad_status + 1
    return
  end
  if mode == "get-session" then
    if body == nil or string.sub(body, 1, 11) ~= '{"session":' then
      lost = lost + 1
      return
    end
  else
    local token = body and string.match(body, '"token":"([^"]+)"')
    if not token then
      lost = lost + 1
      return
    end
    -- Reservoir sampling: a uniform sample of the whole run, not just its first answers.
    seen = seen + 1
    if token_count < sample then
      token_count = token_count + 1
      tokens[token_count] = token
    else
      local j = math.random(1, seen)
      if j <= sample then tokens[j] = token end
    end
  end
  ok_responses = ok_responses + 1
end

local function json_string(s)
  return '"' .. string.gsub(s, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end) .. '"'
end

function done(summary, latency, requests)
  local ok_total, bad_total, lost_total = 0, 0, 0
  local all_tokens = {}
  for _, thread in ipairs(threads) do
    ok_total = ok_total + thread:get("ok_responses")
    bad_total = bad_total + thread:get("bad_status")
    lost_total = lost_total + thread:get("lost")
    local count = thread:get("token_count")
    local list = thread:get("tokens")
    for i = 1, count do
      table.insert(all_tokens, json_string(list[i]))
    end
  end
  local e = summary.errors
  local report = string.format(
    '{"mode":%s,"duration_us":%d,"requests":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"ok":%d,"bad_status":%d,"lost":%d,' ..
    '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d},"tokens":[%s]}\n',
    json_string(mode), summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    ok_total, bad_total, lost_total,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    table.concat(all_tokens, ","))
  if out then
    local f = assert(io.open(out, "w"))
    f:write(report)
    f:close()
  else
    io.write(report)
  end
end
