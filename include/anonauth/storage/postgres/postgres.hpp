// anonauth/storage/postgres/postgres.hpp: the PostgreSQL storage, driven by the static schema.
//
//   using auth_type = aa::anonymous_auth<app_schema, aa::storage<aa::postgres_storage>, ...>;
//   auth_type auth{aa::postgres_config{.conninfo = "host=db dbname=app user=app", .pool_size = 16}};
//
// Many app servers may share one database: tables are created from the schema on first open,
// in one transaction under a lock, so two servers starting together do not race, and checked
// on every open (a mismatch is an aa::storage_error naming the table and the column, unless
// `migrate = aa::schema_migration::additive` may add what they lack). Identifiers are quoted
// (`"user"` is reserved); token hashes are BYTEA, timestamps BIGINT milliseconds (as on
// SQLite); the purge walks a partial index of guests.
//
// Correct across processes: a write's reads lock the rows they return (FOR UPDATE), so two
// links of one guest take turns and the second finds no guest; the purge takes guests with
// FOR UPDATE SKIP LOCKED. A write that meets a serialization failure or deadlock (40001,
// 40P01; `isolation = serializable` makes every conflict one), or loses its connection before
// COMMIT was sent, runs again on a fresh transaction with jittered backoff, up to max_attempts;
// a unique violation (23505) once, which sees the row the other writer committed. A connection
// lost after COMMIT was sent is an error saying so, never retried. No advisory lock or sequence
// on any call's path (opening takes one advisory lock), so the same code runs on engines that
// only have SERIALIZABLE (docs/storage-postgres.md).
//
// What is SQL, not PostgreSQL (the statements, the table checks, rows to parameters, the
// transaction skeleton) is the SQL layer's (storage/sql/); this folder holds the connection
// (pipelining, prepared statements, deadlines), the pool and the error mapping. CMake target:
// anonauth::postgres (libpq).
#pragma once

