// libFuzzer harness: a sequence of session operations with arbitrary tokens, addresses and agents
// (get_session, sign_out, update_user, delete_anonymous_user, sign_in_anonymous, sign_up_email
// and clock steps) on an auth with aa::rate_limit<aa::per_ip<5, std::chrono::seconds>>, on the
// memory storage and on SQLite in memory (the first input byte chooses).
//
// A model follows the sessions the sequence opened (token, user, expiry), the users (guest or
// not) and the rate limiter's buckets (5 sign-ins per address key, refilled continuously at 5 a
// second, keys from fuzz/reference.hpp), and every answer is checked against it:
// - get_session answers exactly the model's unexpired sessions of existing users, extends them
//   as the session policy says, and knows no token the sequence did not get (arbitrary or
//   mutated tokens find nothing);
// - sign_out always succeeds and ends the session;
// - update_user and delete_anonymous_user are 401 without a valid session, delete is 403 for a
//   real user and otherwise deletes the guest and every session of it;
// - sign_in_anonymous refuses broken text with 400, an empty bucket with 429 and a Retry-After of
//   the model's wait, a guest's own session with 400, and otherwise creates a guest whose session
//   stores the address and agent byte for byte;
// - a refusal leaves the user count unchanged, no answer is a 500, no exception escapes.
#include "common.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace {

using namespace fuzz;

using limiter = aa::per_ip<5, std::chrono::seconds>;
template <class Storage>
using session_auth = auth_t<Storage, aa::rate_limit<limiter>>;

constexpr std::int64_t lifetime_ms = std::chrono::milliseconds(std::chrono::days{7}).count();
constexpr std::int64_t update_age_ms = std::chrono::milliseconds(std::chrono::days{1}).count();

struct model_session {
  std::string token;
  std::string user_id;
  std::int64_t expires_ms = 0;
  std::string ip_address;
  std::string user_agent;
};

/// A token bucket as aa::per_ip documents it, in thousandths of a sign-in: 5 at most, 5 a second.
struct bucket {
  std::int64_t milli_tokens = 5000;
  std::int64_t last_ms = 0;
};

struct model {
  std::vector<model_session> sessions;     // the sessions the sequence may present again
  std::map<std::string, bool> users;       // id -> is_anonymous, every user of the auth
  std::map<reference::rate_limit_key, bucket> buckets;
  std::size_t sign_ups = 0;

  /// The session of `token` if the auth must accept it at `now_ms`.
  model_session* valid(const std::optional<std::string>& token, std::int64_t now_ms) {
    if (!token) return nullptr;
    for (auto& s : sessions)
      if (s.token == *token) return (s.expires_ms >= now_ms && users.count(s.user_id)) ? &s : nullptr;
    return nullptr;
  }

  void forget_token(const std::string& token) {
    std::erase_if(sessions, [&](const model_session& s) { return s.token == token; });
  }

  /// Takes a sign-in from the bucket of `ip`: nothing, or how long until one is there.
  std::optional<std::int64_t> acquire(const std::string& ip, std::int64_t now_ms) {
    auto [it, fresh] = buckets.try_emplace(reference::key_of(ip), bucket{5000, now_ms});
    bucket& b = it->second;
    if (now_ms > b.last_ms) {
      b.milli_tokens = std::min<std::int64_t>(5000, b.milli_tokens + (now_ms - b.last_ms) * 5);
      b.last_ms = now_ms;
    }
    if (b.milli_tokens >= 1000) {
      b.milli_tokens -= 1000;
      return std::nullopt;
    }
    return (1000 - b.milli_tokens + 4) / 5;
  }
};

template <class Storage>
struct state {
  auth_slot<session_auth<Storage>> slot;
  model m;
};

std::int64_t now_ms(const fixtures::manual_clock& clock) { return clock.now().time_since_epoch().count(); }

