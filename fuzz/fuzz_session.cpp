// libFuzzer harness: a sequence of session operations with arbitrary tokens, addresses and agents
// (get_session, sign_out, update_user, delete_anonymous_user, the four credential operations
// sign_in_anonymous, sign_up_email, sign_in_email and sign_in_social, bursts of them from one
// IPv6 network, steps of the clock, and steps of the wall clock alone) on an auth with
// aa::rate_limit<aa::per_ip<5, std::chrono::seconds>>, on the memory storage and on SQLite in
// memory (the first input byte chooses).
//
// A model follows the sessions the sequence opened (token, user, expiry), the users (guest or
// not, and the credentials of those signed up), and the rate limiter's buckets, and every answer
// is checked against it:
// - get_session answers exactly the model's unexpired sessions of existing users, extends them
//   as the session policy says, forgets an expired one it is shown (a wall clock set back then
//   does not revive it), and knows no token the sequence did not get (arbitrary or mutated
//   tokens find nothing);
// - sign_out always succeeds and ends the session;
// - update_user and delete_anonymous_user are 401 without a valid session, delete is 403 for a
//   real user and otherwise deletes the guest and every session of it;
// - every credential operation takes the rate limit first, before any of its input is checked:
//   429 with a Retry-After of the model's wait when the buckets of its address are short, and
//   a token from each of them otherwise, a request its checks then refuse included. The buckets
//   follow aa::per_ip's statement, keyed by fuzz/reference.hpp: one per IPv4 client (however
//   IPv6 spells it), three per other IPv6 address (its /64 with 5 tokens, /56 with 4 times as
//   many, /48 with 16 times), all four operations drawing on the same ones, all of a request's
//   or none, refilled on the monotonic clock, which wall-clock steps do not move;
// - past the limit, sign_in_anonymous refuses broken text with 400 and a guest's own session
//   with 400, and otherwise creates a guest whose session stores the address and agent byte for
//   byte; the sign-ups and sign-ins refuse what their rules refuse, sign in the model's user,
//   and link the request's guest (deleting it and its sessions);
// - a refusal leaves the user count unchanged, no answer is a 500, no exception escapes.
#include "common.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace fuzz;

using limiter = aa::per_ip<5, std::chrono::seconds>;
template <class Storage>
using session_auth = auth_t<Storage, aa::rate_limit<limiter>>;

/// aa::per_ip's budgets as documented: N = 5 a second for one address (IPv4, an IPv6 /64,
/// unknown), 4 times that for an IPv6 /56, 16 times for a /48. The model keeps its own numbers,
/// the library's named constants must say the same.
constexpr std::int64_t per_second = 5;
constexpr std::array<std::int64_t, 3> ipv6_factors = {1, 4, 16};
static_assert(limiter::ipv6_56_factor == ipv6_factors[1] && limiter::ipv6_48_factor == ipv6_factors[2]);

/// The steps of one input, and the most requests of a burst (see burst()).
constexpr int max_steps = 24;
constexpr int max_burst = 100;  // a /48 holds 80 tokens

/// The model holds at most this many buckets before the auth is rebuilt, between inputs. One
/// input adds at most three per step from arbitrary addresses, plus the 62 keys of the IPv6
/// clients of ipv6_client() (50 /64s, 10 /56s, 2 /48s) whatever their number of requests. The
/// limiter's shards hold capacity / shards (4096) entries each, so even if every bucket landed
/// in one shard nothing would be evicted: the model need not follow eviction, and new buckets
/// always start full. (The model also keeps buckets the limiter does not store, new full ones of
/// refused requests: it counts at least as many as the limiter.)
constexpr std::size_t max_model_buckets = 2000;
static_assert(max_model_buckets + 3 * max_steps + 62 <= limiter::capacity / limiter::shards);

constexpr std::int64_t lifetime_ms = std::chrono::milliseconds(std::chrono::days{7}).count();
constexpr std::int64_t update_age_ms = std::chrono::milliseconds(std::chrono::days{1}).count();

struct model_session {
  std::string token;
  std::string user_id;
  std::int64_t expires_ms = 0;
  std::string ip_address;
  std::string user_agent;
};

