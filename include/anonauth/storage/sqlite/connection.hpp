// anonauth/storage/sqlite/connection.hpp: one SQLite connection, its cache of prepared
// statements, and binding and reading of every SQL value kind (sql/dialect.hpp): the connector
// the SQL layer's reads and writes run on (sql/row_codec.hpp).
#pragma once

#include <anonauth/core/time.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/diag/storage.hpp>
#include <anonauth/policy/storage.hpp>
#include <anonauth/storage/sql/dialect.hpp>
#include <anonauth/storage/sqlite/errors.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace anonauth::sqlite {

/// Whether `path` names a database file for anonauth to create, rather than an in-memory
/// database (empty or ":memory:") or a URI, which only SQLite parses.
inline bool is_plain_file_path(std::string_view path) {
  return !path.empty() && path != ":memory:" && !path.starts_with("file:");
}

/// Creates the database file at `path`, empty and with mode 0600, if nothing is there. SQLite
/// would create it 0644 less the umask, and gives the -wal, -shm and -journal files beside it the
/// database file's mode: created here, the database and its journals are the owner's only. A
/// file already there is left as it is, its mode the owner's choice; any other failure is left
/// to sqlite3_open_v2, whose message says what is wrong.
inline void create_private_file(const std::string& path) {
  int fd = -1;
  do {
    // O_EXCL|O_NOFOLLOW: never through a symbolic link, never a file someone else just made.
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return;
  (void)::fchmod(fd, 0600);  // a umask may take the owner's bits too; ours is the file just made
  ::close(fd);
}

// --- prepared statements ----------------------------------------------------------------------

/// A prepared statement, reset when the guard ends so the connection can reuse it.
class statement {
 public:
  statement(sqlite3* db, sqlite3_stmt* stmt, const std::function<void(std::string_view)>* hook)
      : db_(db), stmt_(stmt), hook_(hook) {}
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  ~statement() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  // Parameters are 1-based, as in SQLite.
  void bind(int i, std::string_view v) { check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC)); }
  void bind(int i, const std::string& v) { bind(i, std::string_view(v)); }
  void bind(int i, const char* v) { bind(i, std::string_view(v)); }
  void bind(int i, bool v) { check(sqlite3_bind_int64(stmt_, i, v ? 1 : 0)); }
  template <class T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
  void bind(int i, T v) {
    check(sqlite3_bind_int64(stmt_, i, static_cast<sqlite3_int64>(v)));
  }
  template <class T>
    requires std::is_floating_point_v<T>
  void bind(int i, T v) {
    check(sqlite3_bind_double(stmt_, i, static_cast<double>(v)));
  }
  void bind(int i, timestamp v) { check(sqlite3_bind_int64(stmt_, i, v.time_since_epoch().count())); }
  void bind(int i, const token_hash& h) {
    check(sqlite3_bind_blob(stmt_, i, h.data(), static_cast<int>(h.size()), SQLITE_STATIC));
  }
  template <class T>
  void bind(int i, const std::optional<T>& v) {
    if (v) bind(i, *v);
    else check(sqlite3_bind_null(stmt_, i));
  }

  /// Runs to the next row: true if there is one.
  bool step() {
    if (hook_ != nullptr && *hook_) (*hook_)(sqlite3_sql(stmt_));
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, rc, sqlite3_sql(stmt_));
  }
  /// Runs a statement that returns no rows; the number of rows it changed.
  std::size_t run() {
    while (step()) {
    }
    return static_cast<std::size_t>(sqlite3_changes(db_));
  }

  template <class T>
  T column(int c) const {
    if constexpr (sql::is_optional<T>::value) {
      if (sqlite3_column_type(stmt_, c) == SQLITE_NULL) return std::nullopt;
      return column<typename sql::is_optional<T>::value_type>(c);
    } else if constexpr (std::is_same_v<T, std::string>) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
      return text == nullptr ? std::string() : std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, c)));
    } else if constexpr (std::is_same_v<T, bool>) {
      return sqlite3_column_int64(stmt_, c) != 0;
    } else if constexpr (std::is_integral_v<T>) {
      return static_cast<T>(sqlite3_column_int64(stmt_, c));
    } else if constexpr (std::is_floating_point_v<T>) {
      return static_cast<T>(sqlite3_column_double(stmt_, c));
    } else if constexpr (std::is_same_v<T, timestamp>) {
      return timestamp{std::chrono::milliseconds{sqlite3_column_int64(stmt_, c)}};
    } else if constexpr (std::is_same_v<T, token_hash>) {
      token_hash h{};
      if (sqlite3_column_bytes(stmt_, c) == static_cast<int>(h.size()))
        std::memcpy(h.data(), sqlite3_column_blob(stmt_, c), h.size());
      return h;
    } else {
      diag::report<diag::sql_cannot_store<T>>();  // require_storable refused it first
    }
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) fail(db_, rc, "bind");
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  const std::function<void(std::string_view)>* hook_;
};

