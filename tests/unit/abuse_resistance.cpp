// What a client on the network cannot make the core do: sign in without limit, hash without
// bound, link a guest into an account that did not ask for it, keep a session forever, or sign
// in against a hash of a lower cost than today's. Each case fails on a core without the defence.
// (The limiter's own keys and buckets: rate_limit.cpp; the HTTP layer's checks: tests/http.)
#include "catch.hpp"
#include "fixtures.hpp"
#include "storages.hpp"
#include "threads.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

using namespace fixtures;
using namespace std::chrono_literals;

namespace {

/// fast_hasher, counting its calls; copies share the counts.
struct counting_hasher {
  struct counts {
    std::atomic<int> hashes{0};
    std::atomic<int> verifications{0};
  };
  std::shared_ptr<counts> seen = std::make_shared<counts>();
  fast_hasher inner;

  [[nodiscard]] std::string hash(std::string_view password) const {
    ++seen->hashes;
    return inner.hash(password);
  }
  [[nodiscard]] bool verify(std::string_view encoded, std::string_view password) const {
    ++seen->verifications;
    return inner.verify(encoded, password);
  }
};

/// Every event, kept; copies share the list.
struct event_log {
  using event = std::variant<aa::events::signed_in, aa::events::sign_in_failed, aa::events::signed_up,
                             aa::events::signed_out, aa::events::sessions_revoked, aa::events::request_refused,
                             aa::events::guest_created, aa::events::guest_promoted, aa::events::link_failed,
                             aa::events::guest_deleted, aa::events::guests_purged>;
  std::shared_ptr<std::vector<event>> events = std::make_shared<std::vector<event>>();
  std::shared_ptr<std::mutex> m = std::make_shared<std::mutex>();
  std::shared_ptr<int> linked = std::make_shared<int>(0);

  void operator()(const aa::events::guest_linked&) {
    const std::lock_guard lock(*m);
    ++*linked;
  }
  template <class Event>
  void operator()(const Event& e) {
    const std::lock_guard lock(*m);
    events->push_back(e);
  }
  template <class Event>
  [[nodiscard]] std::vector<Event> all() const {
    const std::lock_guard lock(*m);
    std::vector<Event> out;
    for (const auto& e : *events)
      if (const auto* x = std::get_if<Event>(&e)) out.push_back(*x);
    return out;
  }
};

aa::request_context from(std::string ip, std::optional<std::string> token = std::nullopt) {
  return aa::request_context{std::move(token), std::move(ip), "ua"};
}

/// The seed's auth with the manual clock and the hasher H.
template <class H, class... Options>
using hashed_auth = aa::anonymous_auth<app_schema, aa::link<seed_link>, aa::clock<manual_clock>, aa::password_hasher<H>,
                                       Options...>;

template <class... Options>
using limited_auth = hashed_auth<counting_hasher, aa::rate_limit<aa::credential_limits>, aa::audit<event_log>, Options...>;

}  // namespace

// --- 1. every credential operation is rate limited -------------------------------------------------

TEST_CASE("abuse.email_sign_in_is_limited_per_address_before_any_hash", "[abuse][rate_limit]") {
  manual_clock clock;
  counting_hasher hasher;
  event_log log;
  limited_auth<> auth{{}, clock, hasher, log};
  REQUIRE(auth.sign_up_email(sign_up_body("victim@example.com"), from("198.51.100.9")));
  const int hashes = hasher.seen->hashes;

  // Better Auth's production rule: 3 per 10 s per address on /sign-in/*.
  int refused = 0;
  for (int i = 0; i < 200; ++i) {
    auto r = auth.sign_in_email({"victim@example.com", "wrong-password-" + std::to_string(i)}, from("203.0.113.50"));
    REQUIRE_FALSE(r);
    if (r.error().code() == "TOO_MANY_REQUESTS") {
      ++refused;
      REQUIRE(r.error().status() == 429);
      REQUIRE(r.error().retry_after() >= std::optional<std::chrono::seconds>(1s));
    } else {
      REQUIRE(r.error().code() == "INVALID_EMAIL_OR_PASSWORD");
    }
  }
  CHECK(refused == 197);
  CHECK(hasher.seen->verifications == 3);  // a refusal costs no hash
  CHECK(hasher.seen->hashes == hashes);

  const auto refusals = log.all<aa::events::request_refused>();
  REQUIRE(refusals.size() == 197);
  CHECK(refusals[0].operation == aa::credential_operation::email_sign_in);
  CHECK(refusals[0].code == "TOO_MANY_REQUESTS");
  CHECK(refusals[0].ip_address == "203.0.113.50");
  const auto failures = log.all<aa::events::sign_in_failed>();
  REQUIRE(failures.size() == 3);
  CHECK(failures[0].user_id.has_value());
  CHECK(failures[0].code == "INVALID_EMAIL_OR_PASSWORD");

  // Ten seconds later the address has its budget back, and the right password works.
  clock.advance(10s);
  CHECK(auth.sign_in_email({"victim@example.com", std::string(test_password)}, from("203.0.113.50")));
}

