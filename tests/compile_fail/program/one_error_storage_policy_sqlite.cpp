// One mistake, one error: the app's own storage (here over anonauth's SQLite one) lacks its
// config type, so it is no storage policy ([anonauth.E110]); the program still constructs the
// auth with a config and uses its tables.
#include "shop.hpp"

struct shop_storage {
#ifndef ANONAUTH_EXPECT_FAIL
  using config = aa::sqlite_config;
#endif
  template <class Schema>
  using backend = aa::sqlite_storage::backend<Schema>;
};
using auth_type = shop::auth_of<shop::full_link, aa::runtime_domain_email, shop_storage>;

#include "exercise.hpp"

int main() { return run(); }
