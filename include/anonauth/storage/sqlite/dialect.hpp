// anonauth/storage/sqlite/dialect.hpp: SQLite's SQL, for the SQL layer (sql/dialect.hpp).
#pragma once

#include <anonauth/storage/sql/dialect.hpp>

#include <string>
#include <string_view>

namespace anonauth::sqlite {

struct dialect {
  static constexpr std::string_view storage_name = "sqlite_storage";

  static void quote_identifier(std::string& out, std::string_view identifier) {
    out.push_back('"');
    for (char c : identifier) {
      if (c == '"') out.push_back('"');
      out.push_back(c);
    }
    out.push_back('"');
  }
  static void placeholder(std::string& out, int) { out.push_back('?'); }

  /// SQLite's storage classes: a boolean is an INTEGER 0 or 1, a timestamp INTEGER milliseconds.
  static constexpr std::string_view type_name(sql::value_kind kind) {
    switch (kind) {
      case sql::value_kind::text: return "TEXT";
      case sql::value_kind::boolean: return "INTEGER";
      case sql::value_kind::integer: return "INTEGER";
      case sql::value_kind::real: return "REAL";
      case sql::value_kind::timestamp: return "INTEGER";
      case sql::value_kind::blob: return "BLOB";
    }
    return "";
  }
  static constexpr std::string_view true_literal = "1";

  static constexpr std::string_view table_columns_query =
      "SELECT name, type, \"notnull\" = 0 AND pk = 0, dflt_value IS NOT NULL FROM pragma_table_info(?)";

  /// IMMEDIATE: the write lock at BEGIN, waiting up to busy_timeout for another process's
  /// writer, so a write never fails half-way for want of it.
  static constexpr std::string_view begin_write = "BEGIN IMMEDIATE";
  static constexpr std::string_view begin_read = "BEGIN";
  static constexpr std::string_view commit = "COMMIT";
  static constexpr std::string_view rollback = "ROLLBACK";
};
static_assert(sql::dialect<dialect>);

}  // namespace anonauth::sqlite