TEST_CASE("abuse.email_sign_in_is_limited_per_email_across_addresses", "[abuse][rate_limit]") {
  manual_clock clock;
  counting_hasher hasher;
  limited_auth<> auth{{}, clock, hasher};
  REQUIRE(auth.sign_up_email(sign_up_body("victim@example.com"), from("198.51.100.9")));
  // A botnet: every guess from another address, so no address runs out.
  int checked = 0;
  for (int i = 0; i < 100; ++i) {
    auto r = auth.sign_in_email({"Victim@Example.com", "guess-" + std::to_string(i)},
                                from("10.0." + std::to_string(i / 200) + "." + std::to_string(i % 200 + 1)));
    REQUIRE_FALSE(r);
    if (r.error().code() == "INVALID_EMAIL_OR_PASSWORD") ++checked;
    else REQUIRE(r.error().code() == "TOO_MANY_REQUESTS");
  }
  CHECK(checked == 10);  // per email: 10 per 10 minutes, whatever the letter case
  CHECK(hasher.seen->verifications == 10);
  // Another email is not affected.
  CHECK(auth.sign_in_email({"nobody@example.com", "guess"}, from("10.9.9.9")).error().code() ==
        "INVALID_EMAIL_OR_PASSWORD");
}

TEST_CASE("abuse.sign_up_social_and_anonymous_sign_in_are_limited", "[abuse][rate_limit]") {
  manual_clock clock;
  counting_hasher hasher;
  limited_auth<> auth{{}, clock, hasher};
  const int hashes_before = hasher.seen->hashes;
  for (int i = 0; i < 3; ++i) REQUIRE(auth.sign_up_email(sign_up_body("u" + std::to_string(i) + "@example.com"), from("198.51.100.1")));
  auto up = auth.sign_up_email(sign_up_body("u9@example.com"), from("198.51.100.1"));
  REQUIRE_FALSE(up);
  CHECK(up.error().code() == "TOO_MANY_REQUESTS");
  CHECK(hasher.seen->hashes == hashes_before + 3);

  for (int i = 0; i < 3; ++i) REQUIRE(auth.sign_in_social(google_profile("g" + std::to_string(i), "g" + std::to_string(i) + "@example.com"), from("198.51.100.2")));
  CHECK(auth.sign_in_social(google_profile("g9", "g9@example.com"), from("198.51.100.2")).error().code() == "TOO_MANY_REQUESTS");

  for (int i = 0; i < 3; ++i) REQUIRE(auth.sign_in_anonymous(from("198.51.100.3")));
  CHECK(auth.sign_in_anonymous(from("198.51.100.3")).error().code() == "TOO_MANY_REQUESTS");
  // Each operation has its own budget: the address that used up sign-ups may still sign in.
  CHECK(auth.sign_in_anonymous(from("198.51.100.1")));
}

TEST_CASE("abuse.each_limit_is_configurable", "[abuse][rate_limit]") {
  manual_clock clock;
  aa::credential_limits_config config;
  config.anonymous_sign_in = {1, std::chrono::minutes{1}};
  config.email_sign_in = {0, 1s};  // off
  limited_auth<> auth{{}, clock, aa::credential_limits{config}};
  REQUIRE(auth.sign_in_anonymous(from("198.51.100.1")));
  auto refused = auth.sign_in_anonymous(from("198.51.100.1"));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().retry_after() == std::optional<std::chrono::seconds>(60s));
  // No per-address limit on email sign-in now; the per-email rule still holds.
  int checked = 0;
  for (int i = 0; i < 20; ++i)
    if (auth.sign_in_email({"x@example.com", "pw"}, from("198.51.100.1")).error().code() == "INVALID_EMAIL_OR_PASSWORD")
      ++checked;
  CHECK(checked == 10);
}

