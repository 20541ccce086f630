// [anonauth.E119] aa::per_ip<0, ...> would refuse every sign-in: a budget must be at least 1.
#include "common.hpp"

#include <chrono>

#ifdef ANONAUTH_EXPECT_FAIL
using limit = aa::per_ip<0, std::chrono::minutes>;
#else
using limit = aa::per_ip<10, std::chrono::minutes>;
#endif

using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>, aa::rate_limit<limit>>;

int main() {
  auth_type auth;
  (void)auth;
}