/// A token bucket in thousandths of a token: one of `size` tokens refills continuously at `size`
/// a second, so gains `size` thousandths a millisecond.
struct bucket {
  std::int64_t milli_tokens = 0;
  std::int64_t last_ms = 0;
};

struct model {
  std::vector<model_session> sessions;          // the sessions the sequence may present again
  std::map<std::string, bool> users;            // id -> is_anonymous, every user of the auth
  std::map<std::string, std::string> accounts;  // lower-case email -> user id, of every sign-up
  std::map<reference::rate_limit_key, bucket> buckets;
  std::int64_t steady_ms = 0;                   // the limiter's clock: moved by clock steps only
  std::size_t sign_ups = 0;
  std::size_t social_sign_ins = 0;

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

  /// A guest and its sessions gone, linked by a sign-in or sign-up.
  void forget_user(const std::string& id) {
    users.erase(id);
    std::erase_if(sessions, [&](const model_session& each) { return each.user_id == id; });
  }

  /// Takes a token from every bucket of `ip` at steady_ms, or from none: nothing if each had
  /// one, else the longest wait, in milliseconds, of those that had none.
  std::optional<std::int64_t> acquire(const std::string& ip) {
    const auto keys = reference::keys_of(ip);
    std::vector<bucket> now(keys.size());
    std::int64_t wait = 0;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const std::int64_t size = per_second * (keys.size() == 3 ? ipv6_factors[i] : 1);
      const auto found = buckets.find(keys[i]);
      bucket b = found != buckets.end() ? found->second : bucket{1000 * size, steady_ms};
      if (steady_ms > b.last_ms) {
        b.milli_tokens = std::min(1000 * size, b.milli_tokens + (steady_ms - b.last_ms) * size);
        b.last_ms = steady_ms;
      }
      if (b.milli_tokens < 1000) wait = std::max(wait, (1000 - b.milli_tokens + size - 1) / size);
      now[i] = b;
    }
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (wait == 0) now[i].milli_tokens -= 1000;
      buckets[keys[i]] = now[i];
    }
    if (wait == 0) return std::nullopt;
    return wait;
  }
};

template <class Storage>
struct state {
  auth_slot<session_auth<Storage>> slot;
  model m;
  std::optional<std::int64_t> wall_offset;  // wall minus steady time before any wall step
};

std::int64_t now_ms(const fixtures::manual_clock& clock) { return clock.now().time_since_epoch().count(); }
std::int64_t steady_ms(const fixtures::manual_clock& clock) { return clock.steady_now().time_since_epoch().count(); }

std::string hex(unsigned value) {
  char out[16];
  std::snprintf(out, sizeof(out), "%x", value);
  return out;
}

/// An IPv6 client: host `host` of /64 number `net64` (0 to 4) of /56 number `net56` (0 to 4) of
/// the /48 2001:db8:<net48>:: (net48 0xa or 0xb). Five /64s a /56 and five /56s a /48, so that
/// a /56 can run out before its /64s do, and a /48 before its /56s.
std::string ipv6_client(unsigned net48, unsigned net56, unsigned net64, std::uint16_t host) {
  return "2001:db8:" + hex(net48) + ":" + hex(net56 << 8 | net64) + "::" + hex(host);
}

/// A client address: an ipv6_client(), one IPv4 client spelled as IPv4, mapped, NAT64, 6to4 or
/// Teredo (with fuzzed bits beside its address, which must not matter), or common.hpp's
/// addresses (garbage and the empty string included).
std::string client_address(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange(0, 4)) {
    case 0:
    case 1: {
      const auto net48 = in.ConsumeIntegralInRange(0xau, 0xbu);
      const auto net56 = in.ConsumeIntegralInRange(0u, 4u);
      const auto net64 = in.ConsumeIntegralInRange(0u, 4u);
      return ipv6_client(net48, net56, net64, in.ConsumeIntegral<std::uint16_t>());
    }
    case 2:
      // 198.51.100.9 = c633:6409; inverted (Teredo), 39cc:9bf6.
      switch (in.ConsumeIntegralInRange(0, 5)) {
        case 0: return "198.51.100.9";
        case 1: return "::ffff:198.51.100.9";
        case 2: return "64:ff9b::c633:6409";
        case 3: return "64:ff9b::198.51.100.9";
        case 4:
          return "2002:c633:6409:" + hex(in.ConsumeIntegral<std::uint16_t>()) + "::" +
                 hex(in.ConsumeIntegral<std::uint16_t>());
        default:
          return "2001:0:" + hex(in.ConsumeIntegral<std::uint16_t>()) + ":" + hex(in.ConsumeIntegral<std::uint16_t>()) +
                 ":" + hex(in.ConsumeIntegral<std::uint16_t>()) + ":" + hex(in.ConsumeIntegral<std::uint16_t>()) +
                 ":39cc:9bf6";
      }
    default: return ip_address(in);
  }
}

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
    // An expired session presented is deleted: a wall clock set back later does not revive it.
    if (token)
      std::erase_if(m.sessions, [&](const model_session& each) { return each.token == *token && each.expires_ms < now; });
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

