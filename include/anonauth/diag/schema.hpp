// anonauth/diag/schema.hpp: diagnostics of aa::schema and its tables, E010-E018.
//
// Checked by schema/schema.hpp when a schema is named; docs/errors.md explains each code.
#pragma once

#include <anonauth/diag/report.hpp>
#include <anonauth/schema/core_field_list.hpp>  // the core fields, as types diagnostics can name

namespace anonauth {

namespace diag {

template <class User, class Field, class Expected>
struct missing_core_field : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<User, Field, Expected>,
                  "[anonauth.E010] the user table lacks a core field, or has it with another type: the user row "
                  "needs id, name, email (std::string), email_verified, is_anonymous (bool), image "
                  "(std::optional<std::string>), created_at, updated_at (aa::timestamp)");
  }
};
template <auto Member, class Row>
struct user_ref_not_in_row : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<member<Member>, Row>,
                  "[anonauth.E011] aa::user_ref names a member that is not a described member of its table's row");
  }
};
template <auto Member, class Expected, class Actual>
struct user_ref_type_mismatch : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<member<Member>, Expected, Actual>,
                  "[anonauth.E011] aa::user_ref names a member whose type is not the user id type (std::string)");
  }
};
template <class... Tables>
struct needs_one_user_table : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<Tables...>,
                  "[anonauth.E012] aa::schema needs exactly one aa::user_table<Row>");
  }
};
template <class Row>
struct duplicate_table : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<Row>,
                  "[anonauth.E012] two tables of aa::schema have the same row type or the same name");
  }
};
template <class T>
struct not_a_table : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E013] an argument of aa::schema is not a table: use aa::user_table<Row> or "
                  "aa::table<\"name\", Row, aa::user_ref<...>...>");
  }
};
template <class Row>
struct table_without_id : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<Row>,
                  "[anonauth.E014] a table's row has no described member `id` of type std::string (its key)");
  }
};
template <class Row>
struct row_not_described : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<Row>,
                  "[anonauth.E015] a table's row is not described to Boost.Hana: use BOOST_HANA_DEFINE_STRUCT "
                  "in the struct or BOOST_HANA_ADAPT_STRUCT beside it");
  }
};
template <auto Member>
struct server_set_not_an_app_field : failure {
  static constexpr void fire() {
    static_assert(dependent_false_v<Member>,
                  "[anonauth.E016] aa::server_set names a member that is not an app field of the user table: "
                  "name the user row's own members, not its core fields (email, is_anonymous, ...), which follow "
                  "anonauth's own rules");
  }
};

template <auto Member, class Table>
struct column_not_in_row : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<member<Member>, Table>,
                  "[anonauth.E017] aa::column names a member that is not a described member of its table's row "
                  "(a session's: a member of aa::session or &aa::session_record::hash; an account's: a member "
                  "of aa::account)");
  }
};
template <auto Member, class Table>
struct column_name_clash : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<member<Member>, Table>,
                  "[anonauth.E018] aa::column gives a member an empty column name, or a name another column of "
                  "its table has (another aa::column's, or another member's own name), or names a member twice");
  }
};

}  // namespace diag
}  // namespace anonauth