TEST_CASE("abuse.limits_run_on_the_monotonic_clock", "[abuse][rate_limit]") {
  // The wall clock stepped back an hour (NTP, an operator) must not lock returning clients out.
  manual_clock clock;
  limited_auth<> auth{{}, clock};
  for (int i = 0; i < 3; ++i) REQUIRE(auth.sign_in_anonymous(from("198.51.100.1")));
  REQUIRE_FALSE(auth.sign_in_anonymous(from("198.51.100.1")));
  clock.set(clock.now() - std::chrono::hours{1});
  clock.advance(10s);
  CHECK(auth.sign_in_anonymous(from("198.51.100.1")));
  // ...and stepped forward a day frees nobody.
  for (int i = 0; i < 2; ++i) REQUIRE(auth.sign_in_anonymous(from("198.51.100.1")));
  clock.set(clock.now() + std::chrono::days{1});
  CHECK_FALSE(auth.sign_in_anonymous(from("198.51.100.1")));
}

// --- 2. bounded hashing --------------------------------------------------------------------------

namespace {

/// A hasher that holds every call until released, and records how many ran at once.
struct gated_hasher {
  struct state {
    std::mutex m;
    std::condition_variable cv;
    bool open = false;
    int running = 0;
    int most = 0;
    int calls = 0;
  };
  std::shared_ptr<state> s = std::make_shared<state>();
  fast_hasher inner;

  void hold() const {
    std::unique_lock lock(s->m);
    ++s->calls;
    s->most = std::max(s->most, ++s->running);
    s->cv.notify_all();
    s->cv.wait(lock, [&] { return s->open; });
    --s->running;
  }
  [[nodiscard]] std::string hash(std::string_view password) const {
    hold();
    return inner.hash(password);
  }
  [[nodiscard]] bool verify(std::string_view encoded, std::string_view password) const {
    hold();
    return inner.verify(encoded, password);
  }
  void open() const {
    const std::lock_guard lock(s->m);
    s->open = true;
    s->cv.notify_all();
  }
  bool wait_for_calls(int n) const {
    std::unique_lock lock(s->m);
    return s->cv.wait_for(lock, 10s, [&] { return s->calls >= n; });
  }
};

using gated_auth = hashed_auth<gated_hasher>;

}  // namespace

TEST_CASE("abuse.no_burst_hashes_more_than_the_bound_at_once", "[abuse][hashing][threads]") {
  manual_clock clock;
  gated_hasher hasher;
  hasher.open();
  gated_auth auth{{}, clock, hasher, aa::hashing_limits{.in_flight = 2, .max_wait = 10s}};
  {
    const std::lock_guard lock(hasher.s->m);
    hasher.s->open = false;
    hasher.s->calls = 0;
  }
  // Two sign-ins hold both slots; the other 14 wait (a wait past the bound: the next case).
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 16; ++i)
    threads.emplace_back([&, i] {
      auto r = auth.sign_in_email({"nobody" + std::to_string(i) + "@example.com", "pw"}, from("198.51.100.1"));
      if (!r && r.error().code() == "INVALID_EMAIL_OR_PASSWORD") ++ok;
    });
  REQUIRE(hasher.wait_for_calls(2));
  std::this_thread::sleep_for(100ms);  // room for a third to slip through, if the bound leaked
  {
    const std::lock_guard lock(hasher.s->m);
    CHECK(hasher.s->running == 2);
  }
  hasher.open();
  for (auto& t : threads) t.join();
  CHECK(ok == 16);  // each waited its turn: nothing refused within the 10 s wait
  CHECK(hasher.s->most == 2);
}

