// One mistake, one error: a constructor argument is none of the auth's policies
// ([anonauth.E103]): here the domain, given as text rather than as the policy object.
#include "shop.hpp"

using auth_type = shop::auth_of<>;
#include "exercise.hpp"

int main() {
#ifdef ANONAUTH_EXPECT_FAIL
  auth_type auth{aa::sqlite_config{}, std::string("guest.shop.example"), aa::credential_limits{}};
#else
  auth_type auth{aa::sqlite_config{}, aa::runtime_domain_email{"guest.shop.example"}, aa::credential_limits{}};
#endif
  return exercise(auth);
}
