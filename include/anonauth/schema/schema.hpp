// anonauth/schema/schema.hpp: `aa::schema<tables...>`, the one description everything is driven by.
//
// Its entries are the tables, any aa::server_set markers, and at most one aa::session_table and
// one aa::account_table (the names of anonauth's own tables). The schema is checked when it is
// used by aa::anonymous_auth (E010-E018); `schema_check_t<S>` names the first failed check, or
// diag::ok.
#pragma once

#include <anonauth/core/time.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/diag/errors.hpp>
#include <anonauth/schema/core_field_list.hpp>
#include <anonauth/schema/reflect.hpp>
#include <anonauth/schema/table.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

namespace anonauth {

/// The type of every user id and user-reference column.
using user_id = std::string;

namespace detail {

template <class Table, class Ref>
struct ref_entry {
  using table = Table;
  using ref = Ref;
  static constexpr auto member = Ref::member;
  static constexpr on_delete rule = Ref::rule;
};

template <class... Lists>
struct concat;
template <>
struct concat<> {
  using type = type_list<>;
};
template <class... As>
struct concat<type_list<As...>> {
  using type = type_list<As...>;
};
template <class... As, class... Bs, class... Rest>
struct concat<type_list<As...>, type_list<Bs...>, Rest...> {
  using type = typename concat<type_list<As..., Bs...>, Rest...>::type;
};
template <class... Lists>
using concat_t = typename concat<Lists...>::type;

template <class Table, class Refs = typename Table::user_refs>
struct refs_of;
template <class Table, class... Refs>
struct refs_of<Table, type_list<Refs...>> {
  using type = type_list<ref_entry<Table, Refs>...>;
};

template <class T>
struct row_of {
  using type = void;
};
template <class T>
  requires is_table_v<T>
struct row_of<T> {
  using type = typename T::row_type;
};
template <class T>
using row_of_t = typename row_of<T>::type;

template <class T>
inline constexpr bool is_user_table_v = false;
template <class Row, class N, class... Cs>
inline constexpr bool is_user_table_v<named_user_table<Row, N, Cs...>> = true;

/// An aa::session_table or aa::account_table entry: not a table of rows the schema describes.
template <class T>
inline constexpr bool is_own_table_v = is_session_table_v<T> || is_account_table_v<T>;

template <class T>
struct is_session_entry : std::bool_constant<is_session_table_v<T>> {};
template <class T>
struct is_account_entry : std::bool_constant<is_account_table_v<T>> {};

/// The first of Entries that Is holds for, or Default.
template <class Default, template <class> class Is, class... Entries>
struct find_entry {
  using type = Default;
};
template <class Default, template <class> class Is, class E, class... Rest>
struct find_entry<Default, Is, E, Rest...> {
  using type = std::conditional_t<Is<E>::value, E, typename find_entry<Default, Is, Rest...>::type>;
};

/// The columns of anonauth's own tables, each named as its member: what an aa::column of an
/// aa::session_table or aa::account_table may rename (the SQL layer's order is its own).
using session_default_columns =
    type_list<column<&session::id, "id">, column<&session::user_id, "user_id">,
              column<&session::expires_at, "expires_at">, column<&session::created_at, "created_at">,
              column<&session::updated_at, "updated_at">, column<&session::ip_address, "ip_address">,
              column<&session::user_agent, "user_agent">, column<&session_record::hash, "token_hash">>;
using account_default_columns =
    type_list<column<&account::id, "id">, column<&account::user_id, "user_id">,
              column<&account::provider_id, "provider_id">, column<&account::account_id, "account_id">,
              column<&account::password_hash, "password_hash">, column<&account::created_at, "created_at">,
              column<&account::updated_at, "updated_at">>;

template <class... Tables>
struct find_user_table {
  using type = void;
};
template <class T, class... Rest>
struct find_user_table<T, Rest...> {
  using type = std::conditional_t<is_user_table_v<T>, T, typename find_user_table<Rest...>::type>;
};

template <class Table>
struct refs_of_any {
  using type = type_list<>;
};
template <class Table>
  requires is_table_v<Table>
struct refs_of_any<Table> {
  using type = typename refs_of<Table>::type;
};

/// The position of the first table whose name another table also has, or sizeof...(Tables).
/// The names are sorted once, O(N log N) comparisons: a comparison per pair of tables made GCC
/// evaluate and remember N^2 constant expressions (900 MB and 7 s for 100 tables).
template <class... Tables>
consteval std::size_t first_shared_name() {
  constexpr std::size_t n = sizeof...(Tables);
  if constexpr (n < 2) {
    return n;
  } else {
    const std::array<std::string_view, n> names{Tables::name.view()...};
    std::array<std::size_t, n> order{};
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return names[a] < names[b] || (names[a] == names[b] && a < b); });
    std::size_t found = n;
    for (std::size_t k = 1; k < n; ++k)
      if (names[order[k]] == names[order[k - 1]]) found = std::min(found, order[k - 1]);
    return found;
  }
}

