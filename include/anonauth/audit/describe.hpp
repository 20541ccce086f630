// anonauth/audit/describe.hpp: how aa::events::guest_linked names each migrator, computed at
// compile time from the schema (no string is built at run time).
#pragma once

#include <anonauth/audit/events.hpp>
#include <anonauth/detail/meta.hpp>
#include <anonauth/migrate/migrators.hpp>
#include <anonauth/schema/reflect.hpp>
#include <anonauth/schema/schema.hpp>

#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>

namespace anonauth::detail {

/// The SQL name of the table whose rows are Row.
template <class Row, class... Tables>
consteval std::string_view table_name_of(type_list<Tables...>) {
  std::string_view name;
  ((std::is_same_v<row_of_t<Tables>, Row> ? (void)(name = Tables::name.view()) : void()), ...);
  return name;
}

/// "a,b,c": the column names of Members, joined.
template <class Members>
struct joined_columns;
template <auto... Members>
struct joined_columns<value_list<Members...>> {
  static constexpr std::size_t size =
      (std::size_t{0} + ... + column_name<Members>().size()) + (sizeof...(Members) > 0 ? sizeof...(Members) - 1 : 0);
  static constexpr std::array<char, size + 1> chars = [] {
    std::array<char, size + 1> out{};
    std::size_t at = 0;
    (
        [&](std::string_view column) {
          if (at != 0) out[at++] = ',';
          for (char c : column) out[at++] = c;
        }(column_name<Members>()),
        ...);
    return out;
  }();
  static constexpr std::string_view value{chars.data(), size};
};

template <migrator_kind Kind>
inline constexpr std::string_view migrator_name =
    Kind == migrator_kind::reassign        ? "reassign"
    : Kind == migrator_kind::drop          ? "drop"
    : Kind == migrator_kind::leave         ? "leave"
    : Kind == migrator_kind::copy_if_empty ? "copy_if_empty"
    : Kind == migrator_kind::copy_fields   ? "copy_fields"
                                           : "on_link";

template <class Members>
struct first_row {
  using type = void;
};
template <auto First, auto... Rest>
struct first_row<value_list<First, Rest...>> {
  using type = class_of_t<First>;
};

/// An events::migrator_rows for Mig, its `rows` left for the link to fill.
template <class Schema, class Mig>
constexpr events::migrator_rows describe_migrator() {
  if constexpr (Mig::kind == migrator_kind::custom) {
    return {migrator_name<Mig::kind>, {}, {}, {}};
  } else {
    using row = typename first_row<typename Mig::members>::type;
    return {migrator_name<Mig::kind>, table_name_of<row>(typename Schema::tables{}),
            joined_columns<typename Mig::members>::value, {}};
  }
}

}  // namespace anonauth::detail
