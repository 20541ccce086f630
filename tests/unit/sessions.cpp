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

  clock.advance(std::chrono::days{7} - std::chrono::milliseconds{1});
  REQUIRE(auth.get_session(guest->token).has_value());
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