/// A refusal of a credential operation the model expects: `wait` (the limit's, first) or one of
/// `expected`. The limit's 429 carries the model's wait, in seconds rounded up, as Retry-After.
template <class T, class Auth>
void require_refusal(Auth& auth, const model& m, const aa::result<T>& r, std::optional<std::int64_t> wait,
                     refusals expected, const std::string& context) {
  if (wait) {
    expected = refusals{};
    expected.add(aa::errors::too_many_requests);
  }
  require_refused_as(r, expected, context);
  if (wait) {
    const auto retry = r.error().retry_after();
    const std::int64_t seconds = (*wait + 999) / 1000;
    FUZZ_REQUIRE(retry && retry->count() == seconds,
                 context + ": Retry-After " + (retry ? std::to_string(retry->count()) : "none") + ", wait " +
                     std::to_string(*wait) + " ms");
  }
  require_user_count(auth, m, context);
}

/// A successful sign-in or sign-up from `request`: a real user's session, which joins the model;
/// `guest`, whose session the request carried, is linked, so gone with its sessions.
template <class Auth>
void signed_in(Auth& auth, model& m, std::int64_t now, const aa::result<aa::signed_in<user>>& r,
               const aa::request_context& request, const std::optional<std::string>& guest,
               const std::string& context) {
  FUZZ_REQUIRE(!r->user.is_anonymous && r->session.user_id == r->user.id, context + ": not a user's session");
  FUZZ_REQUIRE(r->session.ip_address == request.ip_address && r->session.user_agent == request.user_agent,
               context + ": the session's address or agent differs from the request's");
  FUZZ_REQUIRE(r->session.expires_at.time_since_epoch().count() == now + lifetime_ms, context + ": expiry");
  check_stored_user(r->user);
  m.users[r->user.id] = false;
  if (guest) m.forget_user(*guest);
  m.sessions.push_back({r->token, r->user.id, now + lifetime_ms, request.ip_address, request.user_agent});
  require_user_count(auth, m, context);
}

/// The guest whose valid session `request` carries, if any.
std::optional<std::string> guest_on(model& m, const aa::request_context& request, std::int64_t now) {
  const model_session* s = m.valid(request.session_token, now);
  if (s && m.users.at(s->user_id)) return s->user_id;
  return std::nullopt;
}