TEST_CASE("abuse.a_sign_in_that_waits_too_long_is_server_busy_and_hashes_nothing", "[abuse][hashing][threads]") {
  manual_clock clock;
  gated_hasher hasher;
  hasher.open();
  event_log log;
  hashed_auth<gated_hasher, aa::audit<event_log>> auth{
      {}, clock, hasher, log, aa::hashing_limits{.in_flight = 1, .max_wait = 50ms}};
  {
    const std::lock_guard lock(hasher.s->m);
    hasher.s->open = false;
    hasher.s->calls = 0;
  }
  std::thread first([&] { (void)auth.sign_up_email(sign_up_body("first@example.com"), from("198.51.100.1")); });
  REQUIRE(hasher.wait_for_calls(1));
  auto second = auth.sign_up_email(sign_up_body("second@example.com"), from("198.51.100.2"));
  auto third = auth.sign_in_email({"first@example.com", "pw"}, from("198.51.100.3"));
  {
    const std::lock_guard lock(hasher.s->m);
    CHECK(hasher.s->calls == 1);  // neither refused request reached the hasher
  }
  hasher.open();
  first.join();
  REQUIRE_REFUSED(second, "SERVER_BUSY", "Too many sign-ins are in progress. Please try again shortly.", 503);
  CHECK(second.error().retry_after() == std::optional<std::chrono::seconds>(1s));
  REQUIRE_FALSE(third);
  CHECK(third.error().code() == "SERVER_BUSY");
  CHECK(user_count(auth) == 1);
  const auto refusals = log.all<aa::events::request_refused>();
  REQUIRE(refusals.size() == 2);
  CHECK(refusals[0].code == "SERVER_BUSY");
  CHECK(refusals[0].operation == aa::credential_operation::email_sign_up);
  CHECK(refusals[1].operation == aa::credential_operation::email_sign_in);
}

TEST_CASE("abuse.the_unknown_email_hash_is_made_at_construction", "[abuse][hashing]") {
  // Lazily, the first unknown-email sign-in paid two hashes: its timing told the email unknown.
  manual_clock clock;
  counting_hasher hasher;
  hashed_auth<counting_hasher> auth{{}, clock, hasher};
  CHECK(hasher.seen->hashes == 1);
  REQUIRE_FALSE(auth.sign_in_email({"nobody@example.com", "pw"}, no_session()));
  REQUIRE_FALSE(auth.sign_in_email({"nobody2@example.com", "pw"}, no_session()));
  CHECK(hasher.seen->hashes == 1);
  CHECK(hasher.seen->verifications == 2);
}

// --- 4. linking that cannot be forced ----------------------------------------------------------------

namespace {

/// A guest with a cart item and a location, as an attacker would prepare one.
template <class Auth>
aa::signed_in<user> planted_guest(Auth& auth) {
  auto guest = auth.sign_in_anonymous(from("192.0.2.66"));
  REQUIRE(guest);
  auth.template table<cart_item>().insert(cart_item{"planted-item", guest->user.id, "sku-planted", 1});
  REQUIRE(auth.update_user(from("192.0.2.66", guest->token), [](user& u) { u.location = "attacker-town"; }));
  return *guest;
}

}  // namespace

TEMPLATE_TEST_CASE("abuse.by_default_a_session_alone_links_as_in_better_auth", "[abuse][link]", ANONAUTH_TEST_STORAGES) {
  // The attack strict linking stops: a guest cookie planted on the victim's browser is linked
  // at the victim's own sign-in, writing the attacker's fields and rows into their account.
  manual_clock clock;
  test_auth<aa::storage<TestType>> auth{storages::fresh_config<TestType>("link-default"), clock};
  REQUIRE(auth.sign_up_email(sign_up_body("victim@example.com"), no_session()));
  const auto planted = planted_guest(auth);
  auto victim = auth.sign_in_email({"victim@example.com", std::string(test_password)}, with_token(planted.token));
  REQUIRE(victim);
  CHECK(victim->user.location == std::optional<std::string>("attacker-town"));
  CHECK(auth.template table<cart_item>().find("planted-item")->user_id == victim->user.id);
}

