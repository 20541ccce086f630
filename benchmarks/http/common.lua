-- Shared by the wrk scripts of benchmarks/http (loaded with dofile by each; scripts/bench-http.sh
-- runs them). Environment:
--   BENCH_ORIGIN   the origin the server trusts (sent as Origin on every POST)
--   BENCH_REPORT   where done() writes its JSON line (default: stdout)
-- Each wrk thread has its own Lua state; setup() runs in the main one, numbers the threads, and
-- done() reads their counters back with thread:get().
local common = {}

common.origin = os.getenv("BENCH_ORIGIN") or "http://127.0.0.1"

local threads = {}
id = 0            -- the thread's number, 1..n (set by setup)
thread_count = 0  -- n
checked = 0       -- answers checked by a response() hook
bad = 0           -- of those, answers that were not what the operation should answer
exhausted = 0     -- requests for which no fresh guest was left (link)
extra = {}        -- per-script numbers for the report, by name (main state only)

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
  for i, t in ipairs(threads) do t:set("thread_count", #threads) end
end

-- The lines of a file (a cookie per line), or an empty table.
function common.read_lines(path, limit)
  local lines = {}
  if not path then return lines end
  local f = io.open(path, "r")
  if not f then return lines end
  for line in f:lines() do
    if line ~= "" then
      lines[#lines + 1] = line
      if limit and #lines >= limit then break end
    end
  end
  f:close()
  return lines
end

-- The value of a header whose name matches ignoring case.
function common.header(headers, name)
  name = string.lower(name)
  for k, v in pairs(headers) do
    if string.lower(k) == name then return v end
  end
  return nil
end

-- Sums a per-thread counter.
function common.sum(name)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get(name) or 0) end
  return total
end

function common.threads() return threads end

-- One JSON line: wrk's own counts, latency percentiles in ms, and the scripts' counters.
function common.report(summary, latency, fields)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  local parts = {
    string.format('"requests":%d', summary.requests),
    string.format('"duration_s":%.3f', seconds),
    string.format('"rps":%.1f', summary.requests / seconds),
    string.format('"bytes_per_response":%.1f', summary.requests > 0 and summary.bytes / summary.requests or 0),
    string.format('"p50_ms":%.3f', latency:percentile(50) / 1000),
    string.format('"p90_ms":%.3f', latency:percentile(90) / 1000),
    string.format('"p99_ms":%.3f', latency:percentile(99) / 1000),
    string.format('"max_ms":%.3f', latency.max / 1000),
    string.format('"mean_ms":%.3f', latency.mean / 1000),
    string.format('"errors":%d', e.connect + e.read + e.write + e.timeout),
    string.format('"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d}', e.connect, e.read, e.write, e.timeout),
    string.format('"non_2xx":%d', e.status),
    string.format('"checked":%d', common.sum("checked")),
    string.format('"bad_answers":%d', common.sum("bad")),
    string.format('"exhausted":%d', common.sum("exhausted")),
  }
  for k, v in pairs(fields or {}) do
    parts[#parts + 1] = string.format('"%s":%s', k, tostring(v))
  end
  local line = "{" .. table.concat(parts, ",") .. "}\n"
  local out = os.getenv("BENCH_REPORT")
  if out and out ~= "" then
    local f = assert(io.open(out, "w"))
    f:write(line)
    f:close()
  else
    io.write(line)
  end
end

return common