/// A token: one the sequence got (as is, or mutated), or arbitrary bytes (up to past the limit).
std::optional<std::string> pick_token(FuzzedDataProvider& in, const model& m) {
  switch (in.ConsumeIntegralInRange(0, 5)) {
    case 0: return std::nullopt;
    case 1: return in.ConsumeRandomLengthString(700);
    default: break;
  }
  if (m.sessions.empty()) return in.ConsumeRandomLengthString(64);
  std::string token = m.sessions[in.ConsumeIntegralInRange<std::size_t>(0, m.sessions.size() - 1)].token;
  switch (in.ConsumeIntegralInRange(0, 5)) {
    case 0: token[in.ConsumeIntegralInRange<std::size_t>(0, token.size() - 1)] ^= in.ConsumeIntegralInRange<char>(1, 127); break;
    case 1: token.pop_back(); break;
    case 2: token += in.ConsumeRandomLengthString(8); break;
    default: break;  // as is
  }
  return token;
}

template <class Auth>
void require_user_count(Auth& auth, const model& m, const std::string& context) {
  FUZZ_REQUIRE(fixtures::user_count(auth) == m.users.size(),
               context + ": " + std::to_string(fixtures::user_count(auth)) + " users, the model has " +
                   std::to_string(m.users.size()));
}

template <class Auth>
void get_session(Auth& auth, model& m, std::int64_t now, const std::optional<std::string>& token) {
  const std::string context = "get_session(" + printable(token) + ")";
  const model_session* s = m.valid(token, now);
  const auto view = auth.get_session(token.value_or(""));
  if (!s) {
    FUZZ_REQUIRE(!view, context + ": found a session the model does not know");
    return;
  }
  FUZZ_REQUIRE(view.has_value(), context + ": lost a valid session");
  FUZZ_REQUIRE(view->user.id == s->user_id && view->session.user_id == s->user_id, context + ": another user");
  FUZZ_REQUIRE(view->session.ip_address == s->ip_address && view->session.user_agent == s->user_agent,
               context + ": the stored address or agent changed");
  const bool extend = s->expires_ms - lifetime_ms + update_age_ms <= now;
  const std::int64_t expires = extend ? now + lifetime_ms : s->expires_ms;
  FUZZ_REQUIRE(view->session.expires_at.time_since_epoch().count() == expires,
               context + ": expires at " + std::to_string(view->session.expires_at.time_since_epoch().count()) +
                   ", the model says " + std::to_string(expires));
  for (auto& each : m.sessions)
    if (each.token == s->token) each.expires_ms = expires;
  check_stored_user(view->user);
}

template <class Auth>
void sign_in_anonymous(Auth& auth, model& m, std::int64_t now, aa::request_context request) {
  const std::string context = "sign_in_anonymous(ip " + printable(request.ip_address) + ", agent " +
                              printable(request.user_agent) + ", token " + printable(request.session_token) + ")";
  const bool text_ok = request_ok(request);
  // The order of the checks: the request's text, the rate limit, the guest's own session.
  std::optional<std::int64_t> wait = text_ok ? m.acquire(request.ip_address, now) : std::nullopt;
  const model_session* current = m.valid(request.session_token, now);
  const bool own_guest = current && m.users.at(current->user_id);
  auto r = auth.sign_in_anonymous(request);
  if (!text_ok || wait || own_guest) {
    refusals expected;
    if (!text_ok) expected.add(aa::errors::invalid_input);
    else if (wait) expected.add(aa::errors::too_many_requests);
    else expected.add(aa::errors::anonymous_users_cannot_sign_in_again_anonymously);
    require_refused_as(r, expected, context);
    if (wait) {
      const auto retry = r.error().retry_after();
      const std::int64_t seconds = (*wait + 999) / 1000;
      FUZZ_REQUIRE(retry && retry->count() == seconds,
                   context + ": Retry-After " + (retry ? std::to_string(retry->count()) : "none") + ", wait " +
                       std::to_string(*wait) + " ms");
    }
    require_user_count(auth, m, context);
    return;
  }
  FUZZ_REQUIRE(r.has_value(), context + ": refused: " + outcome(r));
  FUZZ_REQUIRE(r->user.is_anonymous && r->session.user_id == r->user.id, context + ": not a guest's session");
  FUZZ_REQUIRE(r->session.ip_address == request.ip_address && r->session.user_agent == request.user_agent,
               context + ": the session's address or agent differs from the request's");
  FUZZ_REQUIRE(r->session.expires_at.time_since_epoch().count() == now + lifetime_ms, context + ": expiry");
  check_stored_user(r->user);
  m.users[r->user.id] = true;
  m.sessions.push_back({r->token, r->user.id, now + lifetime_ms, request.ip_address, request.user_agent});
  require_user_count(auth, m, context);
}

