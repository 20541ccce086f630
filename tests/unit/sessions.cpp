// Session tokens, get_session, expiry and sign_out.
#include "catch.hpp"
#include "fixtures.hpp"

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace fixtures;

namespace {

bool contains(std::string_view haystack, std::string_view needle) {
  return !needle.empty() && haystack.find(needle) != std::string_view::npos;
}

}  // namespace

TEST_CASE("session_token.is_32_alphanumerics_and_unique", "[session][token]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  std::set<std::string> tokens;
  for (int i = 0; i < 1000; ++i) {
    auto r = auth.sign_in_anonymous(no_session());
    REQUIRE(r.has_value());
    REQUIRE(r->token.size() >= 32);
    REQUIRE(is_alnum(r->token));
    tokens.insert(r->token);
  }
  CHECK(tokens.size() == 1000);
}

TEST_CASE("session_token.storage_keeps_only_its_hash", "[session][token][security]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto r = auth.sign_in_anonymous(no_session());
  REQUIRE(r.has_value());
  const std::string& token = r->token;

  auto record = stored_session(auth, token);
  REQUIRE(record.has_value());
  CHECK(record->hash == aa::crypto::hash_token(token));
  CHECK(record->session.id == r->session.id);
  CHECK(record->session.user_id == r->user.id);

  // the raw token is in no field of the stored record
  CHECK_FALSE(contains(record->session.id, token));
  CHECK_FALSE(contains(record->session.user_id, token));
  CHECK_FALSE(contains(record->session.ip_address, token));
  CHECK_FALSE(contains(record->session.user_agent, token));
  const std::string hash_bytes(record->hash.begin(), record->hash.end());
  CHECK_FALSE(contains(hash_bytes, token.substr(0, 8)));
  CHECK(record->session.id != token);

  // a different token hashes elsewhere
  CHECK_FALSE(stored_session(auth, token + "x").has_value());
  CHECK_FALSE(stored_session(auth, token.substr(1)).has_value());
}

TEST_CASE("get_session.rejects_unknown_and_implausible_tokens", "[session]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto r = auth.sign_in_anonymous(no_session());
  REQUIRE(r.has_value());

  CHECK_FALSE(auth.get_session("").has_value());
  CHECK_FALSE(auth.get_session("unknownTokenUnknownTokenUnknown00").has_value());
  CHECK_FALSE(auth.get_session(std::string(10 * 1024, 'a')).has_value());
  CHECK_FALSE(auth.get_session(r->token + std::string(10 * 1024, 'a')).has_value());

  std::string altered = r->token;
  altered.back() = altered.back() == 'a' ? 'b' : 'a';
  CHECK_FALSE(auth.get_session(altered).has_value());

  // the real one still works
  CHECK(auth.get_session(r->token).has_value());
}

TEST_CASE("get_session.session_lasts_seven_days", "[session][expiry]") {
  manual_clock clock;
  default_auth auth{aa::memory_storage::config{}, clock};

  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest.has_value());
  CHECK(guest->session.created_at == clock.now());
  CHECK(guest->session.expires_at - guest->session.created_at == std::chrono::days{7});

  auto real = auth.sign_up_email(sign_up_body("week@example.com"), no_session());
  REQUIRE(real.has_value());
  CHECK(real->session.expires_at - real->session.created_at == std::chrono::days{7});

  auto again = auth.sign_in_email(aa::email_sign_in{"week@example.com", std::string(test_password)}, no_session());
  REQUIRE(again.has_value());
  CHECK(again->session.expires_at - again->session.created_at == std::chrono::days{7});

  auto social = auth.sign_in_social(google_profile("week", "social-week@example.com"), no_session());
  REQUIRE(social.has_value());
  CHECK(social->session.expires_at - social->session.created_at == std::chrono::days{7});

  auto stored = stored_session(auth, guest->token);
  REQUIRE(stored.has_value());
  CHECK(stored->session.expires_at == guest->session.expires_at);
}

TEST_CASE("get_session.expired_session_is_gone_and_deleted", "[session][expiry]") {
  manual_clock clock;
  default_auth auth{aa::memory_storage::config{}, clock};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest.has_value());

  // (Looked at in storage: a get_session here would extend the session.)
  clock.advance(std::chrono::days{7} - std::chrono::milliseconds{1});
  REQUIRE(stored_session(auth, guest->token).has_value());

  clock.advance(std::chrono::milliseconds{2});  // one millisecond past expiry
  CHECK_FALSE(auth.get_session(guest->token).has_value());
  CHECK_FALSE(stored_session(auth, guest->token).has_value());
  // the user is not deleted by its session expiring
  CHECK(auth.find_user(guest->user.id).has_value());
  // turning the clock back does not resurrect it
  clock.set(manual_clock::start());
  CHECK_FALSE(auth.get_session(guest->token).has_value());
}

TEST_CASE("sign_out.ends_the_session", "[session][sign_out]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto up = auth.sign_up_email(sign_up_body("out@example.com"), no_session());
  auto in = auth.sign_in_email(aa::email_sign_in{"out@example.com", std::string(test_password)}, no_session());
  REQUIRE(up.has_value());
  REQUIRE(in.has_value());

  auto out = auth.sign_out(with_token(up->token));
  CHECK(out.has_value());
  CHECK_FALSE(auth.get_session(up->token).has_value());
  CHECK_FALSE(stored_session(auth, up->token).has_value());
  // only that session: the user's other session and the user remain
  CHECK(auth.get_session(in->token).has_value());
  CHECK(auth.find_user(up->user.id).has_value());
}

