// anonauth/storage/postgres/config.hpp: how to open the PostgreSQL storage.
#pragma once

#include <anonauth/storage/sql/schema_migration.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

struct pg_conn;

namespace anonauth {

/// The isolation of a write transaction (reads always run in one REPEATABLE READ snapshot).
///   - read_committed (the default): PostgreSQL's default; a write locks the rows it reads
///     (`SELECT ... FOR UPDATE`), so two links of one guest queue on the guest's session and the
///     second finds no guest. Fewest aborts under load.
///   - serializable: every write is SERIALIZABLE and a conflict aborts one of them (40001), which
///     is retried; what CockroachDB, YugabyteDB and Aurora DSQL run. The row locks stay.
enum class postgres_isolation { read_committed, serializable };

/// How to open the PostgreSQL storage.
struct postgres_config {
  /// libpq's connection string: "host=127.0.0.1 port=5432 dbname=app user=app" or a
  /// "postgresql://user@host:port/db" URI. Passwords are better left to ~/.pgpass or PGPASSWORD.
  std::string conninfo{};
  /// The schema (namespace) the tables live in, created if missing; empty: the connection's own
  /// search_path (usually "public"). One schema per tenant keeps tenants' tables apart.
  std::string schema{};
  /// Connections the pool opens at most (lazily, on demand). A read or write holds one for its
  /// transaction only.
  std::size_t pool_size = 8;
  /// How long a read or write waits for a free connection before an aa::storage_error.
  std::chrono::milliseconds acquire_timeout{5000};
  /// How long connecting (TCP, TLS, authentication) may take before an aa::storage_error.
  std::chrono::milliseconds connect_timeout{5000};
  /// How long anonauth waits for any answer of the server before it gives the connection up:
  /// what bounds a call when the server is frozen or the network drops packets silently. Keep it
  /// above statement_timeout.
  std::chrono::milliseconds io_timeout{30000};
  /// The server's lock_timeout for anonauth's sessions (a row lock waited for longer fails the
  /// statement with 55P03); 0 leaves the server's setting.
  std::chrono::milliseconds lock_timeout{5000};
  /// The server's statement_timeout for anonauth's sessions; 0 leaves the server's setting.
  std::chrono::milliseconds statement_timeout{15000};
  /// The isolation of write transactions (postgres_isolation).
  postgres_isolation isolation = postgres_isolation::read_committed;
  /// How often one write runs at most when it conflicts (serialization failure 40001, deadlock
  /// 40P01) or loses its connection before COMMIT was sent; a unique violation (23505) is
  /// retried once. Waits between attempts grow from 1 ms, jittered, up to 100 ms.
  unsigned max_attempts = 10;
  /// Prepare each statement once per connection (the default). Off for a pooler that cannot
  /// keep prepared statements (PgBouncer before 1.21 in transaction mode): every statement is
  /// then parsed each time.
  bool prepared_statements = true;
  /// What to do when the tables lack columns the schema has (aa::schema_migration).
  schema_migration migrate = schema_migration::none;
  /// Called inside every write transaction, after its statements and before COMMIT, with the
  /// connection: the app's own statements there commit or roll back with the write. May run
  /// more than once for one write (a retried conflict).
  std::function<void(::pg_conn*)> before_commit{};
  /// Test hook: called with the SQL text before every statement is sent; throwing
  /// aa::storage_error from it makes that statement fail (fault injection). Empty in production.
  std::function<void(std::string_view)> before_statement{};
};

}  // namespace anonauth
