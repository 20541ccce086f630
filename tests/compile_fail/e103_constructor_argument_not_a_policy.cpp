// [anonauth.E103] A constructor argument is none of the auth's policy types (its option is missing).
#include "common.hpp"

#ifdef ANONAUTH_EXPECT_FAIL
using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>>;  // email policy is the default
#else
using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>, aa::email<aa::runtime_domain_email>>;
#endif

int main() {
  auth_type auth{aa::memory_storage::config{}, aa::runtime_domain_email{"guest.example.com"}};
  (void)auth;
}
