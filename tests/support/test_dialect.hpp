// tests/support/test_dialect.hpp: an SQL dialect for tests of the SQL layer that need no
// database: SQLite's spelling (question-mark placeholders, SQLite's types), as the databases
// written so far have it.
#pragma once

#include <anonauth/storage/sql/dialect.hpp>

#include <string>
#include <string_view>

namespace test_dialect {

struct question_marks {
  static constexpr std::string_view storage_name = "test_storage";
  static void quote_identifier(std::string& out, std::string_view id) { out.append("\"").append(id).append("\""); }
  static void placeholder(std::string& out, int) { out.push_back('?'); }
  static constexpr std::string_view type_name(anonauth::sql::value_kind kind) {
    switch (kind) {
      case anonauth::sql::value_kind::text: return "TEXT";
      case anonauth::sql::value_kind::real: return "REAL";
      case anonauth::sql::value_kind::blob: return "BLOB";
      default: return "INTEGER";
    }
  }
  static constexpr std::string_view true_literal = "1";
  static constexpr std::string_view false_literal = "0";
  static constexpr bool type_matches(std::string_view declared, std::string_view wanted) { return declared == wanted; }
  static constexpr std::string_view table_columns_query = "-";
  static constexpr std::string_view table_indexes_query = "-";
  static constexpr std::string_view begin_write = "BEGIN IMMEDIATE";
  static constexpr std::string_view begin_read = "BEGIN";
  static constexpr std::string_view commit = "COMMIT";
  static constexpr std::string_view rollback = "ROLLBACK";
};

}  // namespace test_dialect