TEST_CASE("sign_out.of_a_guest_keeps_the_guest", "[session][sign_out]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest.has_value());
  REQUIRE(auth.sign_out(with_token(guest->token)).has_value());
  CHECK_FALSE(auth.get_session(guest->token).has_value());
  CHECK(auth.find_user(guest->user.id).has_value());
  // signed out, the client may become a new guest
  auto next = auth.sign_in_anonymous(with_token(guest->token));
  REQUIRE(next.has_value());
  CHECK(next->user.id != guest->user.id);
}

TEST_CASE("sign_out.succeeds_without_a_session", "[session][sign_out]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest.has_value());

  CHECK(auth.sign_out(no_session()).has_value());
  CHECK(auth.sign_out(with_token("")).has_value());
  CHECK(auth.sign_out(with_token("unknownTokenUnknownTokenUnknown00")).has_value());
  CHECK(auth.sign_out(with_token(std::string(10 * 1024, 'z'))).has_value());
  // nobody else's session was touched
  CHECK(auth.get_session(guest->token).has_value());
  // signing out twice is fine
  CHECK(auth.sign_out(with_token(guest->token)).has_value());
  CHECK(auth.sign_out(with_token(guest->token)).has_value());
  CHECK_FALSE(auth.get_session(guest->token).has_value());
}

TEST_CASE("sign_in_anonymous.concurrent_sign_ins_create_distinct_guests", "[session][concurrency]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  constexpr int threads = 4, per_thread = 50;
  std::vector<std::vector<std::string>> tokens(threads);
  std::vector<int> failures(threads, 0);
  {
    std::vector<std::jthread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        for (int i = 0; i < per_thread; ++i) {
          auto r = auth.sign_in_anonymous(no_session());
          if (r) tokens[t].push_back(r->token);
          else ++failures[t];
        }
      });
  }
  std::set<std::string> all, users;
  for (int t = 0; t < threads; ++t) {
    CHECK(failures[t] == 0);
    for (const auto& token : tokens[t]) {
      all.insert(token);
      auto view = auth.get_session(token);
      REQUIRE(view.has_value());
      users.insert(view->user.id);
    }
  }
  CHECK(all.size() == threads * per_thread);
  CHECK(users.size() == threads * per_thread);
  CHECK(user_count(auth) == threads * per_thread);
}

TEST_CASE("get_session.use_after_update_age_extends_the_session", "[session][refresh]") {
  manual_clock clock;
  default_auth auth{aa::memory_storage::config{}, clock};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest.has_value());
  const aa::timestamp first_expiry = guest->session.expires_at;

  clock.advance(std::chrono::hours{23});  // before update_age (1 day): nothing changes
  auto early = auth.get_session(guest->token);
  REQUIRE(early);
  CHECK(early->session.expires_at == first_expiry);
  CHECK(stored_session(auth, guest->token)->session.expires_at == first_expiry);

  clock.advance(std::chrono::hours{2});  // 25 hours: extended to 7 days from now
  auto later = auth.get_session(guest->token);
  REQUIRE(later);
  CHECK(later->session.expires_at == clock.now() + std::chrono::days{7});
  CHECK(later->session.updated_at == clock.now());
  CHECK(stored_session(auth, guest->token)->session.expires_at == clock.now() + std::chrono::days{7});

  // A session in use outlives the first expiry; unused for 7 days, it ends.
  clock.advance(std::chrono::days{6} + std::chrono::hours{23});
  CHECK(clock.now() > first_expiry);
  REQUIRE(auth.get_session(guest->token));
  clock.advance(std::chrono::days{7} + std::chrono::seconds{1});
  CHECK_FALSE(auth.get_session(guest->token));
}

namespace {
struct hourly_sessions {
  static constexpr std::chrono::seconds lifetime{std::chrono::hours{1}};
  static constexpr std::chrono::seconds update_age{0};
};
struct backwards_sessions {  // update_age longer than the lifetime
  static constexpr std::chrono::seconds lifetime{60};
  static constexpr std::chrono::seconds update_age{120};
};
}  // namespace

TEST_CASE("get_session.session_policy_sets_lifetime_and_update_age", "[session][refresh]") {
  STATIC_REQUIRE(aa::session_policy<aa::better_auth_sessions>);
  STATIC_REQUIRE(aa::session_policy<hourly_sessions>);
  STATIC_REQUIRE_FALSE(aa::session_policy<backwards_sessions>);
  STATIC_REQUIRE_FALSE(aa::session_policy<int>);

  manual_clock clock;
  test_auth<aa::sessions<hourly_sessions>> auth{aa::memory_storage::config{}, clock};
  STATIC_REQUIRE(decltype(auth)::session_lifetime == std::chrono::hours{1});
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest);
  CHECK(guest->session.expires_at - guest->session.created_at == std::chrono::hours{1});
  clock.advance(std::chrono::minutes{30});
  auto used = auth.get_session(guest->token);  // update_age 0: every use extends
  REQUIRE(used);
  CHECK(used->session.expires_at == clock.now() + std::chrono::hours{1});
  clock.advance(std::chrono::hours{1} + std::chrono::seconds{1});
  CHECK_FALSE(auth.get_session(guest->token));
}

TEST_CASE("sessions.revoke_sessions_ends_every_device", "[session]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto up = auth.sign_up_email(sign_up_body("devices@example.com"), no_session());
  REQUIRE(up);
  auto phone = auth.sign_in_email(aa::email_sign_in{"devices@example.com", std::string(test_password)}, no_session());
  REQUIRE(phone);
  auto other = auth.sign_up_email(sign_up_body("other@example.com"), no_session());
  REQUIRE(other);

  CHECK(auth.revoke_sessions(up->user.id) == 2);
  CHECK_FALSE(auth.get_session(up->token));
  CHECK_FALSE(auth.get_session(phone->token));
  CHECK(auth.get_session(other->token));  // another user's session is untouched
  CHECK(auth.revoke_sessions(up->user.id) == 0);
}
