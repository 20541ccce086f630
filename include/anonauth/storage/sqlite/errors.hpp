// anonauth/storage/sqlite/errors.hpp: SQLite's result codes as anonauth's errors.
//
// Every failure is an aa::storage_error starting "sqlite_storage: ", then what failed (the SQL
// text), then SQLite's words. A broken UNIQUE or PRIMARY KEY constraint is sql::unique_violation
// with the columns SQLite names ("UNIQUE constraint failed: account.provider_id,
// account.account_id"), from which the SQL layer's writer names the key.
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/storage/sql/tables.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace anonauth::sqlite {

/// The "table.column" entries of SQLite's message for a broken unique constraint; none if the
/// message has another form.
inline std::vector<std::string> unique_columns(std::string_view message) {
  static constexpr std::string_view lead = "UNIQUE constraint failed: ";
  std::vector<std::string> out;
  if (!message.starts_with(lead)) return out;
  message.remove_prefix(lead.size());
  while (!message.empty()) {  // "table.column, table.column"
    const std::size_t end = std::min(message.find(", "), message.size());
    out.emplace_back(message.substr(0, end));
    message.remove_prefix(std::min(end + 2, message.size()));
  }
  return out;
}

/// Throws aa::storage_error for an SQLite result code other than the expected ones.
[[noreturn]] inline void fail(sqlite3* db, int rc, std::string_view what) {
  std::string message = "sqlite_storage: ";
  message.append(what);
  message.append(": ");
  std::string reason = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  message.append(reason);
  // The extended code even on a connection the app opened without extended result codes.
  if (db != nullptr && (rc & 0xff) == (sqlite3_extended_errcode(db) & 0xff)) rc = sqlite3_extended_errcode(db);
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
    throw sql::unique_violation(message, unique_columns(reason));
  throw storage_error(message);
}

}  // namespace anonauth::sqlite
