// anonauth/diag/migrations.hpp: diagnostics of aa::link_migrations (E001-E007) and of the table
// handles migrators and the app use (E008, E009).
//
// Checked per migrator by migrate/check.hpp; docs/errors.md explains each code.
#pragma once

#include <anonauth/diag/report.hpp>

namespace anonauth::diag {

template <auto Member>
struct column_not_in_schema : failure {
  static constexpr void fire() {
    static_assert(dependent_false_v<Member>,
                  "[anonauth.E001] this migrator names a member of a type that is no table of the schema: "
                  "add the table to aa::schema or name a column of one of its tables");
  }
};
template <auto Member>
struct not_a_user_reference : failure {
  static constexpr void fire() {
    static_assert(dependent_false_v<Member>,
                  "[anonauth.E002] reassign/drop/leave names a column that is not a declared user reference: "
                  "declare it with aa::user_ref<&Row::member> in its aa::table, or migrate another column");
  }
};
template <auto Member, class Expected, class Actual>
struct user_reference_type_mismatch : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<member<Member>, Expected, Actual>,
                  "[anonauth.E002] reassign/drop/leave names a column whose type is not the user id type");
  }
};
template <auto Member>
struct unhandled_user_reference : failure {
  static constexpr void fire() {
    static_assert(dependent_false_v<Member>,
                  "[anonauth.E003] a user-reference column of the schema is handled by no migrator, so a guest's rows "
                  "would be orphaned on linking: add aa::reassign, aa::drop or aa::leave for it to aa::link_migrations");
  }
};
template <auto Member>
struct not_a_user_app_field : failure {
  static constexpr void fire() {
    static_assert(dependent_false_v<Member>,
                  "[anonauth.E004] copy_if_empty/copy_fields names a member that is not an app field of the user "
                  "table (core fields such as email or is_anonymous are never copied)");
  }
};
template <auto Member>
struct duplicate_migrator : failure {
  static constexpr void fire() {
    static_assert(dependent_false_v<Member>,
                  "[anonauth.E005] two migrators handle the same column: keep one of them");
  }
};
template <auto Member>
struct copy_if_empty_needs_text : failure {
  static constexpr void fire() {
    static_assert(dependent_false_v<Member>,
                  "[anonauth.E006] copy_if_empty needs a std::string or std::optional<std::string> field: "
                  "use copy_fields for other types");
  }
};
template <class T>
struct not_a_migrator : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E007] an element of aa::link_migrations is not a migrator: use aa::reassign, aa::drop, "
                  "aa::leave, aa::copy_if_empty, aa::copy_fields or aa::on_link<F>");
  }
};

template <class Migrator>
struct copy_fields_without_members : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<Migrator>, "[anonauth.E007] aa::copy_fields needs at least one member");
  }
};
template <class Row, auto Member>
struct query_member_of_another_row : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<Row, member<Member>>,
                  "[anonauth.E009] find_by<&Row::member> and where<&Row::member> name a member of the handle's own "
                  "row: table<Row>().find_by<&Row::member>(value)");
  }
};
template <class Row>
struct user_table_is_read_only : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<Row>,
                  "[anonauth.E008] the user table is read-only through table<User>(): create, edit and delete users "
                  "with the operations of anonymous_auth (in a migrator: ctx.update_user)");
  }
};

}  // namespace anonauth::diag
