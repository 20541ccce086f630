-- wrk: a link, POST /api/auth/sign-up/email {name, email, password} carrying a fresh guest's
-- session cookie and the Origin the server trusts: the guest becomes a user with a password
-- (Better Auth's anonymous plugin: the account is created, the guest deleted). Each guest is
-- used once: thread k of n takes the guests at GUESTS_OFFSET + k, + k + n, + k + 2n... of the
-- cookie file; each thread numbers its emails (user-<run>-<thread>-<n>@example.com). A request
-- for which no guest is left goes to a path that answers 404, so that it counts as non-2xx, and
-- is counted as "exhausted". Environment (and common.lua's):
--   GUESTS         the cookie file (one "name=value" per line, guests nobody linked yet)
--   GUESTS_OFFSET  guests before this line were used by an earlier run (default 0)
--   LINK_STATE     done() writes there the offset the next run on the same server starts at
--   LINK_RUN       a word in the emails, unique per run on one server (default "run")
--   LINK_PASSWORD  the password (default the benchmark's)
local common = dofile((string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./") .. "common.lua")
local cookies = {}
used = 0   -- guests this thread took
local offset = tonumber(os.getenv("GUESTS_OFFSET") or "0")
local run = os.getenv("LINK_RUN") or "run"
local password = os.getenv("LINK_PASSWORD") or "correct-horse-battery-staple"
local exhausted_request = nil

function init(args)
  cookies = common.read_lines(os.getenv("GUESTS"))
  exhausted_request = wrk.format("GET", "/api/auth/no-guest-left")
  response = nil
end

function request()
  local index = offset + id + used * thread_count
  used = used + 1
  local cookie = cookies[index]
  if not cookie then
    exhausted = exhausted + 1
    return exhausted_request
  end
  local body = string.format('{"name":"Linked User","email":"user-%s-%d-%d@example.com","password":"%s"}',
                             run, id, used, password)
  return wrk.format("POST", "/api/auth/sign-up/email", {
    ["Content-Type"] = "application/json",
    ["Origin"] = common.origin,
    ["Cookie"] = cookie,
  }, body)
end

function done(summary, latency, requests)
  local most = 0
  for _, t in ipairs(common.threads()) do most = math.max(most, t:get("used") or 0) end
  local next_offset = offset + most * #common.threads()
  local state = os.getenv("LINK_STATE")
  if state and state ~= "" then
    local f = assert(io.open(state, "w"))
    f:write(tostring(next_offset), "\n")
    f:close()
  end
  common.report(summary, latency, { guests_offset = offset, guests_next_offset = next_offset,
                                    guests = #common.read_lines(os.getenv("GUESTS")) })
end
