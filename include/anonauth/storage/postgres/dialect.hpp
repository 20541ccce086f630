// anonauth/storage/postgres/dialect.hpp: PostgreSQL's SQL, for the SQL layer (sql/dialect.hpp).
#pragma once

#include <anonauth/storage/sql/dialect.hpp>

#include <string>
#include <string_view>

namespace anonauth::postgres {

struct dialect {
  static constexpr std::string_view storage_name = "postgres_storage";

  static void quote_identifier(std::string& out, std::string_view identifier) {
    out.push_back('"');
    for (char c : identifier) {
      if (c == '"') out.push_back('"');
      out.push_back(c);
    }
    out.push_back('"');
  }
  static void placeholder(std::string& out, int n) {
    out.push_back('$');
    out.append(std::to_string(n));
  }

  /// As information_schema.columns.data_type spells them, upper-cased. A timestamp is BIGINT
  /// milliseconds since the epoch, as on SQLite (and Better Auth's SQLite dates), so one row
  /// codec serves both and no time zone is ever involved; a token hash is BYTEA.
  static constexpr std::string_view type_name(sql::value_kind kind) {
    switch (kind) {
      case sql::value_kind::text: return "TEXT";
      case sql::value_kind::boolean: return "BOOLEAN";
      case sql::value_kind::integer: return "BIGINT";
      case sql::value_kind::real: return "DOUBLE PRECISION";
      case sql::value_kind::timestamp: return "BIGINT";
      case sql::value_kind::blob: return "BYTEA";
    }
    return "";
  }
  static constexpr std::string_view true_literal = "true";
  static constexpr std::string_view false_literal = "false";

  /// An app's own column fits when it reads and writes alike: VARCHAR/CHAR hold text, INTEGER
  /// and SMALLINT integers (values are sent as text and read by their type), REAL doubles.
  static constexpr bool type_matches(std::string_view declared, std::string_view wanted) {
    if (declared == wanted) return true;
    if (wanted == "TEXT") return declared == "CHARACTER VARYING" || declared == "CHARACTER";
    if (wanted == "BIGINT") return declared == "INTEGER" || declared == "SMALLINT";
    if (wanted == "DOUBLE PRECISION") return declared == "REAL";
    return false;
  }

  /// The columns of a table of the current schema (the first of search_path). A primary key's
  /// columns are NOT NULL in PostgreSQL, so is_nullable says it.
  static constexpr std::string_view table_columns_query =
      "SELECT column_name::text, data_type::text, is_nullable = 'YES', column_default IS NOT NULL "
      "FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 "
      "ORDER BY ordinal_position";
  static constexpr std::string_view table_indexes_query =
      "SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1";

  /// Transaction control (postgres.hpp sends BEGIN with the transaction's first statement, in
  /// one round trip, and picks the isolation from postgres_config).
  static constexpr std::string_view begin_write = "BEGIN";
  static constexpr std::string_view begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
  static constexpr std::string_view commit = "COMMIT";
  static constexpr std::string_view rollback = "ROLLBACK";

  /// What a write transaction's reads append to lock the rows they return until COMMIT, and the
  /// purge's walk, which takes guests no other transaction holds (sql/reader.hpp).
  static constexpr std::string_view lock_rows = " FOR UPDATE";
  static constexpr std::string_view lock_rows_skip_locked = " FOR UPDATE SKIP LOCKED";
  /// The purge's index holds guests only: `CREATE INDEX ... ("id") WHERE "is_anonymous" = true`.
  static constexpr bool partial_indexes = true;
};
static_assert(sql::dialect<dialect>);

}  // namespace anonauth::postgres
