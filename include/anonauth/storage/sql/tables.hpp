// anonauth/storage/sql/tables.hpp: every table an SQL storage keeps, described once: its row,
// its name, its indexes, its key column, and how a broken unique key is told.
//
// The user table and the application tables come from the schema; "session" and "account" are
// anonauth's own. Index names are the table's name, "_", and the index's suffix; together with
// the column lists of columns.hpp they are the on-disk schema, which must not change.
//
// Every name is the schema's: the table's (aa::table<"name", ...>, aa::session_table<"name">...)
// and its columns' (`T::columns`, the table's aa::column entries, read by spec_column_name). An
// index on a user reference is suffixed with its column's name; the others keep their suffix.
#pragma once

#include <anonauth/policy/storage.hpp>
#include <anonauth/schema/reflect.hpp>
#include <anonauth/schema/schema.hpp>
#include <anonauth/storage/sql/columns.hpp>
#include <anonauth/storage/sql/session_account_rows.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace anonauth::sql {

/// An index: its name's suffix, whether it is unique, its columns, and the boolean column whose
/// true rows only it serves (a partial index where the dialect has them: sql::create_index).
struct index_spec {
  std::string suffix;
  bool unique = false;
  std::vector<std::string_view> columns;
  std::string_view partial{};
};

// A table spec T has: `T::row`; `T::columns`, its aa::column entries; `T::id`, the accessor of
// the primary key column (the member `id`); `T::name()`; `T::indexes()`; `T::known_keys(row)`,
// the key columns a duplicate may name, each with the value to show (none for a secret or an
// address).

/// The name table spec T gives its column Get, whose own name is `own`.
template <class T, class Get>
constexpr std::string_view col(std::string_view own) {
  return spec_column_name<T, Get>(own);
}

/// An application table of the schema: an index on every user-reference column.
template <class Table>
struct app_table {
  using row = typename Table::row_type;
  using columns = typename Table::columns;
  using id = column_of<&row::id>;
  static constexpr std::string_view name() { return Table::name.view(); }
  static std::vector<index_spec> indexes() {
    return []<class... Refs>(detail::type_list<Refs...>) {
      return std::vector<index_spec>{index_spec{std::string(ref_column<Refs::member>()), false,
                                                {ref_column<Refs::member>()}}...};
    }(typename Table::user_refs{});
  }
  static std::vector<key_column> known_keys(const row& r) { return {{col<app_table, id>("id"), r.id}}; }
  /// Whether an additive migration may add the column (own name `own`) with its default value:
  /// not the key, not a user reference (an existing row would belong to no one).
  static constexpr bool may_default(std::string_view own) {
    return own != "id" && []<class... Refs>(detail::type_list<Refs...>, [[maybe_unused]] std::string_view n) {
      return ((column_name<Refs::member>() != n) && ...);
    }(typename Table::user_refs{}, own);
  }

 private:
  template <auto M>
  static constexpr std::string_view ref_column() {
    return col<app_table, column_of<M>>(column_name<M>());
  }
};

/// The user table: emails unique, and the purge's walk over guests by id.
template <class Table>
struct user_table {
  using row = typename Table::row_type;
  using columns = typename Table::columns;
  using id = column_of<&row::id>;
  static constexpr std::string_view name() { return Table::name.view(); }
  static std::vector<index_spec> indexes() {
    return {{"email", true, {email()}},
            {"anonymous", false, {col<user_table, id>("id")},
             col<user_table, column_of<&row::is_anonymous>>("is_anonymous")}};
  }
  static std::vector<key_column> known_keys(const row& r) {
    return {{col<user_table, id>("id"), r.id}, {email(), std::nullopt}};  // no address in logs
  }
  /// Whether an additive migration may add the column with its default value: an app field, or
  /// a core flag an app's user table may lack (email_verified, is_anonymous: its users are then
  /// real and unverified, as when Better Auth's migrate adds the plugin); never the other core
  /// fields, which no default can fill.
  static constexpr bool may_default(std::string_view own) {
    return own == "email_verified" || own == "is_anonymous" ||
           []<class... Fields>(detail::type_list<Fields...>, std::string_view n) {
             return ((Fields::column != n) && ...);
           }(detail::core_fields{}, own);
  }

 private:
  static constexpr std::string_view email() { return col<user_table, column_of<&row::email>>("email"); }
};

