// [anonauth.E007] An element of link_migrations is not a migrator (a custom one not wrapped in on_link).
#include "common.hpp"

struct log_link {
  template <class Ctx>
  void operator()(Ctx&) const {}
};

using on_link = aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&draft::author_id>,
#ifdef ANONAUTH_EXPECT_FAIL
                                    log_link>;
#else
                                    aa::on_link<log_link>>;
#endif
using auth_type = aa::anonymous_auth<app_schema, aa::link<on_link>>;

int main() {
  auth_type auth;
  (void)auth;
}
