// [anonauth.E002] A storage writer's reassign<&Row::member> moves rows along a declared user
// reference only, on every storage (SQLite here, which could run the UPDATE on any column).
#include "common.hpp"

#include <anonauth/storage/sqlite/sqlite.hpp>

using auth_type = aa::anonymous_auth<app_schema, aa::storage<aa::sqlite_storage>, aa::link<app_migrations>>;

int main() {
  auth_type auth;
  auth.table<cart_item>().insert({"c1", "someone", "sku-1", 1});
  const std::size_t moved = auth.storage().write([](auto& tx) {
#ifdef ANONAUTH_EXPECT_FAIL
    return tx.template reassign<&cart_item::sku>("sku-1", "sku-2");
#else
    return tx.template reassign<&cart_item::user_id>("someone", "someone-else");
#endif
  });
  return moved == 1 ? 0 : 1;
}