template <class Row>
class row_stream;  // cursor.hpp

/// One connection and the statements prepared on it, keyed by the address of their SQL text
/// (every SQL text anonauth runs is a function-local static, built once per table and operation).
class connection {
 public:
  /// Opens `path` (creating a plain file 0600) with `busy_timeout`.
  connection(const std::string& path, int flags, std::chrono::milliseconds busy_timeout,
             const std::function<void(std::string_view)>* hook)
      : hook_(hook) {
    if ((flags & SQLITE_OPEN_CREATE) != 0 && is_plain_file_path(path)) create_private_file(path);
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string what = "cannot open \"" + path + "\"";
      sqlite3* db = db_;
      db_ = nullptr;
      std::string message = "sqlite_storage: " + what + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
      sqlite3_close_v2(db);
      throw storage_error(message);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, static_cast<int>(busy_timeout.count()));
  }
  /// Borrows a connection the app opened: its settings stay as they are, and it stays open (only
  /// the statements prepared here are finalized).
  connection(sqlite3* borrowed, const std::function<void(std::string_view)>* hook)
      : db_(borrowed), owned_(false), hook_(hook) {}
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    if (owned_) sqlite3_close_v2(db_);
  }

  using statement = sqlite::statement;
  /// The lazy rows of a statement (cursor.hpp): what lets the SQL layer's reader offer where.
  template <class Row>
  using stream = row_stream<Row>;

  /// The cached statement for `sql` (a string with static storage duration).
  statement prepare(const std::string& sql) {
    auto it = cache_.find(&sql);
    if (it == cache_.end()) {
      sqlite3_stmt* stmt = nullptr;
      const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size() + 1), SQLITE_PREPARE_PERSISTENT,
                                        &stmt, nullptr);
      if (rc != SQLITE_OK) fail(db_, rc, sql);
      it = cache_.emplace(&sql, stmt).first;
    }
    return statement(db_, it->second, hook_);
  }

  /// Runs SQL text once, unprepared (DDL, pragmas, transaction control).
  void execute(const std::string& sql) {
    if (hook_ != nullptr && *hook_) (*hook_)(sql);
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
      std::string message = error != nullptr ? error : sqlite3_errstr(rc);
      sqlite3_free(error);
      throw storage_error("sqlite_storage: " + sql + ": " + message);
    }
  }

  /// Runs SQL text once and returns its first value (a pragma's answer); SQLite's result code in
  /// `rc`, SQLITE_OK on success.
  std::string query_value(const char* sql, int& rc) {
    std::string value;
    rc = sqlite3_exec(
        db_, sql,
        [](void* out, int columns, char** values, char**) {
          if (columns > 0 && values[0] != nullptr) *static_cast<std::string*>(out) = values[0];
          return 0;
        },
        &value, nullptr);
    return value;
  }

  /// Runs transaction control without the fault hook (a ROLLBACK must not be made to fail).
  int execute_quietly(const char* sql) noexcept { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }

  [[nodiscard]] sqlite3* handle() const noexcept { return db_; }
  /// The fault hook every statement of this connection runs (config::before_statement), for a
  /// statement prepared outside the cache.
  [[nodiscard]] const std::function<void(std::string_view)>* statement_hook() const noexcept { return hook_; }

 private:
  sqlite3* db_ = nullptr;
  bool owned_ = true;
  std::unordered_map<const std::string*, sqlite3_stmt*> cache_;
  const std::function<void(std::string_view)>* hook_;
};

}  // namespace anonauth::sqlite
