// anonauth/storage/memory/tables.hpp: the specs of the memory storage's tables (see
// table_store.hpp): the schema's user and application tables, and the session and account
// tables, kept like them.
#pragma once

#include <anonauth/core/types.hpp>
#include <anonauth/detail/meta.hpp>
#include <anonauth/policy/storage.hpp>
#include <anonauth/storage/accessors.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anonauth::detail::memory {

/// The id column of a row keyed by id.
template <class Row>
struct keyed_by_id {
  using row = Row;
  using key_type = std::string;
  static const std::string& key(const Row& r) noexcept { return r.id; }
  static std::vector<key_column> key_error(const Row& r) { return {{"id", r.id}}; }
  using uniques = type_list<>;
  static constexpr bool orders_guests = false;
};

/// An application table: an index on every user-reference column.
template <class Table, class Refs = typename Table::user_refs>
struct app_table;
template <class Table, class... Refs>
struct app_table<Table, type_list<Refs...>> : keyed_by_id<typename Table::row_type> {
  static constexpr std::string_view name() { return Table::name.view(); }
  using indexes = type_list<field<Refs::member>...>;
};

/// The user table: emails unique (never shown in an error: no address in logs), guests in id
/// order. Users are found by other columns by a scan, as before.
template <class Table>
struct user_table : keyed_by_id<typename Table::row_type> {
  using row = typename Table::row_type;
  static constexpr std::string_view name() { return Table::name.view(); }
  struct email {
    static std::string_view value(const row& u) noexcept { return u.email; }
    static std::vector<key_column> error(const row&) { return {{"email", std::nullopt}}; }
  };
  using indexes = type_list<>;
  using uniques = type_list<email>;
  static constexpr bool orders_guests = true;
};

/// Sessions, keyed by their token's hash (never shown), listed by user.
struct session_table {
  using row = session_record;
  using key_type = token_hash;
  using user_id = nested_field<&session_record::session, &session::user_id>;
  static const token_hash& key(const row& r) noexcept { return r.hash; }
  static constexpr std::string_view name() { return "session"; }
  static std::vector<key_column> key_error(const row&) { return {{"token_hash", std::nullopt}}; }
  using indexes = type_list<user_id>;
  using uniques = type_list<>;
  static constexpr bool orders_guests = false;
};

/// Accounts, unique by (provider_id, account_id), listed by user.
struct account_table : keyed_by_id<account> {
  using user_id = field<&account::user_id>;
  static constexpr std::string_view name() { return "account"; }
  struct provider {
    static std::string key(std::string_view provider_id, std::string_view account_id) {
      std::string out(provider_id);
      out.push_back('\0');
      out.append(account_id);
      return out;
    }
    static std::string value(const row& a) { return key(a.provider_id, a.account_id); }
    static std::vector<key_column> error(const row& a) {
      return {{"provider_id", a.provider_id}, {"account_id", a.account_id}};
    }
  };
  using indexes = type_list<user_id>;
  using uniques = type_list<provider>;
};

}  // namespace anonauth::detail::memory
