// [anonauth.E131] A migrator's ctx.native_handle() is the SQL storage's connection: the memory
// storage has none, and says so at compile time; on SQLite (the twin) it is the sqlite3*.
#include "common.hpp"

#include <anonauth/storage/sqlite/sqlite.hpp>

#include <sqlite3.h>

struct count_carts_in_sql {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    sqlite3* db = ctx.native_handle();
    sqlite3_exec(db, "SELECT count(*) FROM cart_items", nullptr, nullptr, nullptr);
  }
};

#ifdef ANONAUTH_EXPECT_FAIL
using storage = aa::memory_storage;
#else
using storage = aa::sqlite_storage;
#endif
using auth_type = aa::anonymous_auth<
    app_schema, aa::storage<storage>,
    aa::link<aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&draft::author_id>,
                                 aa::on_link<count_carts_in_sql>>>>;

int main() {
  auth_type auth;
  auto guest = auth.sign_in_anonymous({});
  auto real = auth.sign_up_email({"real@example.com", "correct horse battery", "Real", std::nullopt},
                                 {guest->token, "", ""});
  return real ? 0 : 1;
}
