// anonauth/storage/sqlite/sqlite.hpp: the SQLite storage, driven by the static schema.
//
//   using auth_type = aa::anonymous_auth<app_schema, aa::storage<aa::sqlite_storage>, ...>;
//   auth_type auth{aa::sqlite_config{.path = "app.db"}};   // default: a private in-memory database
//
// Tables (the schema's, plus "session" and "account", or the names its aa::session_table and
// aa::account_table give; columns named as their members or by aa::column) are created on first
// open, with a unique index on the user's email and on the session token hash, and an index on
// every user-reference column; opening a database whose tables differ from the schema is an
// aa::storage_error naming the table and column. A file database runs in WAL mode with
// synchronous=NORMAL (a commit is durable once the WAL is synced at checkpoint; a crash loses
// at most the last transactions, never consistency); `synchronous = sqlite_synchronous::full`
// syncs every commit. Writers take
// BEGIN IMMEDIATE and wait up to `busy_timeout` for another process; readers use their own
// connections. Every statement is prepared once per connection; a migrator's reassign is one
// UPDATE. What is SQL, not SQLite (the statements, the table checks, binding rows, the
// transaction skeleton) is the SQL layer's (storage/sql/); this folder holds the connection,
// the pragmas, the reader pool, the cursor of where() and the error mapping. A database file
// it creates is the owner's only (0600, and SQLite's journals follow); an existing file keeps
// its mode. CMake target: anonauth::sqlite.
#pragma once

#include <anonauth/core/types.hpp>
#include <anonauth/policy/storage.hpp>
#include <anonauth/schema/schema.hpp>
#include <anonauth/storage/reentrancy.hpp>
#include <anonauth/storage/sql/reader.hpp>
#include <anonauth/storage/sql/schema_check.hpp>
#include <anonauth/storage/sql/transaction.hpp>
#include <anonauth/storage/sql/writer.hpp>
#include <anonauth/storage/sqlite/config.hpp>
#include <anonauth/storage/sqlite/connection.hpp>
#include <anonauth/storage/sqlite/cursor.hpp>
#include <anonauth/storage/sqlite/dialect.hpp>
#include <anonauth/storage/sqlite/pragmas.hpp>
#include <anonauth/storage/sqlite/reader_pool.hpp>
#include <anonauth/storage/transaction.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace anonauth {

/// The SQLite storage policy.
class sqlite_storage {
 public:
  using config = sqlite_config;

  template <class Schema>
  class backend;
};

template <class Schema>
class sqlite_storage::backend {
  using connection = sqlite::connection;
  using dialect = sqlite::dialect;
  using transaction = sql::transaction<dialect, connection>;

 public:
  /// Reads through one connection, inside a read transaction (a consistent snapshot).
  using reader = sql::reader<Schema, dialect, connection>;
  /// Writes inside one BEGIN IMMEDIATE transaction.
  using writer = sql::writer<Schema, dialect, connection>;

  explicit backend(const config& cfg = {}) : config_(cfg) {
    in_memory_ = config_.path.empty() || config_.path == ":memory:";
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const std::string path = in_memory_ ? std::string(":memory:") : config_.path;
    writer_ = std::make_unique<connection>(path, flags, config_.busy_timeout, &config_.before_statement);
    if (!in_memory_) {
      // SQLite silently opens a write-protected file read-only; say so now, not at the first write.
      if (sqlite3_db_readonly(writer_->handle(), "main") == 1)
        throw storage_error("sqlite_storage: cannot write \"" + path + "\": the database file is read-only");
      try {
        sqlite::set_pragmas(*writer_, config_, true);
      } catch (const storage_error& e) {
        const std::string_view reason = std::string_view(e.what()).substr(std::string_view("sqlite_storage: ").size());
        throw storage_error("sqlite_storage: \"" + path + "\": " + std::string(reason));
      }
    }
    transaction tx(*writer_, sql::access::write);
    detail::run_transaction(tx, *writer_, [](connection& c) { sql::create_or_check_schema<dialect, Schema>(c); });
    if (!in_memory_) {
      for (std::size_t i = 0; i < std::max<std::size_t>(1, config_.read_connections); ++i) {
        auto c = std::make_unique<connection>(path, flags, config_.busy_timeout, &config_.before_statement);
        sqlite::set_pragmas(*c, config_, false);
        readers_.add(std::move(c));
      }
    }
  }

  template <class Fn>
  auto read(Fn&& fn) const {
    detail::reentrancy_guard guard(this);
    if (in_memory_) {  // one connection: reads queue behind writes
      std::lock_guard lock(write_mutex_);
      return run<const reader>(*writer_, sql::access::read, std::forward<Fn>(fn));
    }
    const sqlite::reader_pool::lease lease(readers_);
    return run<const reader>(lease.get(), sql::access::read, std::forward<Fn>(fn));
  }

  /// A reader's where, outside any transaction: the range holds a connection and its read
  /// transaction while it lives (storage/sqlite/cursor.hpp).
  template <auto Member, class Value>
  auto where(const Value& value) const {
    using row = detail::class_of_t<Member>;
    static_assert(require_schema_row<Schema, row>());
    return sqlite::row_stream<row>::leased(
        this, [this] { return in_memory_ ? (write_mutex_.lock(), writer_.get()) : readers_.acquire(); },
        [this](connection* c) { in_memory_ ? write_mutex_.unlock() : readers_.release(c); },
        sql::select_by<dialect, Schema, Member>(), detail::member_type_t<Member>(value),
        &sql::read_row<row, sqlite::statement>);
  }

  template <class Fn>
  auto write(Fn&& fn) {
    detail::reentrancy_guard guard(this);
    std::lock_guard lock(write_mutex_);
    return run<writer>(*writer_, sql::access::write, std::forward<Fn>(fn));
  }

 private:
  template <class View, class Fn>
  static auto run(connection& c, sql::access access, Fn&& fn) {
    transaction tx(c, access);
    View view(c);
    return detail::run_transaction(tx, view, std::forward<Fn>(fn));
  }

  config config_;
  bool in_memory_ = true;
  std::unique_ptr<connection> writer_;
  mutable std::mutex write_mutex_;
  mutable sqlite::reader_pool readers_;
};

}  // namespace anonauth