/// Sessions, found by their token's hash; Desc is the schema's aa::session_table.
template <class Desc>
struct session_table_of {
  using row = session_record;
  using columns = typename Desc::columns;
  using c = session_columns;
  using id = c::id;
  static constexpr std::string_view name() { return Desc::name.view(); }
  static std::vector<index_spec> indexes() {
    return {{"token_hash", true, {col<session_table_of, c::token_hash>("token_hash")}},
            {"user_id", false, {col<session_table_of, c::user_id>("user_id")}}};
  }
  static std::vector<key_column> known_keys(const row& r) {
    return {{col<session_table_of, id>("id"), r.session.id},
            {col<session_table_of, c::token_hash>("token_hash"), std::nullopt}};  // the hash is a secret's digest
  }
};
/// The session table as anonauth names it without an aa::session_table entry.
using session_table = session_table_of<anonauth::session_table<>>;

/// Accounts, unique by (provider_id, account_id); Desc is the schema's aa::account_table.
template <class Desc>
struct account_table_of {
  using row = account;
  using columns = typename Desc::columns;
  using c = account_columns;
  using id = c::id;
  static constexpr std::string_view name() { return Desc::name.view(); }
  static std::vector<index_spec> indexes() {
    return {{"provider", true, {col<account_table_of, c::provider_id>("provider_id"),
                                col<account_table_of, c::account_id>("account_id")}},
            {"user_id", false, {col<account_table_of, c::user_id>("user_id")}}};
  }
  static std::vector<key_column> known_keys(const row& a) {
    return {{col<account_table_of, id>("id"), a.id},
            {col<account_table_of, c::provider_id>("provider_id"), a.provider_id},
            {col<account_table_of, c::account_id>("account_id"), a.account_id}};
  }
};
/// The account table as anonauth names it without an aa::account_table entry.
using account_table = account_table_of<anonauth::account_table<>>;

/// The spec of the table holding Row in an SQL storage of Schema.
template <class Schema, class Row>
struct table_for {
  using type = std::conditional_t<std::is_same_v<Row, user_row_t<Schema>>, user_table<typename Schema::user_table_desc>,
                                  app_table<detail::table_of_row_t<Schema, Row>>>;
};
template <class Schema>
struct table_for<Schema, session_record> {
  using type = session_table_of<typename Schema::session_table_desc>;
};
template <class Schema>
struct table_for<Schema, account> {
  using type = account_table_of<typename Schema::account_table_desc>;
};
template <class Schema, class Row>
using table_for_t = typename table_for<Schema, Row>::type;

/// Every table of Schema, in the order they are created: user, session, account, then the
/// application's.
template <class Schema, class Apps = typename Schema::app_tables>
struct tables_of;
template <class Schema, class... Apps>
struct tables_of<Schema, detail::type_list<Apps...>> {
  using type = detail::type_list<user_table<typename Schema::user_table_desc>,
                                 session_table_of<typename Schema::session_table_desc>,
                                 account_table_of<typename Schema::account_table_desc>, app_table<Apps>...>;
};

/// A broken UNIQUE or PRIMARY KEY constraint, as the connector's error mapping reports it: the
/// database's message, and the columns it names, each "table.column" (empty when the database
/// did not say). A writer turns it into aa::duplicate_key_error.
class unique_violation : public storage_error {
 public:
  unique_violation(const std::string& message, std::vector<std::string> columns)
      : storage_error(message), columns_(std::move(columns)) {}
  [[nodiscard]] const std::vector<std::string>& columns() const noexcept { return columns_; }

 private:
  std::vector<std::string> columns_;
};

/// Throws aa::duplicate_key_error for `e` on `table` if every column it names is one of
/// `known`, else `e` itself: a unique index the application made keeps the database's words,
/// which name columns but show no value.
[[noreturn]] inline void throw_duplicate_key(const unique_violation& e, std::string_view table,
                                             const std::vector<key_column>& known) {
  std::vector<key_column> key;
  for (std::string_view column : e.columns()) {
    if (!column.starts_with(table) || column.substr(table.size(), 1) != ".") throw e;
    column.remove_prefix(table.size() + 1);
    const auto it = std::find_if(known.begin(), known.end(), [&](const key_column& k) { return k.name == column; });
    if (it == known.end()) throw e;
    key.push_back(*it);
  }
  if (key.empty()) throw e;
  throw duplicate_key_error(table, key);
}

}  // namespace anonauth::sql
