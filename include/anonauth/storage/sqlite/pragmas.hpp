// anonauth/storage/sqlite/pragmas.hpp: the journal mode and synchronous setting of a file
// database's connections.
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/storage/sql/schema_check.hpp>
#include <anonauth/storage/sqlite/config.hpp>
#include <anonauth/storage/sqlite/connection.hpp>
#include <anonauth/storage/sqlite/errors.hpp>

#include <sqlite3.h>

#include <chrono>
#include <string>
#include <thread>

namespace anonauth::sqlite {

/// Switches the journal mode, waiting like any writer when another process holds the lock
/// (SQLite does not apply the busy timeout to this switch), and checks SQLite took it.
inline void set_journal_mode(connection& c, const sqlite_config& config) {
  const bool wal = config.journal == sqlite_journal::wal;
  const char* sql = wal ? "PRAGMA journal_mode=WAL" : "PRAGMA journal_mode=DELETE";
  const auto deadline = std::chrono::steady_clock::now() + config.busy_timeout;
  for (;;) {
    int rc = SQLITE_OK;
    const std::string mode = c.query_value(sql, rc);
    if (rc == SQLITE_OK) {
      if (sql::upper(mode) != (wal ? "WAL" : "DELETE"))
        throw storage_error("sqlite_storage: the database cannot use the " + std::string(wal ? "WAL" : "DELETE") +
                            " journal here (SQLite kept \"" + mode + "\")");
      return;
    }
    if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) fail(c.handle(), rc, sql);
    if (std::chrono::steady_clock::now() >= deadline) fail(c.handle(), rc, sql);
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
}

/// The pragmas of a connection to a file database: the writer's checks the file and sets the
/// journal mode (which persists in the file), every connection its synchronous setting.
inline void set_pragmas(connection& c, const sqlite_config& config, bool writer) {
  if (writer) {
    // A file that is not a database fails here, at open, with SQLite's own words.
    c.execute("PRAGMA schema_version");
    set_journal_mode(c, config);
  }
  c.execute(config.synchronous == sqlite_synchronous::full ? std::string("PRAGMA synchronous=FULL")
                                                           : std::string("PRAGMA synchronous=NORMAL"));
}

}  // namespace anonauth::sqlite