template <class Auth>
void update_user(Auth& auth, model& m, std::int64_t now, FuzzedDataProvider& in, const aa::request_context& request) {
  const model_session* s = m.valid(request.session_token, now);
  const std::optional<user> current = s ? auth.find_user(s->user_id) : std::nullopt;
  FUZZ_REQUIRE(!s || current, "a valid session's user is stored");
  enum { name, bio, location, image, email, anonymous };
  const int field = in.ConsumeIntegralInRange(0, 5);
  const std::string value = in.ConsumeRandomLengthString(300);
  const std::string context = "update_user(token " + printable(request.session_token) + ", field " +
                              std::to_string(field) + " = " + printable(value) + ")";
  refusals expected;
  if (!current) {
    expected.add(aa::errors::unauthorized);
  } else {
    const user& u = *current;
    switch (field) {
      case name:
        if (value != u.name) name_refusals(expected, value);
        expected.add_if(value == u.name, aa::errors::no_fields_to_update);
        break;
      case bio:
      case location: {
        const auto& old = field == bio ? u.bio : u.location;
        expected.add_if(old == value, aa::errors::no_fields_to_update);
        expected.add_if(old != value && !reference::text_ok(value, aa::limits::max_text_field, true),
                        aa::errors::invalid_input);
        break;
      }
      case image:
        expected.add_if(u.image == value, aa::errors::no_fields_to_update);
        expected.add_if(u.image != value && !image_ok(value), aa::errors::invalid_input);
        break;
      case email: expected.add_if(value != u.email, aa::errors::email_can_not_be_updated);
        expected.add_if(value == u.email, aa::errors::no_fields_to_update);
        break;
      default: expected.add(aa::errors::field_not_allowed); break;
    }
  }
  auto r = auth.update_user(request, [&](user& u) {
    switch (field) {
      case name: u.name = value; break;
      case bio: u.bio = value; break;
      case location: u.location = value; break;
      case image: u.image = value; break;
      case email: u.email = value; break;
      default: u.is_anonymous = !u.is_anonymous; break;
    }
  });
  require_user_count(auth, m, context);
  const auto after = current ? auth.find_user(current->id) : std::nullopt;
  if (!expected.empty()) {
    require_refused_as(r, expected, context);
    if (current) FUZZ_REQUIRE(after && boost::hana::equal(*after, *current), context + ": a refusal changed the user");
    return;
  }
  FUZZ_REQUIRE(r.has_value(), context + ": refused: " + outcome(r));
  FUZZ_REQUIRE(after && boost::hana::equal(*after, *r), context + ": the answer is the stored user");
  const bool stored = field == name       ? after->name == value
                      : field == bio      ? after->bio == value
                      : field == location ? after->location == value
                                          : after->image == value;
  FUZZ_REQUIRE(stored, context + ": not stored byte for byte");
  FUZZ_REQUIRE(after->updated_at.time_since_epoch().count() == now, context + ": updated_at");
  check_stored_user(*after);
}