template <class Auth>
void sign_in_anonymous(Auth& auth, model& m, std::int64_t now, aa::request_context request) {
  const std::string context = "sign_in_anonymous(ip " + printable(request.ip_address) + ", agent " +
                              printable(request.user_agent) + ", token " + printable(request.session_token) + ")";
  // The order of the checks: the rate limit, the request's text, the guest's own session.
  const std::optional<std::int64_t> wait = m.acquire(request.ip_address);
  const bool text_ok = request_ok(request);
  const bool own_guest = guest_on(m, request, now).has_value();
  auto r = auth.sign_in_anonymous(request);
  if (wait || !text_ok || own_guest) {
    refusals expected;
    if (!text_ok) expected.add(aa::errors::invalid_input);
    else expected.add(aa::errors::anonymous_users_cannot_sign_in_again_anonymously);
    require_refusal(auth, m, r, wait, expected, context);
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

/// sign_up_email with a fresh email, or (a quarter of the time) one that is no email: the limit
/// comes before the body is looked at, so that one costs a token too.
template <class Auth>
void sign_up(Auth& auth, model& m, std::int64_t now, FuzzedDataProvider& in, const aa::request_context& request) {
  const bool valid_email = in.ConsumeIntegralInRange(0, 3) != 0;
  const std::string email = valid_email ? "user" + std::to_string(++m.sign_ups) + "@example.com" : "not-an-email";
  const std::string context = "sign_up_email(" + email + ", ip " + printable(request.ip_address) + ", token " +
                              printable(request.session_token) + ")";
  const std::optional<std::int64_t> wait = m.acquire(request.ip_address);
  const std::optional<std::string> guest = guest_on(m, request, now);
  auto r = auth.sign_up_email(fixtures::sign_up_body(email), request);
  refusals expected;
  if (!valid_email) expected.add(aa::errors::invalid_email);
  else if (!request_ok(request)) expected.add(aa::errors::invalid_input);
  if (wait || !expected.empty()) {
    require_refusal(auth, m, r, wait, expected, context);
    return;
  }
  FUZZ_REQUIRE(r.has_value(), context + ": refused: " + outcome(r));
  FUZZ_REQUIRE(r->user.email == email, context + ": stored email " + printable(r->user.email));
  m.accounts[email] = r->user.id;
  signed_in(auth, m, now, r, request, guest, context);
}

/// sign_in_email with a signed-up email (as stored, or in capitals), an unknown one or no email,
/// and the right password or a wrong one.
template <class Auth>
void sign_in_email(Auth& auth, model& m, std::int64_t now, FuzzedDataProvider& in, const aa::request_context& request) {
  std::string email;
  const int pick = in.ConsumeIntegralInRange(0, 4);  // 0-1 signed up, 2 in capitals, 3 unknown, 4 no email
  if (pick <= 2 && !m.accounts.empty()) {
    const auto at = in.ConsumeIntegralInRange<std::ptrdiff_t>(0, static_cast<std::ptrdiff_t>(m.accounts.size()) - 1);
    email = std::next(m.accounts.begin(), at)->first;
    if (pick == 2)
      for (char& c : email)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  } else {
    email = pick == 4 ? "not-an-email" : "nobody@example.com";
  }
  const bool right_password = in.ConsumeBool();
  const aa::email_sign_in body{email, right_password ? std::string(fixtures::test_password) : "wrong-password-1"};
  const std::string context = "sign_in_email(" + email + ", " + (right_password ? "right" : "wrong") +
                              " password, ip " + printable(request.ip_address) + ", token " +
                              printable(request.session_token) + ")";
  const std::optional<std::int64_t> wait = m.acquire(request.ip_address);
  const std::optional<std::string> guest = guest_on(m, request, now);
  const auto account = m.accounts.find(reference::lower_ascii(email));
  auto r = auth.sign_in_email(body, request);
  refusals expected;
  if (pick == 4) expected.add(aa::errors::invalid_email);
  else if (!request_ok(request)) expected.add(aa::errors::invalid_input);
  else if (account == m.accounts.end() || !right_password) expected.add(aa::errors::invalid_email_or_password);
  if (wait || !expected.empty()) {
    require_refusal(auth, m, r, wait, expected, context);
    return;
  }
  FUZZ_REQUIRE(r.has_value(), context + ": refused: " + outcome(r));
  FUZZ_REQUIRE(r->user.id == account->second, context + ": signed in another user");
  signed_in(auth, m, now, r, request, guest, context);
}

/// sign_in_social with a fresh profile (a new user), or a `valid` = false one with no account id.
template <class Auth>
void sign_in_social(Auth& auth, model& m, std::int64_t now, bool valid, const aa::request_context& request) {
  const std::string n = std::to_string(++m.social_sign_ins);
  const auto profile = fixtures::google_profile(valid ? "acct-" + n : "", "social" + n + "@example.com");
  const std::string context = "sign_in_social(account " + printable(profile.account_id) + ", ip " +
                              printable(request.ip_address) + ", token " + printable(request.session_token) + ")";
  const std::optional<std::int64_t> wait = m.acquire(request.ip_address);
  const std::optional<std::string> guest = guest_on(m, request, now);
  auto r = auth.sign_in_social(profile, request);
  refusals expected;
  if (!valid) expected.add(aa::errors::invalid_social_profile);
  else if (!request_ok(request)) expected.add(aa::errors::invalid_input);
  if (wait || !expected.empty()) {
    require_refusal(auth, m, r, wait, expected, context);
    return;
  }
  FUZZ_REQUIRE(r.has_value(), context + ": refused: " + outcome(r));
  signed_in(auth, m, now, r, request, guest, context);
}

/// Up to max_burst requests from one IPv6 /56 or /48 with no clock step between: what drains
/// the wider buckets. The /64s follow a stride the input chooses, so that a short input spreads
/// a burst over many of them (or keeps it on one). Mostly social sign-ins with no account id
/// (refused after the limit is taken: cheap, and they create nobody), some anonymous sign-ins.
template <class Auth>
void burst(Auth& auth, model& m, std::int64_t now, FuzzedDataProvider& in) {
  const auto net48 = in.ConsumeIntegralInRange(0xau, 0xbu);
  const bool whole_48 = in.ConsumeBool();
  const auto net56 = in.ConsumeIntegralInRange(0u, 4u);
  const auto first = in.ConsumeIntegralInRange(0u, 24u);
  const auto stride = in.ConsumeIntegralInRange(0u, 24u);
  const int count = in.ConsumeIntegralInRange(1, max_burst);
  for (int i = 0; i < count; ++i) {
    const unsigned at = (first + static_cast<unsigned>(i) * stride) % 25;  // one of a /48's 25 /64s
    const aa::request_context request{
        std::nullopt, ipv6_client(net48, whole_48 ? at / 5 : net56, at % 5, static_cast<std::uint16_t>(i + 1)),
        "anonauth-fuzz/1.0"};
    if (in.ConsumeIntegralInRange(0, 3) == 3) sign_in_anonymous(auth, m, now, request);
    else sign_in_social(auth, m, now, false, request);
  }
}

template <class Storage>
void run(FuzzedDataProvider& in) {
  static state<Storage> s;
  if (s.m.buckets.size() > max_model_buckets) s.slot.auth.reset();
  if (s.slot.refresh(3000, 3000)) {
    s.m = model{};
    s.m.steady_ms = steady_ms(s.slot.clock);
  }
  auto& auth = *s.slot.auth;
  model& m = s.m;
  for (int step = 0; step < max_steps && in.remaining_bytes() > 0; ++step) {
    const std::int64_t now = now_ms(s.slot.clock);
    FUZZ_REQUIRE(steady_ms(s.slot.clock) == m.steady_ms, "the clock's steady time is the model's");
    const int op = in.ConsumeIntegralInRange(0, 11);
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
        request.ip_address = client_address(in);
        request.user_agent = user_agent(in);
        sign_in_anonymous(auth, m, now, request);
        break;
      case 6:
        request.ip_address = client_address(in);
        sign_up(auth, m, now, in, request);
        break;
      case 7: {
        // Mostly small steps (the rate limiter's scale), sometimes days (sessions' scale). Both
        // clocks move.
        const std::int64_t ms = in.ConsumeBool() ? in.ConsumeIntegralInRange<std::int64_t>(0, 3000)
                                                 : in.ConsumeIntegralInRange<std::int64_t>(0, 9 * 86'400'000LL);
        s.slot.clock.advance(std::chrono::milliseconds{ms});
        m.steady_ms += ms;
        break;
      }
      case 8:
        request.ip_address = client_address(in);
        sign_in_email(auth, m, now, in, request);
        break;
      case 9:
        request.ip_address = client_address(in);
        sign_in_social(auth, m, now, in.ConsumeIntegralInRange(0, 3) != 0, request);
        break;
      case 10: burst(auth, m, now, in); break;
      default: {
        // The wall clock stepped alone, back or forward (an operator, NTP): sessions see it, the
        // rate limit must not. Kept within 9 days of where the steps alone would have it.
        if (!s.wall_offset) s.wall_offset = now - steady_ms(s.slot.clock);
        const std::int64_t base = *s.wall_offset + m.steady_ms;
        const std::int64_t drift = in.ConsumeBool() ? in.ConsumeIntegralInRange<std::int64_t>(-5000, 5000)
                                                    : in.ConsumeIntegralInRange<std::int64_t>(-9 * 86'400'000LL,
                                                                                               9 * 86'400'000LL);
        s.slot.clock.set(aa::timestamp{std::chrono::milliseconds{base + drift}});
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
    fuzz::on_chosen_storage(in, [&]<class Storage>() { run<Storage>(in); });
  });
}
