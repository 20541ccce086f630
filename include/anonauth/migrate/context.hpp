// anonauth/migrate/context.hpp: what a custom migrator (aa::on_link<F>) sees.
//
//   struct merge_wishlists {
//     template <class Ctx>
//     void operator()(Ctx& ctx) const {
//       for (auto item : ctx.template table<wish>().template find_by<&wish::owner>(ctx.anonymous_user().id)) { ... }
//       ctx.update_user([](auto& u) { u.location = "moved"; });
//       sqlite3_exec(ctx.native_handle(), "INSERT INTO app_log ...", ...);   // the app's own SQL
//     }
//   };
//
// Everything happens inside the link's transaction: throwing rolls back the account creation, the
// migrations that ran before and the guest's deletion (LINK_MIGRATION_FAILED, 500; or the error of
// an aa::error_exception).
// So a migrator does database work only: a side effect outside the database (an email, a queue,
// another service) would happen for a link that then rolls back, or twice with a storage that
// retries a conflicted transaction. It belongs in the audit sink (aa::events::guest_linked),
// called after the commit.
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/schema/core_fields.hpp>
#include <anonauth/table_handle.hpp>

#include <string>
#include <type_traits>
#include <utility>

namespace anonauth {

/// write_transaction's tables and native handle, plus the guest and the account it links to.
template <class User, class Writer>
class link_context : public write_transaction<User, Writer> {
 public:
  link_context(Writer& tx, const User& guest, const anonauth::session& guest_session, User& target,
               const request_context& request)
      : write_transaction<User, Writer>(tx),
        guest_(&guest),
        guest_session_(&guest_session),
        target_(&target),
        request_(&request) {}

  /// The guest being linked, as it was before any migrator ran.
  [[nodiscard]] const User& anonymous_user() const noexcept { return *guest_; }
  [[nodiscard]] const anonauth::session& anonymous_session() const noexcept { return *guest_session_; }
  /// The account the guest links to, with the edits of earlier migrators.
  [[nodiscard]] const User& new_user() const noexcept { return *target_; }
  [[nodiscard]] const request_context& request() const noexcept { return *request_; }

  // table<Row>(): read and written inside the link transaction; the user table's is read-only
  // (E008), whatever the storage: edit the new user with update_user. native_handle(): the
  // storage's connection (SQLite: sqlite3*), for the app's own statements in the link.

  /// Edits the new user's row (`edit(User&)`); saved when the link commits. The rules of
  /// update_user apply (core fields but name and image are refused); a refusal aborts the link.
  template <class Fn>
  void update_user(Fn&& edit) {
    User copy = *target_;
    std::forward<Fn>(edit)(copy);
    if (auto refusal = detail::edit_refusal(*target_, copy)) throw error_exception(std::move(*refusal));
    *target_ = std::move(copy);
  }

 private:
  const User* guest_;
  const anonauth::session* guest_session_;
  User* target_;
  const request_context* request_;
};

}  // namespace anonauth
