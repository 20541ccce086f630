// anonauth/testing/conformance.hpp: the storage conformance kit. Runs every rule of the storage
// contract (docs/writing-a-storage.md) against a storage policy, then anonymous_auth over it.
//
//   #include <anonauth/testing/conformance.hpp>
//
//   int main() {
//     const auto report = anonauth::testing::check_storage<my_storage>();
//     std::cout << report;              // the cases run, and each rule broken, in words
//     return report.passed() ? 0 : 1;
//   }
//
// Each case runs on a backend of its own, made from `make_config()` (by default a value-
// initialised `S::config`): give a function that returns a fresh database each time when the
// default one would be shared, e.g. `check_storage<my_storage>([] { return my_config{next_path()}; })`.
// `only` runs the cases whose name begins with it ("sessions.", "auth.").
//
// The kit uses no test framework; from Catch2: `REQUIRE(report.passed())` after printing it. It
// needs libsodium and the core's other dependencies only (anonauth::anonauth).
#pragma once

#include <anonauth/policy/storage.hpp>
#include <anonauth/testing/detail/core_cases.hpp>
#include <anonauth/testing/detail/fixture.hpp>
#include <anonauth/testing/detail/storage_cases.hpp>
#include <anonauth/testing/detail/transaction_cases.hpp>
#include <anonauth/testing/report.hpp>

#include <string_view>

namespace anonauth::testing {

/// The schema the kit's cases use (a user row with an app field, tables with one, two and no
/// user references): a storage must serve any schema, this one included.
using conformance_schema = kit::schema;
/// A link migration that handles every user reference of conformance_schema.
using conformance_link = kit::link_of_kit;

template <class S>
struct default_config {
  typename S::config operator()() const { return typename S::config{}; }
};

/// Runs the storage contract's cases against S; see the file comment.
template <storage_policy S, class MakeConfig = default_config<S>>
conformance_report check_storage(MakeConfig make_config = {}, std::string_view only = {}) {
  using backend = typename S::template backend<kit::schema>;
  static_assert(storage_backend<backend, kit::schema>, "the storage's backend models aa::storage_backend for any schema");
  conformance_report report;

  // Fresh and empty, or populated with kit::populate.
  const auto on_fresh = [&](std::string_view name, auto body) {
    detail::run_case(report, name, only, [&](detail::checker& c) {
      backend b(make_config());
      c.expect(b.read([](const auto& tx) { return tx.template count<kit::member>() + tx.template count<kit::note>(); }) == 0,
               "a backend made from a fresh config is empty");
      body(c, b);
    });
  };
  const auto on_populated = [&](std::string_view name, auto body) {
    detail::run_case(report, name, only, [&](detail::checker& c) {
      backend b(make_config());
      kit::populate(b);
      body(c, b);
    });
  };
  const auto on_auth = [&](std::string_view name, auto body) {
    detail::run_case(report, name, only, [&](detail::checker& c) { body(c); });
  };

  on_populated("rows.find_and_find_by", [](auto& c, auto& b) { kit::app_rows_find(c, b); });
  on_populated("rows.where_through_a_table_handle", [](auto& c, auto& b) { kit::app_rows_where(c, b); });
  on_populated("rows.update_replaces_the_row", [](auto& c, auto& b) { kit::app_rows_update(c, b); });
  on_populated("rows.erase", [](auto& c, auto& b) { kit::app_rows_erase(c, b); });
  on_populated("rows.duplicate_id_is_refused", [](auto& c, auto& b) { kit::app_rows_duplicate_key(c, b); });
  on_populated("rows.reassign_moves_a_column", [](auto& c, auto& b) { kit::reassign_moves_rows(c, b); });
  on_populated("rows.erase_where", [](auto& c, auto& b) { kit::erase_where_erases_rows(c, b); });
  on_populated("users.find", [](auto& c, auto& b) { kit::users_find(c, b); });
  on_populated("users.duplicate_id_or_email_is_refused", [](auto& c, auto& b) { kit::users_duplicates(c, b); });
  on_populated("users.update_replaces_every_field", [](auto& c, auto& b) { kit::users_update(c, b); });
  on_populated("users.erase", [](auto& c, auto& b) { kit::users_erase(c, b); });
  on_populated("sessions.find", [](auto& c, auto& b) { kit::sessions_find(c, b); });
  on_populated("sessions.update_changes_only_what_a_refresh_changes", [](auto& c, auto& b) { kit::sessions_update(c, b); });
  on_populated("sessions.erase", [](auto& c, auto& b) { kit::sessions_erase(c, b); });
  on_populated("sessions.duplicate_hash_is_refused", [](auto& c, auto& b) { kit::sessions_duplicate(c, b); });
  on_populated("sessions.of_user_in_creation_order", [](auto& c, auto& b) { kit::sessions_in_order(c, b); });
  on_populated("accounts.find", [](auto& c, auto& b) { kit::accounts_find(c, b); });
  on_populated("accounts.of_user_in_creation_order", [](auto& c, auto& b) { kit::accounts_in_order(c, b); });
  on_populated("accounts.erase_of_user", [](auto& c, auto& b) { kit::accounts_erase(c, b); });
  on_populated("accounts.duplicate_is_refused", [](auto& c, auto& b) { kit::accounts_duplicate(c, b); });
  on_populated("accounts.update_password_hash", [](auto& c, auto& b) { kit::accounts_rehash(c, b); });
  on_fresh("transactions.write_commits", [](auto& c, auto& b) { kit::write_commits(c, b); });
  on_populated("transactions.throw_rolls_back_everything", [](auto& c, auto& b) { kit::throw_rolls_back(c, b); });
  on_populated("transactions.any_throw_rolls_back_everything", [](auto& c, auto& b) { kit::any_throw_rolls_back(c, b); });
  on_populated("transactions.storage_error_rolls_back_everything", [](auto& c, auto& b) { kit::storage_error_rolls_back(c, b); });
  on_populated("transactions.rollback_returns_to_the_last_commit", [](auto& c, auto& b) { kit::commit_then_rollback(c, b); });
  on_populated("transactions.usable_after_rollback", [](auto& c, auto& b) { kit::usable_after_rollback(c, b); });
  on_fresh("transactions.concurrent_writes_are_whole", [](auto& c, auto& b) { kit::concurrent_writes(c, b); });
  on_populated("purge.walk", [](auto& c, auto& b) { kit::purge_walk(c, b); });
  on_populated("purge.walk_follows_writes", [](auto& c, auto& b) { kit::purge_walk_follows_writes(c, b); });
  on_auth("auth.guest_life", [&](auto& c) { kit::guest_life<S>(c, make_config, false); });
  on_auth("auth.writes_run_twice", [&](auto& c) { kit::guest_life<S>(c, make_config, true); });
  on_auth("auth.foreign_exception_at_commit", [&](auto& c) { kit::foreign_exception<S>(c, make_config); });
  return report;
}

}  // namespace anonauth::testing