template <class Auth>
void delete_guest(Auth& auth, model& m, std::int64_t now, const aa::request_context& request) {
  const std::string context = "delete_anonymous_user(token " + printable(request.session_token) + ")";
  const model_session* s = m.valid(request.session_token, now);
  auto r = auth.delete_anonymous_user(request);
  refusals expected;
  if (!s) expected.add(aa::errors::unauthorized);
  else if (!m.users.at(s->user_id)) expected.add(aa::errors::user_is_not_anonymous);
  if (!expected.empty()) {
    require_refused_as(r, expected, context);
    require_user_count(auth, m, context);
    return;
  }
  FUZZ_REQUIRE(r.has_value(), context + ": refused: " + outcome(r));
  const std::string id = s->user_id;
  FUZZ_REQUIRE(!auth.find_user(id), context + ": the guest is still stored");
  FUZZ_REQUIRE(sessions_of(auth, id).empty(), context + ": the guest's sessions are still stored");
  m.users.erase(id);
  std::erase_if(m.sessions, [&](const model_session& each) { return each.user_id == id; });
  require_user_count(auth, m, context);
}

template <class Auth>
void sign_up(Auth& auth, model& m, std::int64_t now, const aa::request_context& request) {
  const std::string email = "user" + std::to_string(++m.sign_ups) + "@example.com";
  const std::string context = "sign_up_email(" + email + ", token " + printable(request.session_token) + ")";
  const model_session* s = m.valid(request.session_token, now);
  const std::optional<std::string> guest = (s && m.users.at(s->user_id)) ? std::optional(s->user_id) : std::nullopt;
  auto r = auth.sign_up_email(fixtures::sign_up_body(email), request);  // a valid body, a plain request
  FUZZ_REQUIRE(r.has_value(), context + ": refused: " + outcome(r));
  m.users[r->user.id] = false;
  if (guest) {  // linked, then deleted with its sessions
    m.users.erase(*guest);
    std::erase_if(m.sessions, [&](const model_session& each) { return each.user_id == *guest; });
  }
  m.sessions.push_back({r->token, r->user.id, now + lifetime_ms, request.ip_address, request.user_agent});
  require_user_count(auth, m, context);
}

template <class Storage>
void run(FuzzedDataProvider& in) {
  static state<Storage> s;
  // A new auth also before the limiter could evict an address the model remembers (each of its
  // 16 shards holds 4096).
  if (s.m.buckets.size() > 2000) s.slot.auth.reset();
  if (s.slot.refresh(3000, 3000)) s.m = model{};
  auto& auth = *s.slot.auth;
  model& m = s.m;
  for (int step = 0; step < 24 && in.remaining_bytes() > 0; ++step) {
    const std::int64_t now = now_ms(s.slot.clock);
    const int op = in.ConsumeIntegralInRange(0, 7);
    aa::request_context request{pick_token(in, m), "203.0.113.7", "anonauth-fuzz/1.0"};
    switch (op) {
      case 0: get_session(auth, m, now, request.session_token); break;
      case 1:
        FUZZ_REQUIRE(auth.sign_out(request).has_value(), "sign_out always succeeds");
        if (request.session_token && request.session_token->size() <= aa::limits::max_token)
          m.forget_token(*request.session_token);
        break;
      case 2: update_user(auth, m, now, in, request); break;
      case 3: delete_guest(auth, m, now, request); break;
      case 4:
      case 5:
        request.ip_address = ip_address(in);
        request.user_agent = user_agent(in);
        sign_in_anonymous(auth, m, now, request);
        break;
      case 6: sign_up(auth, m, now, request); break;
      default: {
        // Mostly small steps (the rate limiter's scale), sometimes days (sessions' scale).
        const std::int64_t ms = in.ConsumeBool() ? in.ConsumeIntegralInRange<std::int64_t>(0, 3000)
                                                 : in.ConsumeIntegralInRange<std::int64_t>(0, 9 * 86'400'000LL);
        s.slot.clock.advance(std::chrono::milliseconds{ms});
        break;
      }
    }
  }
  // Bound the model: old sessions are forgotten (they stay stored, unreachable to the sequence).
  if (m.sessions.size() > 64) m.sessions.erase(m.sessions.begin(), m.sessions.end() - 32);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz::guarded([&] {
    FuzzedDataProvider in(data, size);
    if (in.ConsumeBool()) run<aa::sqlite_storage>(in);
    else run<aa::memory_storage>(in);
  });
}
