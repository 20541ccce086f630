// anonauth/schema/table.hpp: the vocabulary of a static schema.
//
//   aa::user_table<user>                                           the user table, SQL name "user"
//   aa::table<"cart_items", cart_item, aa::user_ref<&cart_item::user_id>>
//   aa::user_ref<&draft::author_id, aa::on_delete::keep>           survives the user's deletion
//   aa::server_set<&user::role, &user::plan>                       clients read them, never set them
//
// Your names, so that anonauth fits an existing database (Better Auth's `modelName` and
// `fields`): aa::column<&Row::member, "name"> among a table's entries stores that member in a
// column of that name, and the session and account tables take a name and columns as entries of
// the schema. Without them every column is named as its member.
//   aa::table<"orders", order, aa::user_ref<&order::customer_id>, aa::column<&order::customer_id, "customer">>
//   aa::user_table<user, "users", aa::column<&user::email_verified, "email_verified">>
//   aa::session_table<"sessions", aa::column<&aa::session::user_id, "owner">,
//                     aa::column<&aa::session_record::hash, "token">>    the token hash's column
//   aa::account_table<"accounts", aa::column<&aa::account::provider_id, "provider">>
// An aa::column names a described member of its table's row (E017); no two columns of a table
// end up with one name, and a name is not empty (E018).
#pragma once

#include <anonauth/core/fixed_string.hpp>
#include <anonauth/detail/meta.hpp>

#include <cstddef>
#include <type_traits>
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

/// The column name of one member (spelled aa::column<&Row::member, "name">), an entry of the
/// table whose row has that member: aa::table, aa::user_table, aa::session_table or
/// aa::account_table. SQL storages store the member in that column; the memory storage ignores
/// names.
template <auto Member, class Name>
struct named_column {
  static constexpr auto member = Member;
  static constexpr auto name = Name::value;
};
template <auto Member, fixed_string Name>
using column = named_column<Member, detail::table_name_t<Name>>;

namespace detail {
template <class T>
inline constexpr bool is_column_v = false;
template <auto M, class N>
inline constexpr bool is_column_v<named_column<M, N>> = true;

template <class E, class List>
struct prepend_to;
template <class E, class... Ts>
struct prepend_to<E, type_list<Ts...>> {
  using type = type_list<E, Ts...>;
};

/// The entries of a table that are aa::column (Columns = true) or the others, in order.
template <bool Columns, class... Entries>
struct entries_of {
  using type = type_list<>;
};
template <bool Columns, class E, class... Rest>
struct entries_of<Columns, E, Rest...> {
  using rest = typename entries_of<Columns, Rest...>::type;
  using type = std::conditional_t<is_column_v<E> == Columns, typename prepend_to<E, rest>::type, rest>;
};
}  // namespace detail

/// An application table (spelled aa::table<"name", Row, aa::user_ref<...>..., aa::column<...>...>,
/// the entries in any order): its SQL name, row type, the row's user-reference columns and the
/// columns it names itself.
template <class Name, class Row, class... Entries>
struct named_table {
  using row_type = Row;
  using user_refs = typename detail::entries_of<false, Entries...>::type;
  using columns = typename detail::entries_of<true, Entries...>::type;
  static constexpr auto name = Name::value;
  static constexpr bool is_user_table = false;
};
template <fixed_string Name, class Row, class... Entries>
using table = named_table<detail::table_name_t<Name>, Row, Entries...>;

/// The user table (spelled aa::user_table<Row>, aa::user_table<Row, "name"> or
/// aa::user_table<Row, "name", aa::column<&Row::member, "column">...>, core fields and app fields
/// alike). Its row has the eight core fields (see docs/schema-and-migrations.md) plus any app
/// fields.
template <class Row, class Name, class... Columns>
struct named_user_table {
  using row_type = Row;
  using user_refs = detail::type_list<>;
  using columns = detail::type_list<Columns...>;
  static constexpr auto name = Name::value;
  static constexpr bool is_user_table = true;
};
template <class Row, fixed_string Name = "user", class... Columns>
using user_table = named_user_table<Row, detail::table_name_t<Name>, Columns...>;

/// The names of anonauth's own tables, schema entries beside the tables (at most one of each):
/// aa::session_table<"sessions", aa::column<&aa::session::member, "column">...> and
/// aa::account_table<"accounts", aa::column<&aa::account::member, "column">...>. A session's
/// columns are the members of aa::session plus &aa::session_record::hash ("token_hash"); an
/// account's, the members of aa::account. Without an entry: "session" and "account", every
/// column named as its member.
template <class Name, class... Columns>
struct named_session_table {
  using columns = detail::type_list<Columns...>;
  static constexpr auto name = Name::value;
};
template <fixed_string Name = "session", class... Columns>
using session_table = named_session_table<detail::table_name_t<Name>, Columns...>;

template <class Name, class... Columns>
struct named_account_table {
  using columns = detail::type_list<Columns...>;
  static constexpr auto name = Name::value;
};
template <fixed_string Name = "account", class... Columns>
using account_table = named_account_table<detail::table_name_t<Name>, Columns...>;

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
template <class Row, class N, class... Cs>
inline constexpr bool is_table_v<named_user_table<Row, N, Cs...>> = true;

template <class T>
inline constexpr bool is_session_table_v = false;
template <class N, class... Cs>
inline constexpr bool is_session_table_v<named_session_table<N, Cs...>> = true;
template <class T>
inline constexpr bool is_account_table_v = false;
template <class N, class... Cs>
inline constexpr bool is_account_table_v<named_account_table<N, Cs...>> = true;
}  // namespace detail

}  // namespace anonauth
