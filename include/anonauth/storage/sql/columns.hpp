// anonauth/storage/sql/columns.hpp: a row as the SQL layer sees it, a list of named columns.
//
// An application row (and the user row) is described with Boost.Hana: its columns are its
// members, in Hana's order, named as the members. A row anonauth defines without Hana (a
// session, an account) describes its columns in sql::row_description (session_account_rows.hpp),
// so that one generator writes the SQL of every table. A column is named in C++ by its
// accessor type: Hana's accessor of a member, or sql::field / sql::nested_field.
//
// Those are a column's own names. The names SQL text uses are a table spec's (tables.hpp): the
// schema's aa::column entries rename members (spec_column_name); a row type alone names its
// columns as its members.
#pragma once

#include <anonauth/diag/storage.hpp>
#include <anonauth/schema/reflect.hpp>
#include <anonauth/storage/accessors.hpp>
#include <anonauth/storage/sql/dialect.hpp>

#include <boost/hana/accessors.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/tuple.hpp>

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

namespace anonauth::sql {

using detail::field;
using detail::nested_field;

/// One column of a row described by hand: its SQL name and its accessor.
template <class Get>
struct column {
  std::string_view name;
  Get get{};
};

/// Specialized for a row not described with Hana: `static constexpr auto columns`, a
/// boost::hana::tuple of sql::column, in table order.
template <class Row>
struct row_description;

template <class Row>
concept described_by_hand = requires { row_description<Row>::columns; };

/// The accessor type of member M of a Hana-described row: how SQL code names that column.
template <auto M>
using column_of = boost::hana::struct_detail::member_ptr<decltype(M), M>;

/// Calls f(name, accessor) for every column of Row, in table order.
template <class Row, class F>
constexpr void for_each_column(F&& f) {
  if constexpr (described_by_hand<Row>) {
    boost::hana::for_each(row_description<Row>::columns, [&](const auto& c) { f(c.name, c.get); });
  } else {
    static_assert(described_row<Row>, "a row type of an SQL table is described with Boost.Hana");
    boost::hana::for_each(boost::hana::accessors<Row>(), [&](auto pair) {
      f(std::string_view(boost::hana::to<const char*>(boost::hana::first(pair))), boost::hana::second(pair));
    });
  }
}

/// The member an accessor reads: M, for Hana's accessor of M, sql::field<M> and
/// sql::nested_field<Outer, M>.
template <class Get>
struct member_of_accessor;
template <class T, T M>
struct member_of_accessor<boost::hana::struct_detail::member_ptr<T, M>> {
  static constexpr auto value = M;
};
template <auto M>
struct member_of_accessor<field<M>> {
  static constexpr auto value = M;
};
template <auto Outer, auto M>
struct member_of_accessor<nested_field<Outer, M>> {
  static constexpr auto value = M;
};

/// A table spec (tables.hpp): a row type with its table's names. Functions below that take a
/// table spec or a row type name columns as the spec's aa::column entries say, or as members.
template <class T>
concept table_spec = requires { typename T::row; };

template <class T>
struct row_of_spec {
  using type = T;
};
template <table_spec T>
struct row_of_spec<T> {
  using type = typename T::row;
};
/// The row type of a table spec, or T itself.
template <class T>
using spec_row_t = typename row_of_spec<T>::type;

/// The name the spec (or row type) T gives the column Get, whose own name is `own`.
template <class T, class Get>
constexpr std::string_view spec_column_name(std::string_view own) {
  if constexpr (table_spec<T>) {
    return []<class... Cs>(detail::type_list<Cs...>, std::string_view n) {
      ((detail::same_member_v<Cs::member, member_of_accessor<Get>::value> ? (void)(n = Cs::name.view()) : void()),
       ...);
      return n;
    }(typename T::columns{}, own);
  } else {
    return own;
  }
}

/// Calls f(name, accessor) for every column of T (a table spec or a row type), in table order,
/// with the name SQL text uses.
template <class T, class F>
constexpr void for_each_named_column(F&& f) {
  for_each_column<spec_row_t<T>>([&](std::string_view own, const auto& get) {
    f(spec_column_name<T, std::remove_cvref_t<decltype(get)>>(own), get);
  });
}

template <class Row>
constexpr std::size_t column_count() {
  std::size_t n = 0;
  for_each_column<Row>([&](std::string_view, const auto&) { ++n; });
  return n;
}

/// The C++ type of the column that accessor Get reads from Row.
template <class Row, class Get>
using field_t = std::remove_cvref_t<decltype(std::declval<const Get&>()(std::declval<Row&>()))>;

/// The SQL name of the column Get names, in T (a table spec or a row type).
template <class T, class Get>
constexpr std::string_view name_of() {
  std::string_view name;
  for_each_named_column<T>([&](std::string_view n, const auto& get) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(get)>, Get>) name = n;
  });
  return name;
}

/// Refuses a member an SQL storage cannot hold, naming it in the diagnostic (Field).
template <class Field>
consteval bool require_storable() {
  diag::report<diag::unless_t<kind_of<Field>::supported, diag::sql_cannot_store<Field>>>();
  return kind_of<Field>::supported;
}

}  // namespace anonauth::sql
