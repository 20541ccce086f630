// anonauth/schema/table.hpp: the vocabulary of a static schema.
//
//   aa::user_table<user>                                           the user table, SQL name "user"
//   aa::table<"cart_items", cart_item, aa::user_ref<&cart_item::user_id>>
//   aa::user_ref<&draft::author_id, aa::on_delete::keep>           survives the user's deletion
//   aa::server_set<&user::role, &user::plan>                       clients read them, never set them
#pragma once

#include <anonauth/core/fixed_string.hpp>
#include <anonauth/detail/meta.hpp>

#include <cstddef>
#include <utility>

namespace anonauth {

/// What deleting a user does to the rows that reference it.
enum class on_delete {
  cascade,  // the rows are deleted with the user (the default)
  keep,     // the rows stay, still holding the old id (audit trails, orders...)
};

/// Declares that member `Member` of a table's row holds a user id.
template <auto Member, on_delete Rule = on_delete::cascade>
struct user_ref {
  static constexpr auto member = Member;
  static constexpr on_delete rule = Rule;
};

namespace detail {
/// A table's SQL name as a type, so that a compiler's notes show it as text. Clang prints a
/// string template argument as a list of numbers, so there the name is a pack of characters
/// (`table_name<'c', 'a', 'r', 't'>`); GCC prints the string itself (`{"cart"}`).
#if defined(__clang__)
template <char... Cs>
inline constexpr char table_name_text[sizeof...(Cs) + 1] = {Cs..., '\0'};
template <char... Cs>
struct table_name {
  static constexpr fixed_string<sizeof...(Cs) + 1> value{table_name_text<Cs...>};
};
template <fixed_string Name, std::size_t... I>
auto table_name_of(std::index_sequence<I...>) -> table_name<Name.chars[I]...>;
template <fixed_string Name>
using table_name_t = decltype(table_name_of<Name>(std::make_index_sequence<Name.size()>{}));
#else
template <fixed_string Name>
struct table_name {
  static constexpr auto value = Name;
};
template <fixed_string Name>
using table_name_t = table_name<Name>;
#endif
}  // namespace detail

/// An application table (spelled aa::table<"name", Row, aa::user_ref<...>...>): its SQL name,
/// row type, and the row's user-reference columns.
template <class Name, class Row, class... UserRefs>
struct named_table {
  using row_type = Row;
  using user_refs = detail::type_list<UserRefs...>;
  static constexpr auto name = Name::value;
  static constexpr bool is_user_table = false;
};
template <fixed_string Name, class Row, class... UserRefs>
using table = named_table<detail::table_name_t<Name>, Row, UserRefs...>;

/// The user table (spelled aa::user_table<Row> or aa::user_table<Row, "name">). Its row has
/// the eight core fields (see docs/schema-and-migrations.md) plus any app fields.
template <class Row, class Name>
struct named_user_table {
  using row_type = Row;
  using user_refs = detail::type_list<>;
  static constexpr auto name = Name::value;
  static constexpr bool is_user_table = true;
};
template <class Row, fixed_string Name = "user">
using user_table = named_user_table<Row, detail::table_name_t<Name>>;

/// App fields of the user row that clients may read but never set (Better Auth's
/// `additionalFields: { role: { input: false } }`): a schema entry beside the tables, any
/// number of them (their members add up). Each member is an app field of the user row (E016).
/// detail::server_set_refusal and detail::is_server_set tell the operations and the HTTP layer
/// which of a client's changes to refuse (FIELD_NOT_ALLOWED).
template <auto... Members>
struct server_set {
  using members = detail::value_list<Members...>;
};

namespace detail {
template <class T>
inline constexpr bool is_server_set_v = false;
template <auto... Ms>
inline constexpr bool is_server_set_v<server_set<Ms...>> = true;

template <class T>
inline constexpr bool is_user_ref_v = false;
template <auto M, on_delete R>
inline constexpr bool is_user_ref_v<user_ref<M, R>> = true;

template <class T>
inline constexpr bool is_table_v = false;
template <class N, class Row, class... Refs>
inline constexpr bool is_table_v<named_table<N, Row, Refs...>> = true;
template <class Row, class N>
inline constexpr bool is_table_v<named_user_table<Row, N>> = true;
}  // namespace detail

}  // namespace anonauth
