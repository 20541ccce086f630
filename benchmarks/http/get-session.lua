-- wrk: GET /api/auth/get-session with the session cookies of many guests, each connection's
-- requests going round them in turn (each thread starts at another place). The requests are
-- formatted once in init(). Environment (and common.lua's):
--   GUESTS      the cookie file (one "name=value" per line); at most GUESTS_MAX (2000) are used
--   CHECK=1     a response hook checks that every answer is a session ({"session":...); without
--               it (the timed runs) wrk reads only statuses and byte counts
local common = dofile((string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./") .. "common.lua")
local requests_by_guest = {}
local next_guest = 1
local check = os.getenv("CHECK") == "1"

function init(args)
  local cookies = common.read_lines(os.getenv("GUESTS"), tonumber(os.getenv("GUESTS_MAX") or "2000"))
  assert(#cookies > 0, "get-session.lua: no cookies in GUESTS")
  for i, cookie in ipairs(cookies) do
    requests_by_guest[i] = wrk.format("GET", "/api/auth/get-session", { Cookie = cookie })
  end
  next_guest = ((id - 1) * 997) % #requests_by_guest + 1
  if not check then response = nil end
end

function request()
  local r = requests_by_guest[next_guest]
  next_guest = next_guest % #requests_by_guest + 1
  return r
end

function response(status, headers, body)
  checked = checked + 1
  if status ~= 200 or not body or string.sub(body, 1, 11) ~= '{"session":' then bad = bad + 1 end
end

function done(summary, latency, requests)
  local guests = #common.read_lines(os.getenv("GUESTS"), tonumber(os.getenv("GUESTS_MAX") or "2000"))
  common.report(summary, latency, { guests = guests })
end
