// The auth behind the application's own interface: this file includes accounts.hpp only, never
// an anonauth header that instantiates the auth, so it compiles as fast as any small file.
// accounts.cpp pays for aa::anonymous_auth, once. docs/getting-started.md shows the pieces (the
// "snippet" regions and accounts.hpp, checked by CTest).
#include "accounts.hpp"

#include <cstdlib>
#include <iostream>
#include <optional>

int main() {
  // snippet: use
  shop::accounts accounts;
  anonauth::request_context request{std::nullopt, "203.0.113.7", "Firefox/128.0"};

  auto guest = accounts.start_as_guest(request);
  if (!guest) return EXIT_FAILURE;
  accounts.add_to_cart(guest->user_id, "mug");

  request.session_token = guest->token;  // the guest's next request carries its session
  auto ada = accounts.sign_up("ada@example.com", "correct horse battery", request);
  if (!ada) {
    std::cerr << ada.error() << '\n';
    return EXIT_FAILURE;
  }
  std::cout << ada->email << " holds " << accounts.cart_size(ada->user_id) << " item(s)\n";
  // end snippet

  const bool ok = guest->guest && !ada->guest && accounts.cart_size(ada->user_id) == 1 &&
                  accounts.cart_size(guest->user_id) == 0;
  std::cout << (ok ? "All checks passed." : "FAILED: the guest's cart did not move") << '\n';
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