/// E012 for the table at position I (instantiated only when there is one).
template <std::size_t I, class... Tables>
struct duplicate_name_at {
  using type = diag::duplicate_table<typename std::tuple_element_t<I, std::tuple<Tables...>>::row_type>;
};

template <class T, class... Ts>
inline constexpr std::size_t count_same_v = (std::size_t{0} + ... + (std::is_same_v<T, Ts> ? 1u : 0u));

template <class Entry>
struct server_set_members_of {
  using type = value_list<>;
};
template <auto... Ms>
struct server_set_members_of<server_set<Ms...>> {
  using type = value_list<Ms...>;
};

}  // namespace detail

template <class... Entries>
struct schema {
  /// Every entry but the aa::server_set markers and the aa::session_table / aa::account_table
  /// entries, in declaration order: the tables (an entry that is no table stays here, for E013).
  using tables =
      detail::concat_t<std::conditional_t<detail::is_server_set_v<Entries> || detail::is_own_table_v<Entries>,
                                          detail::type_list<>, detail::type_list<Entries>>...>;

  /// The names of the session and account tables: the aa::session_table / aa::account_table
  /// entry, or the defaults ("session", "account", every column named as its member).
  using session_table_desc =
      typename detail::find_entry<session_table<>, detail::is_session_entry, Entries...>::type;
  using account_table_desc =
      typename detail::find_entry<account_table<>, detail::is_account_entry, Entries...>::type;
  /// How many such entries there are (more than one of either, or a name another table has:
  /// E012).
  static constexpr std::size_t own_table_entries[2] = {
      (std::size_t{0} + ... + (detail::is_session_table_v<Entries> ? 1u : 0u)),
      (std::size_t{0} + ... + (detail::is_account_table_v<Entries> ? 1u : 0u))};

  /// The user table's description (void when the schema has none: E012).
  using user_table_desc = typename detail::find_user_table<Entries...>::type;

  /// Every (table, user_ref) pair of the schema, in declaration order.
  using user_refs = detail::concat_t<typename detail::refs_of_any<Entries>::type...>;

  /// The application tables (all but the user table).
  using app_tables = detail::concat_t<
      std::conditional_t<detail::is_user_table_v<Entries> || detail::is_server_set_v<Entries> ||
                             detail::is_own_table_v<Entries>,
                         detail::type_list<>, detail::type_list<Entries>>...>;

  /// The members of every aa::server_set entry, as written (checked by E016).
  using server_set_entries = detail::join_values_t<typename detail::server_set_members_of<Entries>::type...>;
  /// The same members, each once, in order of first appearance: a detail::value_list<&User::m...>.
  using server_set_members = typename detail::unique_values_of<server_set_entries>::type;

  template <class Row>
  static constexpr bool has_row_v = (std::is_same_v<Row, detail::row_of_t<Entries>> || ...);
};

template <class T>
inline constexpr bool is_schema_v = detail::is_specialization_v<T, schema>;