TEMPLATE_TEST_CASE("abuse.strict_linking_links_only_when_the_sign_in_asks", "[abuse][link]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  test_auth<aa::storage<TestType>, aa::strict_linking> auth{storages::fresh_config<TestType>("link-strict"), clock};
  static_assert(decltype(auth)::links_only_when_asked);
  REQUIRE(auth.sign_up_email(sign_up_body("victim@example.com"), no_session()));

  // A planted guest cookie alone: the sign-in succeeds and links nothing.
  const auto planted = planted_guest(auth);
  auto victim = auth.sign_in_email({"victim@example.com", std::string(test_password)}, with_token(planted.token));
  REQUIRE(victim);
  CHECK(victim->user.location == std::nullopt);
  CHECK(auth.template table<cart_item>().find("planted-item")->user_id == planted.user.id);
  CHECK(auth.find_user(planted.user.id).has_value());

  // The same for sign-up and social sign-in.
  auto up = auth.sign_up_email(sign_up_body("second@example.com"), with_token(planted.token));
  REQUIRE(up);
  CHECK(up->user.location == std::nullopt);
  auto social = auth.sign_in_social(google_profile("g-1", "social@example.com"), with_token(planted.token));
  REQUIRE(social);
  CHECK(auth.template table<cart_item>().find("planted-item")->user_id == planted.user.id);

  // The user's own guest, with the request asking: linked.
  auto mine = auth.sign_in_anonymous(no_session());
  REQUIRE(mine);
  auth.template table<cart_item>().insert(cart_item{"my-item", mine->user.id, "sku-mine", 2});
  aa::request_context asking = with_token(mine->token);
  asking.link_guest = true;
  auto linked = auth.sign_in_email({"victim@example.com", std::string(test_password)}, asking);
  REQUIRE(linked);
  CHECK(auth.template table<cart_item>().find("my-item")->user_id == linked->user.id);
  CHECK_FALSE(auth.find_user(mine->user.id).has_value());
}

// --- 6. the lows ---------------------------------------------------------------------------------

namespace {
/// Sessions of a day, extended on every use, ended three days after they began whatever happens.
struct bounded_sessions {
  static constexpr std::chrono::seconds lifetime{std::chrono::days{1}};
  static constexpr std::chrono::seconds update_age{0};
  static constexpr std::chrono::seconds absolute_lifetime{std::chrono::days{3}};
};
}  // namespace

TEMPLATE_TEST_CASE("abuse.sessions_end_at_their_absolute_lifetime", "[abuse][sessions]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  test_auth<aa::storage<TestType>, aa::sessions<bounded_sessions>> auth{storages::fresh_config<TestType>("absolute"), clock};
  STATIC_REQUIRE(decltype(auth)::session_absolute_lifetime == std::chrono::days{3});
  STATIC_REQUIRE(default_auth::session_absolute_lifetime == 0s);  // Better Auth's rule: none
  auto up = auth.sign_up_email(sign_up_body("a@example.com"), no_session());
  REQUIRE(up);
  const auto began = clock.now();
  // Used every 12 hours: without the bound it would slide forever.
  for (int i = 0; i < 5; ++i) {
    clock.advance(std::chrono::hours{12});
    auto s = auth.get_session(up->token);
    REQUIRE(s);
    CHECK(s->session.expires_at <= began + std::chrono::days{3});
  }
  clock.advance(std::chrono::hours{12});  // day 3: the end, however used
  auto last = auth.get_session(up->token);
  REQUIRE(last);
  CHECK(last->session.expires_at == began + std::chrono::days{3});
  clock.advance(1ms);
  CHECK_FALSE(auth.get_session(up->token));
  // Without the bound, the same use keeps it alive.
  manual_clock clock2;
  test_auth<aa::storage<aa::memory_storage>> sliding{{}, clock2};
  auto other = sliding.sign_up_email(sign_up_body("b@example.com"), no_session());
  REQUIRE(other);
  for (int i = 0; i < 30; ++i) {
    clock2.advance(std::chrono::days{1});
    REQUIRE(sliding.get_session(other->token));
  }
}

namespace {
/// A hasher whose cost is a number in the hash: "cost<N>$<password>". Not a real hash; enough
/// to see which cost a stored hash was made at.
struct costed_hasher {
  int cost = 2;
  [[nodiscard]] std::string hash(std::string_view password) const {
    return "cost" + std::to_string(cost) + "$" + std::string(password);
  }
  [[nodiscard]] bool verify(std::string_view encoded, std::string_view password) const {
    const auto sep = encoded.find('$');
    return sep != std::string_view::npos && encoded.substr(sep + 1) == password;
  }
  [[nodiscard]] bool needs_rehash(std::string_view encoded) const {
    return encoded.substr(0, encoded.find('$')) < "cost" + std::to_string(cost);
  }
};
}  // namespace

