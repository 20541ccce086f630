// The out-of-tree storage through the installed conformance kit, then under an auth.
#include "container_storage.hpp"

#include <anonauth/testing/conformance.hpp>

#include <iostream>

int main() {
  // snippet: check
  const auto report = anonauth::testing::check_storage<shop::container_storage>();
  std::cout << report;
  if (!report.passed()) return 1;
  // end snippet

  // The storage is a policy like any other.
  using auth_type = anonauth::anonymous_auth<anonauth::testing::conformance_schema,
                                             anonauth::storage<shop::container_storage>,
                                             anonauth::link<anonauth::testing::conformance_link>>;
  auth_type auth;
  auto guest = auth.sign_in_anonymous({});
  if (!guest || !auth.get_session(guest->token)) return 1;
  std::cout << "a guest signed in over container_storage\n";
  return 0;
}
