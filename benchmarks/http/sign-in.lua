-- wrk: POST /api/auth/sign-in/anonymous with body {} (a new guest per request), as a browser
-- sends it: JSON, with the Origin the server trusts. Environment (and common.lua's):
--   GUESTS_OUT  when set, each thread appends the session cookie of every guest it signs in to
--               GUESTS_OUT.<thread> (one "name=value" per line): the guests of a later phase.
--               Unset (the timed runs), no response hook: wrk reads only statuses.
local common = dofile((string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./") .. "common.lua")
local out_prefix = os.getenv("GUESTS_OUT")
local out = nil

function init(args)
  wrk.method = "POST"
  wrk.path = "/api/auth/sign-in/anonymous"
  wrk.body = "{}"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Origin"] = common.origin
  if out_prefix and out_prefix ~= "" then
    out = assert(io.open(out_prefix .. "." .. id, "w"))
    out:setvbuf("line")   -- the script counts the lines while wrk runs
  else
    response = nil
  end
end

function response(status, headers, body)
  checked = checked + 1
  local cookie = common.header(headers, "Set-Cookie")
  cookie = cookie and string.match(cookie, "^(better%-auth%.session_token=[^;]+)")
  if status ~= 200 or not cookie then
    bad = bad + 1
    return
  end
  out:write(cookie, "\n")
end

function done(summary, latency, requests)
  common.report(summary, latency)
end