TEMPLATE_TEST_CASE("abuse.a_sign_in_rehashes_a_password_stored_at_a_lower_cost", "[abuse][hashing]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  using auth_type = hashed_auth<costed_hasher, aa::storage<TestType>>;
  STATIC_REQUIRE(auth_type::can_rehash);
  auth_type auth{storages::fresh_config<TestType>("rehash"), clock};
  auto up = auth.sign_up_email(sign_up_body("a@example.com"), no_session());
  REQUIRE(up);
  auto credential = [&] {
    for (const auto& a : accounts_of(auth, up->user.id))
      if (a.provider_id == "credential") return *a.password_hash;
    return std::string();
  };
  REQUIRE(credential() == "cost2$" + std::string(test_password));
  // As if stored when the cost was lower.
  const std::string account_id = accounts_of(auth, up->user.id).front().id;
  auth.storage().write([&](auto& tx) { REQUIRE(tx.update_password_hash(account_id, "cost1$" + std::string(test_password), clock.now())); });

  REQUIRE_FALSE(auth.sign_in_email({"a@example.com", "wrong"}, no_session()));
  CHECK(credential() == "cost1$" + std::string(test_password));  // a failed sign-in changes nothing
  clock.advance(1s);
  REQUIRE(auth.sign_in_email({"a@example.com", std::string(test_password)}, no_session()));
  CHECK(credential() == "cost2$" + std::string(test_password));
  CHECK(accounts_of(auth, up->user.id).front().updated_at == clock.now());
  REQUIRE(auth.sign_in_email({"a@example.com", std::string(test_password)}, no_session()));
}

TEST_CASE("abuse.argon2id_tells_a_lower_cost_hash", "[abuse][hashing]") {
  const aa::argon2id<1, 8192, aa::insecure_test_cost> cheap;
  const aa::argon2id<2, 19 * 1024 * 1024> owasp;
  const std::string weak = cheap.hash("pw");
  const std::string strong = owasp.hash("pw");
  CHECK(owasp.needs_rehash(weak));
  CHECK_FALSE(owasp.needs_rehash(strong));
  CHECK_FALSE(cheap.needs_rehash(strong));  // a higher stored cost is kept
  CHECK_FALSE(cheap.needs_rehash(weak));
  CHECK(owasp.needs_rehash("$argon2i$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA"));  // not Argon2id
  CHECK(owasp.needs_rehash("garbage"));
  CHECK(owasp.needs_rehash(""));
  CHECK(owasp.verify(strong, "pw"));
}

TEST_CASE("abuse.audit_tells_sign_ins_sign_outs_and_revocations_without_secrets", "[abuse][audit]") {
  manual_clock clock;
  event_log log;
  test_auth<aa::audit<event_log>> auth{{}, clock, log};
  auto up = auth.sign_up_email(sign_up_body("a@example.com"), from("198.51.100.1"));
  REQUIRE(up);
  REQUIRE_FALSE(auth.sign_in_email({"a@example.com", "hunter2-typo"}, from("198.51.100.2")));
  REQUIRE_FALSE(auth.sign_in_email({"hunter2@example.com", "pw"}, from("198.51.100.3")));
  auto in = auth.sign_in_email({"a@example.com", std::string(test_password)}, from("198.51.100.4"));
  REQUIRE(in);
  auto third = auth.sign_in_email({"a@example.com", std::string(test_password)}, from("198.51.100.4"));
  REQUIRE(third);
  REQUIRE(auth.revoke_other_sessions(from("198.51.100.4", third->token)));
  REQUIRE(auth.sign_out(from("198.51.100.4", third->token)));

  const auto ups = log.all<aa::events::signed_up>();
  REQUIRE(ups.size() == 1);
  CHECK(ups[0].user_id == up->user.id);
  CHECK(ups[0].operation == aa::credential_operation::email_sign_up);
  const auto ins = log.all<aa::events::signed_in>();
  REQUIRE(ins.size() == 2);
  CHECK(ins[0].ip_address == "198.51.100.4");
  const auto failed = log.all<aa::events::sign_in_failed>();
  REQUIRE(failed.size() == 2);
  CHECK(failed[0].user_id == std::optional<std::string>(up->user.id));
  CHECK(failed[1].user_id == std::nullopt);  // the email typed is not kept: it may be a password
  const auto revoked = log.all<aa::events::sessions_revoked>();
  REQUIRE(revoked.size() == 1);
  CHECK(revoked[0].count == 2);
  const auto outs = log.all<aa::events::signed_out>();
  REQUIRE(outs.size() == 1);
  CHECK(outs[0].user_id == up->user.id);
  CHECK(outs[0].session_id == third->session.id);
  // A sign-out without a session tells nothing.
  REQUIRE(auth.sign_out(from("198.51.100.4", third->token)));
  CHECK(log.all<aa::events::signed_out>().size() == 1);
}