template <class Schema>
using user_row_t = typename Schema::user_table_desc::row_type;

namespace detail {
template <class List, template <class...> class F>
struct rows_as;
template <class... Tables, template <class...> class F>
struct rows_as<type_list<Tables...>, F> {
  using type = F<typename Tables::row_type...>;
};
}  // namespace detail

/// For storages: `F<Rows...>` over the row types of the schema's application tables, in
/// declaration order; e.g. `aa::app_rows_t<Schema, my_tables>` with
/// `template <class... Rows> using my_tables = std::tuple<std::map<std::string, Rows>...>;`.
template <class Schema, template <class...> class F>
using app_rows_t = typename detail::rows_as<typename Schema::app_tables, F>::type;

/// The row type a member belongs to: `aa::row_of_member_t<&note::owner_id>` is `note`.
template <auto Member>
using row_of_member_t = detail::class_of_t<Member>;

namespace detail {
// The table of a row type, found by overload resolution on a flat set of bases (no recursion
// through the tables, whose instantiations would each be named by the tables after them).
template <class Row, class Table>
struct row_to_table {};
template <class List>
struct row_table_map;
template <class... Tables>
struct row_table_map<type_list<Tables...>> : row_to_table<typename Tables::row_type, Tables>... {};
template <class Row, class Table>
Table table_of_row(const row_to_table<Row, Table>*);  // only in unevaluated contexts

/// The table description (aa::table or aa::user_table) whose row type is Row.
template <class Schema, class Row>
using table_of_row_t =
    decltype(table_of_row<Row>(static_cast<const row_table_map<typename Schema::tables>*>(nullptr)));
}  // namespace detail

/// The SQL name of the table whose row type is Row: `aa::table_name_v<app_schema, cart_item>` is
/// "cart_items"; for messages and SQL of a storage.
template <class Schema, class Row>
inline constexpr std::string_view table_name_v = detail::table_of_row_t<Schema, Row>::name.view();

namespace detail {
/// Whether M is a column declared aa::user_ref<M> by a table of the schema.
template <class Schema, auto M>
consteval bool is_declared_user_ref() {
  return []<class... Entries>(type_list<Entries...>) {
    return (same_member_v<Entries::member, M> || ...);
  }(typename Schema::user_refs{});
}

/// Whether Row is the row of an application table (a table of the schema other than the users').
template <class Schema, class Row>
inline constexpr bool is_app_row_v = Schema::template has_row_v<Row> && !std::is_same_v<Row, user_row_t<Schema>>;
}  // namespace detail