#include <anonauth/core/types.hpp>
#include <anonauth/policy/storage.hpp>
#include <anonauth/schema/schema.hpp>
#include <anonauth/storage/postgres/config.hpp>
#include <anonauth/storage/postgres/connection.hpp>
#include <anonauth/storage/postgres/dialect.hpp>
#include <anonauth/storage/postgres/pool.hpp>
#include <anonauth/storage/reentrancy.hpp>
#include <anonauth/storage/sql/reader.hpp>
#include <anonauth/storage/sql/schema_check.hpp>
#include <anonauth/storage/sql/writer.hpp>
#include <anonauth/storage/transaction.hpp>

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace anonauth {

namespace postgres {

/// A transaction on one leased connection, for detail::run_transaction: BEGIN goes out with
/// its first statement; a read's COMMIT is not waited for; retry() is the connection's.
class transaction {
 public:
  transaction(connection& c, const std::string& begin, bool write) : c_(&c), begin_(&begin), write_(write) {}
  void begin() { c_->begin(*begin_); }
  void commit() { write_ ? c_->commit() : c_->commit_read(); }
  void rollback() noexcept { c_->rollback(); }
  bool retry(unsigned attempt) { return c_->retry(attempt); }

 private:
  connection* c_;
  const std::string* begin_;
  bool write_;
};

/// The BEGIN of each kind of transaction.
struct begin_texts {
  static inline const std::string read{dialect::begin_read};
  static inline const std::string read_committed{dialect::begin_write};
  static inline const std::string serializable{"BEGIN ISOLATION LEVEL SERIALIZABLE"};
};

inline settings settings_of(const postgres_config& c) {
  settings s;
  s.conninfo = c.conninfo;
  s.schema = c.schema;
  s.connect_timeout = c.connect_timeout;
  s.io_timeout = c.io_timeout;
  s.lock_timeout = c.lock_timeout;
  s.statement_timeout = c.statement_timeout;
  s.prepared_statements = c.prepared_statements;
  s.max_attempts = c.max_attempts == 0 ? 1 : c.max_attempts;
  s.hook = &c.before_statement;
  return s;
}

/// What opening runs first, in the opening transaction: the schema if it is missing, then the
/// lock that makes servers opening together take turns (their CREATE TABLEs would otherwise
/// race on the catalog), keyed by the schema's name.
template <class Connection>
void prepare_open(Connection& c, const std::string& schema) {
  if (!schema.empty()) {
    std::string create = "CREATE SCHEMA IF NOT EXISTS ";
    dialect::quote_identifier(create, schema);
    c.execute(create);
  }
  static const std::string lock = "SELECT pg_advisory_xact_lock(hashtext('anonauth schema ' || current_schema()))";
  c.execute(lock);
}

}  // namespace postgres

/// The PostgreSQL storage policy.
class postgres_storage {
 public:
  using config = postgres_config;

  template <class Schema>
  class backend;
};

template <class Schema>
class postgres_storage::backend {
  using connection = postgres::connection;
  using dialect = postgres::dialect;
  using transaction = postgres::transaction;

 public:
  /// Reads through one connection, inside a REPEATABLE READ READ ONLY transaction.
  using reader = sql::reader<Schema, dialect, connection>;
  /// Writes inside one READ COMMITTED (or SERIALIZABLE) transaction; its reads lock rows.
  using writer = sql::writer<Schema, dialect, connection>;

  explicit backend(const config& cfg = {})
      : config_(cfg), settings_(postgres::settings_of(config_)), pool_(settings_, config_.pool_size, config_.acquire_timeout) {
    const postgres::pool::lease lease(pool_);
    connection& c = lease.get();
    c.start_write();
    transaction tx(c, postgres::begin_texts::read_committed, true);
    detail::run_transaction(tx, c, [this](connection& conn) {
      postgres::prepare_open(conn, config_.schema);
      sql::create_or_check_schema<dialect, Schema>(conn, config_.migrate);
    });
  }

  template <class Fn>
  auto read(Fn&& fn) const {
    detail::reentrancy_guard guard(this);
    const postgres::pool::lease lease(pool_);
    transaction tx(lease.get(), postgres::begin_texts::read, false);
    const reader view(lease.get());
    return detail::run_transaction(tx, view, std::forward<Fn>(fn));
  }

  /// fn(writer&) inside one write transaction, run again after a conflict (fn may run more
  /// than once); config::before_commit runs after it, before COMMIT.
  template <class Fn>
  auto write(Fn&& fn) {
    detail::reentrancy_guard guard(this);
    const postgres::pool::lease lease(pool_);
    connection& c = lease.get();
    c.start_write();
    transaction tx(c, config_.isolation == postgres_isolation::serializable ? postgres::begin_texts::serializable
                                                                              : postgres::begin_texts::read_committed,
                   true);
    writer w(c);
    if (!config_.before_commit) return detail::run_transaction(tx, w, fn);
    return detail::run_transaction(tx, w, [&](writer& view) {
      if constexpr (std::is_void_v<decltype(fn(view))>) {
        fn(view);
        config_.before_commit(c.handle());
      } else {
        auto out = fn(view);
        config_.before_commit(c.handle());
        return out;
      }
    });
  }

  /// What opening `cfg`'s database with aa::schema_migration::additive would run, without
  /// running it (aa::schema_sql): read in one read-only transaction. With no conninfo, the whole
  /// schema for a new database. When `cfg.schema` names a schema, the statements start by
  /// creating it and putting it first on search_path, so that another tool can run them as they are.
  static std::vector<std::string> schema_statements(const config& cfg) {
    std::vector<std::string> out;
    if (cfg.conninfo.empty()) {
      out = sql::schema_plan<dialect, Schema, connection>(nullptr, schema_migration::additive);
    } else {
      const postgres::settings s = postgres::settings_of(cfg);
      connection c(s);
      transaction tx(c, postgres::begin_texts::read, false);
      out = detail::run_transaction(tx, c, [](connection& conn) {
        return sql::schema_plan<dialect, Schema>(&conn, schema_migration::additive);
      });
    }
    if (!out.empty() && !cfg.schema.empty()) {
      std::string create = "CREATE SCHEMA IF NOT EXISTS ", path = "SET search_path TO ";
      dialect::quote_identifier(create, cfg.schema);
      dialect::quote_identifier(path, cfg.schema);
      out.insert(out.begin(), {std::move(create), std::move(path)});
    }
    return out;
  }

  /// Connections the pool holds open now (idle or in use).
  [[nodiscard]] std::size_t open_connections() const { return pool_.open(); }

 private:
  config config_;
  postgres::settings settings_;
  mutable postgres::pool pool_;
};

}  // namespace anonauth
