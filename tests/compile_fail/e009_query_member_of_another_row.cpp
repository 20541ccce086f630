// [anonauth.E009] A table handle's find_by or where names a member of another row.
#include "common.hpp"

using auth_type = aa::anonymous_auth<app_schema, aa::link<app_migrations>>;

int main() {
  auth_type auth;
  auto guest = auth.sign_in_anonymous({});
#ifdef ANONAUTH_EXPECT_FAIL
  const auto items = auth.table<cart_item>().find_by<&draft::author_id>(guest->user.id);
#else
  const auto items = auth.table<cart_item>().find_by<&cart_item::user_id>(guest->user.id);
#endif
  return items.empty() ? 0 : 1;
}
