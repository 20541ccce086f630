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
  static constexpr std::string_view false_literal = "0";

  /// SQLite's type affinity of a declared column type (its rules, in their order: "INT"; "CHAR",
  /// "CLOB" or "TEXT"; "BLOB" or nothing; "REAL", "FLOA" or "DOUB"; else NUMERIC).
  static constexpr std::string_view affinity(std::string_view declared) {
    const auto has = [&](std::string_view part) { return declared.find(part) != std::string_view::npos; };
    if (has("INT")) return "INTEGER";
    if (has("CHAR") || has("CLOB") || has("TEXT")) return "TEXT";
    if (has("BLOB") || declared.empty()) return "BLOB";
    if (has("REAL") || has("FLOA") || has("DOUB")) return "REAL";
    return "NUMERIC";
  }
  /// An app's own column fits when SQLite stores it alike: VARCHAR(255) holds text as TEXT does,
  /// BIGINT integers as INTEGER does, and a BOOLEAN (NUMERIC) column 0 and 1 as INTEGER does.
  static constexpr bool type_matches(std::string_view declared, std::string_view wanted) {
    const std::string_view have = affinity(declared);
    return have == affinity(wanted) || (wanted == "INTEGER" && have == "NUMERIC" && declared.starts_with("BOOL"));
  }

  static constexpr std::string_view table_columns_query =
      "SELECT name, type, \"notnull\" = 0 AND pk = 0, dflt_value IS NOT NULL FROM pragma_table_info(?)";
  static constexpr std::string_view table_indexes_query = "SELECT name FROM pragma_index_list(?)";

  /// IMMEDIATE: the write lock at BEGIN, waiting up to busy_timeout for another process's
  /// writer, so a write never fails half-way for want of it.
  static constexpr std::string_view begin_write = "BEGIN IMMEDIATE";
  static constexpr std::string_view begin_read = "BEGIN";
  static constexpr std::string_view commit = "COMMIT";
  static constexpr std::string_view rollback = "ROLLBACK";
};
static_assert(sql::dialect<dialect>);

}  // namespace anonauth::sqlite
