// anonauth/storage/sqlite/config.hpp: how to open the SQLite storage.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace anonauth {

enum class sqlite_synchronous { normal, full };
enum class sqlite_journal { wal, rollback };

/// How to open the SQLite storage.
struct sqlite_config {
  /// The database file; empty: a private in-memory database (gone with the auth). Created with
  /// mode 0600 if it does not exist (a `file:` URI is left to SQLite).
  std::string path{};
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
  /// Test hook: called with the SQL text before every statement runs; throwing aa::storage_error
  /// from it makes that statement fail (fault injection). Empty in production.
  std::function<void(std::string_view)> before_statement{};
};

}  // namespace anonauth
