// [anonauth.E118] The type given to aa::sessions<> extends sessions after longer than they live.
#include "common.hpp"

#include <chrono>

struct short_sessions {
  static constexpr std::chrono::seconds lifetime{std::chrono::hours{1}};
#ifdef ANONAUTH_EXPECT_FAIL
  static constexpr std::chrono::seconds update_age{std::chrono::hours{2}};
#else
  static constexpr std::chrono::seconds update_age{std::chrono::minutes{10}};
#endif
};

using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>, aa::sessions<short_sessions>>;

int main() {
  auth_type auth;
  (void)auth;
}
