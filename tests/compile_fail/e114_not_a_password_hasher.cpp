// [anonauth.E114] The type given to aa::password_hasher<> has no verify(encoded, password).
#include "common.hpp"

#include <string_view>

struct plain_hasher {  // test double: stores the password as is
  std::string hash(std::string_view password) const { return std::string(password); }
#ifndef ANONAUTH_EXPECT_FAIL
  bool verify(std::string_view encoded, std::string_view password) const { return encoded == password; }
#endif
};

using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>, aa::password_hasher<plain_hasher>>;

int main() {
  auth_type auth;
  (void)auth;
}
