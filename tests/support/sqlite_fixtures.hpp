// Fixtures of the SQLite storage tests: the seed application on aa::sqlite_storage, a fault
// injector for sqlite_config::before_statement, and a second, raw SQLite connection that reads
// a database file and dumps it table by table (what the storage wrote, seen from outside it).
//
// Everything lives in namespace sqlite_fixtures so that it never collides with the types of
// other test files linked into the same executable.
#pragma once

#include <anonauth/anonauth.hpp>
#include <anonauth/storage/sqlite/sqlite.hpp>

#include "link_fixtures.hpp"
#include "test_files.hpp"

#include <sqlite3.h>

#include <cstddef>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sqlite_fixtures {

namespace aa = anonauth;

using link_fixtures::app_schema;
using link_fixtures::fast_hashing;
using link_fixtures::seed_link;

/// The seed application on SQLite, linking with `Link`.
template <class Schema, class Link>
using sqlite_auth_of = aa::anonymous_auth<Schema, aa::link<Link>, aa::storage<aa::sqlite_storage>, fast_hashing>;

using seed_sqlite_auth = sqlite_auth_of<app_schema, seed_link>;

/// A file database at a fresh path of this run.
inline aa::sqlite_config file_config(const std::string& name) {
  aa::sqlite_config config;
  config.path = test_files::unique_path(name);
  return config;
}

// --- fault injection ----------------------------------------------------------------------------

/// Counts the statements the storage runs while `active`, remembering their SQL, and makes the
/// `fail_at`-th of them (1-based; 0: none) throw aa::storage_error. Install it with `hook()`; it
/// must outlive the auth whose config holds the hook.
struct fault_injector {
  bool active = false;
  std::size_t fail_at = 0;
  std::size_t seen = 0;
  std::vector<std::string> statements;
  std::string failed_statement;

  /// Starts counting from zero; the `fail_at`-th statement from now on fails.
  void arm(std::size_t at) {
    active = true;
    fail_at = at;
    seen = 0;
    statements.clear();
    failed_statement.clear();
  }
  void disarm() {
    active = false;
    fail_at = 0;
  }

  void operator()(std::string_view sql) {
    if (!active) return;
    ++seen;
    statements.emplace_back(sql);
    if (seen == fail_at) {
      failed_statement = std::string(sql);
      throw aa::storage_error("injected fault at statement " + std::to_string(seen) + ": " + failed_statement);
    }
  }

  std::function<void(std::string_view)> hook() {
    return [this](std::string_view sql) { (*this)(sql); };
  }

  /// The statements seen, one a line, numbered from 1 (for INFO).
  [[nodiscard]] std::string listing() const {
    std::string out;
    for (std::size_t i = 0; i < statements.size(); ++i)
      out += std::to_string(i + 1) + ": " + statements[i] + "\n";
    return out;
  }
};

// --- a raw connection -----------------------------------------------------------------------------

/// A plain sqlite3 connection to a database file, beside (not through) the storage.
class raw_db {
 public:
  explicit raw_db(const std::string& path, int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close_v2(db_);
      throw std::runtime_error("raw_db: cannot open " + path + ": " + message);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  raw_db(const raw_db&) = delete;
  raw_db& operator=(const raw_db&) = delete;
  ~raw_db() { sqlite3_close_v2(db_); }

  /// Runs SQL text; throws std::runtime_error with SQLite's message on failure.
  void exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error != nullptr ? error : sqlite3_errmsg(db_);
      sqlite3_free(error);
      throw std::runtime_error("raw_db: " + sql + ": " + message);
    }
  }

  /// Every row of a query, each as "col=value|col=value", in the query's order.
  std::vector<std::string> rows(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
      throw std::runtime_error("raw_db: " + sql + ": " + sqlite3_errmsg(db_));
    std::vector<std::string> out;
    int rc = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      std::string row;
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        if (c != 0) row += '|';
        row += sqlite3_column_name(st, c);
        row += '=';
        row += value(st, c);
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) throw std::runtime_error("raw_db: " + sql + ": " + sqlite3_errmsg(db_));
    return out;
  }

  /// Every row of a query, each as its columns' text (NULL as ""), in the query's order.
  std::vector<std::vector<std::string>> values(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
      throw std::runtime_error("raw_db: " + sql + ": " + sqlite3_errmsg(db_));
    std::vector<std::vector<std::string>> out;
    int rc = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
        row.emplace_back(text != nullptr ? text : "");
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) throw std::runtime_error("raw_db: " + sql + ": " + sqlite3_errmsg(db_));
    return out;
  }

  [[nodiscard]] sqlite3* handle() const noexcept { return db_; }

 private:
  static std::string value(sqlite3_stmt* st, int c) {
    switch (sqlite3_column_type(st, c)) {
      case SQLITE_NULL: return "NULL";
      case SQLITE_INTEGER: return std::to_string(sqlite3_column_int64(st, c));
      case SQLITE_FLOAT: return std::to_string(sqlite3_column_double(st, c));
      case SQLITE_BLOB: {
        const auto* bytes = static_cast<const unsigned char*>(sqlite3_column_blob(st, c));
        std::string hex = "x'";
        char digits[3];
        for (int i = 0; i < sqlite3_column_bytes(st, c); ++i) {
          std::snprintf(digits, sizeof digits, "%02x", bytes[i]);
          hex += digits;
        }
        return hex + "'";
      }
      default: {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
        return "'" + std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(st, c))) + "'";
      }
    }
  }

  sqlite3* db_ = nullptr;
};

/// Everything a database file holds: its schema (tables, indexes) and every row of every table,
/// sorted, as one comparable string. Read through a connection of its own.
inline std::string dump(const std::string& path) {
  raw_db db(path, SQLITE_OPEN_READWRITE);
  std::string out;
  db.exec("BEGIN");
  for (const auto& entry : db.rows("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"))
    out += entry + "\n";
  for (const auto& table : db.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
    const std::string name = table.substr(std::string("name='").size(), table.size() - std::string("name='").size() - 1);
    const auto all = db.rows("SELECT * FROM \"" + name + "\" ORDER BY 1");
    out += "table " + name + " (" + std::to_string(all.size()) + " rows)\n";
    for (const auto& row : all) out += "  " + row + "\n";
  }
  db.exec("COMMIT");
  return out;
}

}  // namespace sqlite_fixtures
