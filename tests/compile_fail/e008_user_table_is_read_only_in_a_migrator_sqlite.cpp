// [anonauth.E008] A migrator cannot write the user table through ctx.table<User>() either, on
// every storage (SQLite here, whose writer could run the statement): it edits the new user with
// ctx.update_user, which keeps the rules of update_user.
#include "common.hpp"

#include <anonauth/storage/sqlite/sqlite.hpp>

struct note_the_guest {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
#ifdef ANONAUTH_EXPECT_FAIL
    auto copy = ctx.new_user();
    copy.location = "moved";
    ctx.template table<user>().update(copy);
#else
    ctx.update_user([](user& u) { u.location = "moved"; });
#endif
  }
};

using auth_type = aa::anonymous_auth<app_schema, aa::storage<aa::sqlite_storage>,
                                     aa::link<aa::link_migrations<aa::reassign<&cart_item::user_id>,
                                                                  aa::reassign<&draft::author_id>,
                                                                  aa::on_link<note_the_guest>>>>;

int main() {
  auth_type auth;
  auto guest = auth.sign_in_anonymous({});
  auto real = auth.sign_up_email({"real@example.com", "correct horse battery", "Real", std::nullopt},
                                 {guest->token, "", ""});
  return real && real->user.location == "moved" ? 0 : 1;
}
