// [anonauth.E111] The type given to aa::email<> has no generate(ctx).
#include "common.hpp"

struct uuid_email {
#ifdef ANONAUTH_EXPECT_FAIL
  std::string generate() const { return "guest@example.com"; }  // no ctx parameter
#else
  std::string generate(aa::generation_context& ctx) const { return "guest-" + ctx.random_alphanumeric(20) + "@example.com"; }
#endif
};

using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>, aa::email<uuid_email>>;

int main() {
  auth_type auth;
  (void)auth;
}
