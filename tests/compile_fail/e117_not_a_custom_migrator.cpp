// [anonauth.E117] The type given to aa::on_link<> cannot be called as m(ctx).
#include "common.hpp"

struct greet_new_user {
#ifdef ANONAUTH_EXPECT_FAIL
  void operator()(const user&, user&) const {}  // takes the users, not the link context
#else
  template <class Ctx>
  void operator()(Ctx&) const {}
#endif
};

using on_link = aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&draft::author_id>,
                                    aa::on_link<greet_new_user>>;
using auth_type = aa::anonymous_auth<app_schema, aa::link<on_link>>;

int main() {
  auth_type auth;
  (void)auth;
}
