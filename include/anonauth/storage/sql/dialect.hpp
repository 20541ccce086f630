// anonauth/storage/sql/dialect.hpp: what differs between SQL databases, and nothing else.
//
// The SQL layer (this folder) writes every statement once; a dialect supplies the pieces that
// differ: how a parameter is written (`?` or `$1`), how an identifier is quoted, the column
// type of each kind of C++ member, the literal for true, how a table's columns are looked up,
// and the statements that open a transaction. A backend is a dialect, a connection (prepare,
// bind, step, its statement cache) and its error mapping (a broken unique key becomes
// sql::unique_violation; see row_codec.hpp).
//
// No statement of anonauth needs an upsert: every insert must fail on an existing key (the
// storage contract), so the concept has none; a statement that needs one adds it here.
#pragma once

#include <anonauth/core/time.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/detail/meta.hpp>

#include <concepts>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace anonauth::sql {

/// The kinds of value a column holds; a dialect names the SQL type of each.
enum class value_kind { text, boolean, integer, real, timestamp, blob };

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {
  using value_type = T;
};

/// The kind of a C++ member type, if an SQL storage can hold it: std::string, bool, integers
/// that fit a signed 64-bit column, floating point, aa::timestamp (milliseconds since the Unix
/// epoch, as Better Auth's SQLite dates), aa::token_hash (32 bytes), std::optional of one.
template <class T>
struct kind_of {
  static constexpr bool supported = false;
};
template <value_kind K>
struct kind_is {
  static constexpr bool supported = true;
  static constexpr value_kind value = K;
};
template <>
struct kind_of<std::string> : kind_is<value_kind::text> {};
template <>
struct kind_of<bool> : kind_is<value_kind::boolean> {};
template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool> && sizeof(T) <= 8 &&
           !(std::is_unsigned_v<T> && sizeof(T) == 8))
struct kind_of<T> : kind_is<value_kind::integer> {};
template <class T>
  requires std::is_floating_point_v<T>
struct kind_of<T> : kind_is<value_kind::real> {};
template <>
struct kind_of<timestamp> : kind_is<value_kind::timestamp> {};
template <>
struct kind_of<token_hash> : kind_is<value_kind::blob> {};
template <class T>
struct kind_of<std::optional<T>> : kind_of<T> {};

template <class T>
inline constexpr bool nullable_v = is_optional<T>::value;

/// A dialect: stateless, every member static.
template <class D>
concept dialect = requires(std::string& out, std::string_view identifier, int n, value_kind kind) {
  // The storage's name, which starts its error messages ("sqlite_storage").
  { D::storage_name } -> std::convertible_to<std::string_view>;
  // Appends the identifier, quoted (a table may be called "user", a reserved word).
  D::quote_identifier(out, identifier);
  // Appends the n-th parameter's marker, n from 1 (binds are 1-based in every connector).
  D::placeholder(out, n);
  // The SQL type of a column of this kind, spelt as the table introspection reports it once
  // upper-cased (so that checking an existing table compares like with like).
  { D::type_name(kind) } -> std::convertible_to<std::string_view>;
  // The literals of a boolean: compared with for true, written as a column's default.
  { D::true_literal } -> std::convertible_to<std::string_view>;
  { D::false_literal } -> std::convertible_to<std::string_view>;
  // Whether an existing column declared `declared` (upper-cased) holds what type_name gives
  // `wanted`: equal names, or what the database treats alike (SQLite: one type affinity).
  { D::type_matches(identifier, identifier) } -> std::convertible_to<bool>;
  // The columns of the table named by parameter 1, one row each: name (text), declared type
  // (text), nullable (a primary key counts as NOT NULL), has a default; no rows if there is
  // no such table.
  { D::table_columns_query } -> std::convertible_to<std::string_view>;
  // The names of the indexes of the table named by parameter 1, one row each.
  { D::table_indexes_query } -> std::convertible_to<std::string_view>;
  // Transaction control: a write transaction (serializable, holding the write lock where the
  // database has one), a read transaction (one snapshot), commit, rollback.
  { D::begin_write } -> std::convertible_to<std::string_view>;
  { D::begin_read } -> std::convertible_to<std::string_view>;
  { D::commit } -> std::convertible_to<std::string_view>;
  { D::rollback } -> std::convertible_to<std::string_view>;
};

}  // namespace anonauth::sql
