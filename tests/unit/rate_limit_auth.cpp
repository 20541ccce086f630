// aa::rate_limit on anonymous sign-in: TOO_MANY_REQUESTS with a retry-after once an address has
// used its budget, nothing created by a refused request, and off by default. On the memory
// storage and on SQLite. (The limiter on its own: rate_limit.cpp.)
#include "catch.hpp"
#include "fixtures.hpp"
#include "storages.hpp"

#include <chrono>
#include <string>

using namespace fixtures;

namespace {

template <class Storage>
using limited_auth = test_auth<aa::storage<Storage>, aa::rate_limit<aa::per_ip<3, std::chrono::minutes>>>;

aa::request_context from(std::string ip) { return aa::request_context{std::nullopt, std::move(ip), "ua"}; }

}  // namespace

static_assert(!default_auth::rate_limited, "Better Auth's default: no limit");

TEMPLATE_TEST_CASE("rate_limit_auth.refuses_past_the_budget_with_a_retry_after", "[rate_limit]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  limited_auth<TestType> auth{storages::fresh_config<TestType>("limited"), clock};
  for (int i = 0; i < 3; ++i) REQUIRE(auth.sign_in_anonymous(from("198.51.100.1")));

  auto refused = auth.sign_in_anonymous(from("198.51.100.1"));
  REQUIRE_REFUSED(refused, "TOO_MANY_REQUESTS", "Too many requests. Please try again later.", 429);
  // 3 a minute: one comes back every 20 s.
  CHECK(refused.error().retry_after() == std::optional<std::chrono::seconds>(20));
  CHECK(user_count(auth) == 3);

  // Another address has its own budget; the same /64 of IPv6 shares one.
  CHECK(auth.sign_in_anonymous(from("198.51.100.2")));
  for (int i = 0; i < 3; ++i) REQUIRE(auth.sign_in_anonymous(from("2001:db8:1:2::" + std::to_string(i + 1))));
  CHECK_FALSE(auth.sign_in_anonymous(from("2001:db8:1:2:ffff::9")));
  CHECK(auth.sign_in_anonymous(from("2001:db8:1:3::1")));

  clock.advance(std::chrono::seconds{19});
  auto still = auth.sign_in_anonymous(from("198.51.100.1"));
  REQUIRE_FALSE(still);
  CHECK(still.error().retry_after() == std::optional<std::chrono::seconds>(1));
  clock.advance(std::chrono::seconds{1});
  CHECK(auth.sign_in_anonymous(from("198.51.100.1")));
  CHECK_FALSE(auth.sign_in_anonymous(from("198.51.100.1")));
}

TEMPLATE_TEST_CASE("rate_limit_auth.off_by_default", "[rate_limit]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  test_auth<aa::storage<TestType>> auth{storages::fresh_config<TestType>("unlimited"), clock};
  for (int i = 0; i < 50; ++i) REQUIRE(auth.sign_in_anonymous(from("198.51.100.1")));
  CHECK(user_count(auth) == 50);
}

TEST_CASE("rate_limit_auth.other_errors_carry_no_retry_after", "[rate_limit]") {
  manual_clock clock;
  limited_auth<aa::memory_storage> auth{{}, clock};
  auto guest = auth.sign_in_anonymous(from("198.51.100.1"));
  REQUIRE(guest);
  auto again = auth.sign_in_anonymous(aa::request_context{guest->token, "198.51.100.1", "ua"});
  REQUIRE_FALSE(again);
  CHECK(again.error().code() == "ANONYMOUS_USERS_CANNOT_SIGN_IN_AGAIN_ANONYMOUSLY");
  CHECK_FALSE(again.error().retry_after());
}
