// [anonauth.E112] The type given to aa::naming<> has no generate(ctx).
#include "common.hpp"

struct pet_name {
#ifdef ANONAUTH_EXPECT_FAIL
  std::string name(aa::generation_context&) const { return "Otter"; }  // must be called generate
#else
  std::string generate(aa::generation_context&) const { return "Otter"; }
#endif
};

using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>, aa::naming<pet_name>>;

int main() {
  auth_type auth;
  (void)auth;
}