namespace detail {

// --- checks ------------------------------------------------------------------------------------

template <auto M>
consteval bool is_core_field() {
  return []<class... Fields>(type_list<Fields...>) {
    return ((column_name<M>() == Fields::column) || ...);
  }(core_fields{});
}

/// Whether M is a described member of the user row that is not a core field.
template <class Schema, auto M>
consteval bool is_user_app_field() {
  if constexpr (!is_data_member_pointer_v<M>) return false;
  else if constexpr (!std::is_same_v<class_of_t<M>, user_row_t<Schema>> || !is_described_column_v<M>) return false;
  else return !is_core_field<M>();
}

/// Whether M is an app field of the user row called `name`; false for anything E016 refuses,
/// so that a wrong server_set adds no error of its own to E016.
template <class Schema, auto M>
constexpr bool names_app_field(std::string_view name) {
  if constexpr (is_user_app_field<Schema, M>()) return column_name<M>() == name;
  else return false;
}

/// The first core field the user row lacks or has with another type (E010), in the list's order.
template <class User, class... Fields>
consteval auto check_core_fields(type_list<Fields...>) {
  return first_failure_t<diag::unless_t<has_field<User, typename Fields::type>(Fields::column),
                                        diag::missing_core_field<User, Fields, typename Fields::type>>...>{};
}

template <class Table>
consteval auto check_table_row() {
  using row = typename Table::row_type;
  if constexpr (!described_row<row>) return diag::row_not_described<row>{};
  else if constexpr (!has_field<row, std::string>("id")) return diag::table_without_id<row>{};
  else return diag::ok{};
}

template <class Entry>
consteval auto check_user_ref() {
  using row = typename Entry::table::row_type;
  constexpr auto m = Entry::member;
  if constexpr (!is_data_member_pointer_v<m>) return diag::user_ref_not_in_row<m, row>{};
  else if constexpr (!std::is_same_v<class_of_t<m>, row> || !is_described_column_v<m>)
    return diag::user_ref_not_in_row<m, row>{};
  else if constexpr (!std::is_same_v<member_type_t<m>, user_id>)
    return diag::user_ref_type_mismatch<m, user_id, member_type_t<m>>{};
  else return diag::ok{};
}

template <class... Tables>
consteval auto check_schema_impl(type_list<Tables...>) {
  if constexpr (!(is_table_v<Tables> && ...)) {
    return first_failure_t<std::conditional_t<is_table_v<Tables>, diag::ok, diag::not_a_table<Tables>>...>{};
  } else if constexpr ((0 + ... + (is_user_table_v<Tables> ? 1 : 0)) != 1) {
    return diag::needs_one_user_table<Tables...>{};
  } else {
    using dup_row = first_failure_t<std::conditional_t<
        (count_same_v<typename Tables::row_type, typename Tables::row_type...> > 1),
        diag::duplicate_table<typename Tables::row_type>, diag::ok>...>;
    constexpr std::size_t shared = first_shared_name<Tables...>();
    using dup_name = typename std::conditional_t<(shared < sizeof...(Tables)), duplicate_name_at<shared, Tables...>,
                                                 std::type_identity<diag::ok>>::type;
    using rows = first_failure_t<decltype(check_table_row<Tables>())...>;
    if constexpr (!dup_row::is_ok) return dup_row{};
    else if constexpr (!dup_name::is_ok) return dup_name{};
    else if constexpr (!rows::is_ok) return rows{};
    else return diag::ok{};
  }
}

template <class... Entries>
consteval auto check_refs(type_list<Entries...>) {
  return first_failure_t<decltype(check_user_ref<Entries>())...>{};
}

template <class Schema, auto... Ms>
consteval auto check_server_set(value_list<Ms...>) {
  return first_failure_t<std::conditional_t<is_user_app_field<Schema, Ms>(), diag::ok,
                                            diag::server_set_not_an_app_field<Ms>>...>{};
}

/// Whether member M is a column of Table (E017): a described member of its row, or one of an
/// own table's columns.
template <class Table, auto M>
consteval bool names_column_of() {
  if constexpr (!is_data_member_pointer_v<M>) {
    return false;
  } else if constexpr (is_session_table_v<Table> || is_account_table_v<Table>) {
    using defaults = std::conditional_t<is_session_table_v<Table>, session_default_columns, account_default_columns>;
    return []<class... Ds>(type_list<Ds...>) { return (same_member_v<Ds::member, M> || ...); }(defaults{});
  } else {
    return std::is_same_v<class_of_t<M>, typename Table::row_type> && is_described_column_v<M>;
  }
}

/// Whether `name` is the own name of a column of Table other than member M.
template <class Table, auto M>
consteval bool is_other_members_name(std::string_view name) {
  if constexpr (is_session_table_v<Table> || is_account_table_v<Table>) {
    using defaults = std::conditional_t<is_session_table_v<Table>, session_default_columns, account_default_columns>;
    return []<class... Ds>(type_list<Ds...>, std::string_view n) {
      return ((!same_member_v<Ds::member, M> && Ds::name.view() == n) || ...);
    }(defaults{}, name);
  } else {
    bool found = false;
    boost::hana::for_each(boost::hana::accessors<typename Table::row_type>(), [&](auto pair) {
      if constexpr (!accessor_is_v<decltype(boost::hana::second(pair)), M>) {
        if (std::string_view(boost::hana::to<const char*>(boost::hana::first(pair))) == name) found = true;
      }
    });
    return found;
  }
}

/// Whether aa::column C of Table clashes (E018): an empty name, a name or member another of the
/// table's columns Cs also has, or another member's own name.
template <class Table, class C, class... Cs>
consteval bool column_clashes() {
  if (C::name.view().empty()) return true;
  if ((0u + ... + ((same_member_v<C::member, Cs::member> || C::name.view() == Cs::name.view()) ? 1u : 0u)) > 1)
    return true;
  return is_other_members_name<Table, C::member>(C::name.view());
}

/// Whether own table Desc's name is another table's: one of Tables or `other` (the other own
/// table's).
template <class Desc, class... Tables>
consteval bool own_name_taken(type_list<Tables...>, std::string_view other) {
  return Desc::name.view() == other || ((Desc::name.view() == Tables::name.view()) || ...);
}

template <class Table, class... Cs>
consteval auto check_columns(type_list<Cs...>) {
  using missing =
      first_failure_t<std::conditional_t<names_column_of<Table, Cs::member>(), diag::ok,
                                         diag::column_not_in_row<Cs::member, Table>>...>;
  if constexpr (!missing::is_ok) return missing{};
  else
    return first_failure_t<std::conditional_t<column_clashes<Table, Cs, Cs...>(),
                                              diag::column_name_clash<Cs::member, Table>, diag::ok>...>{};
}

template <class... Tables>
consteval auto check_table_columns(type_list<Tables...>) {
  return first_failure_t<decltype(check_columns<Tables>(typename Tables::columns{}))...>{};
}

template <class Schema>
consteval auto check_schema() {
  if constexpr (!is_schema_v<Schema>) {
    return diag::not_a_schema<Schema>{};
  } else {
    using tables = decltype(check_schema_impl(typename Schema::tables{}));
    if constexpr (!tables::is_ok) return tables{};
    else if constexpr (Schema::own_table_entries[0] > 1)
      return diag::duplicate_table<typename Schema::session_table_desc>{};
    else if constexpr (Schema::own_table_entries[1] > 1)
      return diag::duplicate_table<typename Schema::account_table_desc>{};
    else if constexpr (Schema::own_table_entries[0] == 1 &&
                       own_name_taken<typename Schema::session_table_desc>(
                           typename Schema::tables{}, Schema::account_table_desc::name.view()))
      return diag::duplicate_table<typename Schema::session_table_desc>{};
    else if constexpr (Schema::own_table_entries[1] == 1 &&
                       own_name_taken<typename Schema::account_table_desc>(
                           typename Schema::tables{}, Schema::session_table_desc::name.view()))
      return diag::duplicate_table<typename Schema::account_table_desc>{};
    else {
      using core = decltype(check_core_fields<user_row_t<Schema>>(core_fields{}));
      using refs = decltype(check_refs(typename Schema::user_refs{}));
      using columns = decltype(check_table_columns(
          concat_t<typename Schema::tables, type_list<typename Schema::session_table_desc,
                                                      typename Schema::account_table_desc>>{}));
      if constexpr (!core::is_ok) return core{};
      else if constexpr (!refs::is_ok) return refs{};
      else if constexpr (!columns::is_ok) return columns{};
      else return decltype(check_server_set<Schema>(typename Schema::server_set_entries{})){};
    }
  }
}

}  // namespace detail

/// diag::ok, or the first thing wrong with Schema.
template <class Schema>
using schema_check_t = decltype(detail::check_schema<Schema>());

namespace detail {
/// Whether the user row's member called `member_name` (its snake_case column name) is one of
/// Schema's aa::server_set members, which clients may not set.
template <class Schema>
constexpr bool is_server_set(std::string_view member_name) {
  return []<auto... Ms>(value_list<Ms...>, [[maybe_unused]] std::string_view name) {
    return (names_app_field<Schema, Ms>(name) || ...);
  }(typename Schema::server_set_members{}, member_name);
}
}  // namespace detail

}  // namespace anonauth
