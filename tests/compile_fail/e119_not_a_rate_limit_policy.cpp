// [anonauth.E119] The type given to aa::rate_limit<> answers acquire() with a bool, not with how
// long to wait.
#include "common.hpp"

#include <chrono>
#include <optional>

struct yes_or_no_limiter {
#ifdef ANONAUTH_EXPECT_FAIL
  bool acquire(const aa::rate_limit_request&, aa::monotonic_time) { return true; }
#else
  std::optional<std::chrono::milliseconds> acquire(const aa::rate_limit_request&, aa::monotonic_time) {
    return std::nullopt;
  }
#endif
};

using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>, aa::rate_limit<yes_or_no_limiter>>;

int main() {
  auth_type auth;
  (void)auth;
}
