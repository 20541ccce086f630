// anonauth/storage/sqlite/config.hpp: how to open the SQLite storage.
#pragma once

#include <anonauth/storage/sql/schema_migration.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

struct sqlite3;

namespace anonauth {

enum class sqlite_synchronous { normal, full };
enum class sqlite_journal { wal, rollback };

/// How to open the SQLite storage.
struct sqlite_config {
  /// The database file; empty: a private in-memory database (gone with the auth). Created with
  /// mode 0600 if it does not exist (a `file:` URI is left to SQLite).
  std::string path{};
  /// A connection the app opened and keeps owning, instead of `path`: the storage runs every read
  /// and write on it (one at a time), never closes it, and leaves its settings (pragmas, busy
  /// timeout) as they are unless `configure_connection`. It must outlive the auth; the app
  /// must not use it while an auth call runs on another thread (auth.transaction() runs the
  /// app's own statements inside a write, on this connection).
  ::sqlite3* connection = nullptr;
  /// How long a writer waits for another process's write lock before SQLITE_BUSY.
  std::chrono::milliseconds busy_timeout{5000};
  /// NORMAL (the default, with WAL: durable at checkpoints, always consistent) or FULL
  /// (every commit synced).
  sqlite_synchronous synchronous = sqlite_synchronous::normal;
  /// WAL (the default: readers never wait for the writer) or SQLite's rollback journal
  /// (journal_mode=DELETE, what Better Auth's SQLite setup uses; readers wait for commits).
  sqlite_journal journal = sqlite_journal::wal;
  /// Connections for concurrent readers (a file database; in memory there is one connection).
  std::size_t read_connections = 4;
  /// With `connection`: set busy_timeout, journal and synchronous on it as on a file the storage
  /// opens. Off by default: the app's connection is the app's.
  bool configure_connection = false;
  /// What to do when the tables lack columns the schema has (aa::schema_migration): by default
  /// an error; `additive` adds them. Tables and columns the schema does not name are never
  /// touched.
  schema_migration migrate = schema_migration::none;
  /// Called inside every write transaction of the auth, after its statements and before COMMIT,
  /// with the connection: the app's own statements there commit or roll back with the write
  /// (throwing rolls it back and fails the operation with the exception's error).
  std::function<void(::sqlite3*)> before_commit{};
  /// Test hook: called with the SQL text before every statement runs; throwing aa::storage_error
  /// from it makes that statement fail (fault injection). Empty in production.
  std::function<void(std::string_view)> before_statement{};
};

}  // namespace anonauth
