// anonauth/diag/storage.hpp: diagnostics of calls into a storage, and of the storages' own limits.
//
// A storage asserts the preconditions of its row-typed functions through aa::require_schema_row,
// aa::require_app_row and aa::require_user_reference (policy/storage.hpp), so that a direct call
// through auth.storage() that breaks one fails the same way on every storage. docs/errors.md
// explains each code.
#pragma once

#include <anonauth/diag/report.hpp>

namespace anonauth::diag {

template <class Row>
struct row_not_in_schema : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<Row>,
                  "[anonauth.E001] this row type is no table of the schema (the row is named in the note below): "
                  "add aa::table<\"name\", Row, ...> for it to the schema, or use a row type the schema has");
  }
};
template <class Row>
struct not_an_app_row : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<Row>,
                  "[anonauth.E001] this row type is no application table of the schema: users are written with "
                  "insert_user, update_user and erase_user");
  }
};
template <auto Member>
struct reassign_needs_user_reference : failure {
  static constexpr void fire() {
    static_assert(dependent_false_v<Member>,
                  "[anonauth.E002] reassign<&Row::member> needs a column declared aa::user_ref<&Row::member>");
  }
};

template <class Row>
struct table_not_in_schema : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<Row>,
                  "[anonauth.E001] table<Row>(): Row is no table of the schema (the row is named in the note below): "
                  "add aa::table<\"name\", Row, ...> for it to aa::schema<...>, or call table<> with a row type the "
                  "schema has");
  }
};

template <class Field>
struct sql_cannot_store : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<Field>,
                  "[anonauth.E130] an SQL storage cannot store a member of this type: use std::string, bool, an "
                  "integer, a floating-point type, aa::timestamp or std::optional of one");
  }
};

template <class Storage>
struct storage_without_sql : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<Storage>,
                  "[anonauth.E131] native_handle() and aa::schema_sql need a storage on an SQL database (the "
                  "storage is named in the note below): use aa::storage<aa::sqlite_storage>, or run the app's own "
                  "work through table handles, which every storage has");
  }
};

}  // namespace anonauth::diag
