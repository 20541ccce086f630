// anonauth/storage/sqlite/sqlite.hpp: the SQLite storage, driven by the static schema.
//
//   using auth_type = aa::anonymous_auth<app_schema, aa::storage<aa::sqlite_storage>, ...>;
//   auth_type auth{aa::sqlite_config{.path = "app.db"}};   // default: a private in-memory database
//   auth_type mine{aa::sqlite_config{.connection = db}};     // the app's own sqlite3*, left as it is
//
// Tables (the schema's, plus "session" and "account", or the names its aa::session_table and
// aa::account_table give; columns named as their members or by aa::column) are created on first
// open, with a unique index on the user's email and on the session token hash, and an index on
// every user-reference column; opening a database whose tables differ from the schema is an
// aa::storage_error naming the table and column, unless `migrate = aa::schema_migration::additive`
// may add what they lack (aa::schema_sql prints it instead). Tables, indexes, triggers and views
// the schema does not name are never touched (docs/existing-database.md). A file database runs in WAL mode with
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
#include <type_traits>
#include <utility>
#include <vector>

#include <unistd.h>

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
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    std::string path;
    if (config_.connection != nullptr) {
      // The app's connection: reads and writes share it, as they share an in-memory database.
      if (!config_.path.empty())
        throw storage_error("sqlite_storage: give either a path or a connection, not both");
      single_connection_ = true;
      writer_ = std::make_unique<connection>(config_.connection, &config_.before_statement);
      const char* file = sqlite3_db_filename(config_.connection, "main");
      path = file != nullptr && *file != '\0' ? std::string(file) : std::string(":memory:");
      require_writable(path);
      if (config_.configure_connection) {
        sqlite3_busy_timeout(config_.connection, static_cast<int>(config_.busy_timeout.count()));
        configure(*writer_, path, file != nullptr && *file != '\0');
      }
    } else {
      single_connection_ = config_.path.empty() || config_.path == ":memory:";
      path = single_connection_ ? std::string(":memory:") : config_.path;
      writer_ = std::make_unique<connection>(path, flags, config_.busy_timeout, &config_.before_statement);
      require_writable(path);
      if (!single_connection_) configure(*writer_, path, true);
    }
    transaction tx(*writer_, sql::access::write);
    detail::run_transaction(tx, *writer_, [this](connection& c) { sql::create_or_check_schema<dialect, Schema>(c, config_.migrate); });
    if (!single_connection_) {
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
    if (single_connection_) {  // one connection: reads queue behind writes
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
        this, [this] { return single_connection_ ? (write_mutex_.lock(), writer_.get()) : readers_.acquire(); },
        [this](connection* c) { single_connection_ ? write_mutex_.unlock() : readers_.release(c); },
        sql::select_by<dialect, Schema, Member>(), detail::member_type_t<Member>(value),
        &sql::read_row<row, sqlite::statement>);
  }

  /// fn(writer&) inside one write transaction; config::before_commit runs after it, before COMMIT.
  template <class Fn>
  auto write(Fn&& fn) {
    detail::reentrancy_guard guard(this);
    std::lock_guard lock(write_mutex_);
    if (!config_.before_commit) return run<writer>(*writer_, sql::access::write, std::forward<Fn>(fn));
    return run<writer>(*writer_, sql::access::write, [&](writer& w) {
      if constexpr (std::is_void_v<decltype(fn(w))>) {
        fn(w);
        config_.before_commit(writer_->handle());
      } else {
        auto out = fn(w);
        config_.before_commit(writer_->handle());
        return out;
      }
    });
  }

  /// What opening `cfg`'s database with aa::schema_migration::additive would run, without
  /// running it or changing anything (aa::schema_sql): the whole schema when there is no
  /// database yet.
  static std::vector<std::string> schema_statements(const config& cfg) {
    constexpr auto additive = schema_migration::additive;
    std::unique_ptr<connection> c;
    if (cfg.connection != nullptr) c = std::make_unique<connection>(cfg.connection, nullptr);
    else if (sqlite::is_plain_file_path(cfg.path) && ::access(cfg.path.c_str(), F_OK) != 0) c = nullptr;
    else if (!cfg.path.empty() && cfg.path != ":memory:")
      c = std::make_unique<connection>(cfg.path, SQLITE_OPEN_READONLY, cfg.busy_timeout, nullptr);
    if (!c) return sql::schema_plan<dialect, Schema, connection>(nullptr, additive);
    transaction tx(*c, sql::access::read);
    return detail::run_transaction(tx, *c, [](connection& conn) { return sql::schema_plan<dialect, Schema>(&conn, additive); });
  }

  /// The connection writes run on (the app's own when config::connection gave one).
  [[nodiscard]] sqlite3* native_handle() const noexcept { return writer_->handle(); }

 private:
  /// SQLite silently opens a write-protected file read-only; say so now, not at the first write.
  void require_writable(const std::string& path) const {
    if (sqlite3_db_readonly(writer_->handle(), "main") == 1)
      throw storage_error("sqlite_storage: cannot write \"" + path + "\": the database file is read-only");
  }
  /// The writer's pragmas on a file database, with the file named in a failure.
  void configure(connection& c, const std::string& path, bool file) {
    if (!file) return;  // an in-memory database has no journal to choose
    try {
      sqlite::set_pragmas(c, config_, true);
    } catch (const storage_error& e) {
      const std::string_view reason = std::string_view(e.what()).substr(std::string_view("sqlite_storage: ").size());
      throw storage_error("sqlite_storage: \"" + path + "\": " + std::string(reason));
    }
  }

  template <class View, class Fn>
  static auto run(connection& c, sql::access access, Fn&& fn) {
    transaction tx(c, access);
    View view(c);
    return detail::run_transaction(tx, view, std::forward<Fn>(fn));
  }

  config config_;
  bool single_connection_ = true;
  std::unique_ptr<connection> writer_;
  mutable std::mutex write_mutex_;
  mutable sqlite::reader_pool readers_;
};

}  // namespace anonauth
