// anonauth/storage/postgres/connection.hpp: one libpq connection, the statements prepared on it,
// and binding and reading of every SQL value kind: the connector the SQL layer's reads and
// writes run on (sql/row_codec.hpp).
//
// Round trips. Every statement goes out in libpq's pipeline mode, with what it needs sent ahead
// of it in the same batch: the transaction's BEGIN (held back until there is a statement to
// send it with), the statement's Parse on its first use on this connection. A read's COMMIT is
// sent without waiting; its answer is read by the connection's next use. So a read of one
// statement costs one round trip, and a write's first statement shares its trip with BEGIN.
//
// Values. Text and hashes go as binary parameters (their bytes as they are, no escaping);
// numbers and booleans as text, which the server reads into whatever integer type the column
// has. Results come back binary and are decoded by their column's type. Text with a NUL byte
// or invalid UTF-8 is refused before it is sent: PostgreSQL cannot store it.
//
// Deadlines. The socket is non-blocking and every wait polls it with a deadline
// (postgres_config::io_timeout, connect_timeout), so a frozen server or a silent network costs
// an aa::storage_error after that long, never a hang; the connection is then broken and the pool
// replaces it.
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/core/time.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/core/utf8.hpp>
#include <anonauth/diag/storage.hpp>
#include <anonauth/storage/postgres/errors.hpp>
#include <anonauth/storage/sql/dialect.hpp>

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <poll.h>

namespace anonauth::postgres {

using clock = std::chrono::steady_clock;

/// What every connection of one storage is opened with (from postgres_config).
struct settings {
  std::string conninfo;
  std::string schema;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds io_timeout{30000};
  std::chrono::milliseconds lock_timeout{5000};
  std::chrono::milliseconds statement_timeout{15000};
  bool prepared_statements = true;
  unsigned max_attempts = 10;
  const std::function<void(std::string_view)>* hook = nullptr;
};

// The type OIDs of the server's built-in types (pg_type.dat; stable across versions).
namespace oid {
inline constexpr Oid boolean = 16, bytea = 17, int8 = 20, int2 = 21, int4 = 23, text = 25, float4 = 700,
                     float8 = 701;
}  // namespace oid

namespace detail {
/// A big-endian integer of `n` bytes at `p`, sign-extended.
inline std::int64_t read_big_endian(const char* p, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  if (n < 8 && (v >> (8 * n - 1)) != 0) v |= ~std::uint64_t{0} << (8 * n);  // negative
  return static_cast<std::int64_t>(v);
}
}  // namespace detail

class connection;

/// A statement's parameters and, once run, its result; reading a row is reading the result.
class statement {
 public:
  statement(connection& c, const std::string& sql) : c_(&c), sql_(&sql) {}
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  statement(statement&& o) noexcept
      : c_(o.c_), sql_(o.sql_), params_(std::move(o.params_)), res_(std::exchange(o.res_, nullptr)), row_(o.row_) {}
  statement& operator=(statement&&) = delete;
  ~statement() {
    if (res_ != nullptr) PQclear(res_);
  }

  // Parameters are 1-based, as in libpq's $1.
  void bind(int i, std::string_view v) {
    if (!is_storable_text(v))
      throw storage_error("postgres_storage: text with a NUL byte or invalid UTF-8 cannot be stored (parameter " +
                          std::to_string(i) + " of " + *sql_ + ")");
    param(i).set(std::string(v), true);
  }
  void bind(int i, const std::string& v) { bind(i, std::string_view(v)); }
  void bind(int i, const char* v) { bind(i, std::string_view(v)); }
  void bind(int i, bool v) { param(i).set(v ? "t" : "f", false); }
  template <class T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
  void bind(int i, T v) {
    param(i).set(std::to_string(static_cast<std::int64_t>(v)), false);
  }
  template <class T>
    requires std::is_floating_point_v<T>
  void bind(int i, T v) {
    char buffer[64];
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, static_cast<double>(v)).ptr;
    param(i).set(std::string(buffer, end), false);
  }
  void bind(int i, timestamp v) { bind(i, static_cast<std::int64_t>(v.time_since_epoch().count())); }
  void bind(int i, const token_hash& h) {
    param(i).set(std::string(reinterpret_cast<const char*>(h.data()), h.size()), true);
  }
  template <class T>
  void bind(int i, const std::optional<T>& v) {
    if (v) bind(i, *v);
    else param(i).null = true;
  }

  /// Runs the statement on its first call; then the next row: true if there is one.
  bool step() {
    if (res_ == nullptr) execute();
    return ++row_ < PQntuples(res_);
  }
  /// Runs a statement that returns no rows; the number of rows it changed.
  std::size_t run();

  template <class T>
  T column(int c) const {
    if constexpr (sql::is_optional<T>::value) {
      if (PQgetisnull(res_, row_, c) != 0) return std::nullopt;
      return column<typename sql::is_optional<T>::value_type>(c);
    } else {
      const char* v = PQgetvalue(res_, row_, c);
      const int n = PQgetlength(res_, row_, c);
      const Oid type = PQftype(res_, c);
      if constexpr (std::is_same_v<T, std::string>) {
        return std::string(v, static_cast<std::size_t>(n));
      } else if constexpr (std::is_same_v<T, bool>) {
        return n == 1 && v[0] != 0;
      } else if constexpr (std::is_integral_v<T>) {
        return static_cast<T>(integer(type, v, n));
      } else if constexpr (std::is_floating_point_v<T>) {
        if (type == oid::float4 && n == 4) {
          const auto bits = static_cast<std::uint32_t>(detail::read_big_endian(v, 4));
          float f;
          std::memcpy(&f, &bits, 4);
          return static_cast<T>(f);
        }
        if (type == oid::float8 && n == 8) {
          const auto bits = static_cast<std::uint64_t>(detail::read_big_endian(v, 8));
          double d;
          std::memcpy(&d, &bits, 8);
          return static_cast<T>(d);
        }
        return static_cast<T>(integer(type, v, n));
      } else if constexpr (std::is_same_v<T, timestamp>) {
        return timestamp{std::chrono::milliseconds{integer(type, v, n)}};
      } else if constexpr (std::is_same_v<T, token_hash>) {
        token_hash h{};
        if (n == static_cast<int>(h.size())) std::memcpy(h.data(), v, h.size());
        return h;
      } else {
        anonauth::diag::report<anonauth::diag::sql_cannot_store<T>>();  // require_storable refused it first
      }
    }
  }

  /// Whether PostgreSQL can store `v` as text: valid UTF-8 without a NUL byte.
  static bool is_storable_text(std::string_view v) noexcept {
    return v.find('\0') == std::string_view::npos && is_valid_utf8(v);
  }

 private:
  friend class connection;
  struct value {
    std::string bytes;
    bool binary = false;
    bool null = false;
    void set(std::string b, bool bin) {
      bytes = std::move(b);
      binary = bin;
      null = false;
    }
  };
  value& param(int i) {
    if (static_cast<std::size_t>(i) > params_.size()) params_.resize(static_cast<std::size_t>(i));
    return params_[static_cast<std::size_t>(i - 1)];
  }
  std::int64_t integer(Oid type, const char* v, int n) const {
    if ((type == oid::int8 && n == 8) || (type == oid::int4 && n == 4) || (type == oid::int2 && n == 2))
      return detail::read_big_endian(v, n);
    if (type == oid::boolean && n == 1) return v[0] != 0 ? 1 : 0;
    throw storage_error("postgres_storage: a column of type " + std::to_string(type) +
                        " where an integer was expected, in " + *sql_);
  }
  void execute();

  connection* c_;
  const std::string* sql_;
  std::vector<value> params_;
  PGresult* res_ = nullptr;
  int row_ = -1;
};

/// One connection to the server and the statements prepared on it, keyed by the address of
/// their SQL text (every text anonauth runs is a function-local static, built once).
class connection {
 public:
  explicit connection(const settings& s) : settings_(&s) { connect(); }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection() { close(); }

  using statement = postgres::statement;

  statement prepare(const std::string& sql) { return statement(*this, sql); }

  /// Runs SQL text once, unprepared (DDL), in the current transaction.
  void execute(const std::string& sql) {
    PGresult* res = exchange(sql, {}, false);
    PQclear(res);
  }

  // --- transactions (postgres.hpp's transaction drives these) ----------------------------------

  /// A transaction starts: `begin_sql` is sent with its first statement.
  void begin(const std::string& begin_sql) {
    if (broken_) reconnect();
    pending_begin_ = &begin_sql;
    in_transaction_ = false;
    commit_sent_ = false;
    failure_ = std::nullopt;
  }
  /// Commits a write and waits for the answer. The connection lost once COMMIT is on its way is
  /// an error saying the outcome is unknown, and is never retried.
  void commit() {
    if (!in_transaction_) {  // nothing was sent: nothing to commit
      pending_begin_ = nullptr;
      return;
    }
    static const std::string text = "COMMIT";
    const bool was_bad = broken_ || PQstatus(conn_) == CONNECTION_BAD;
    commit_sent_ = !was_bad;
    PGresult* res = nullptr;
    try {
      res = exchange(text, {}, false);
    } catch (const statement_error& e) {
      if (commit_sent_ && (e.kind() == failure::connection || e.kind() == failure::timeout)) {
        commit_unknown_ = true;
        throw storage_error(
            "postgres_storage: the connection was lost after COMMIT was sent, so whether the write committed is "
            "unknown (not retried): " +
            std::string(e.what()));
      }
      throw;
    }
    const std::string_view tag = PQcmdStatus(res);
    PQclear(res);
    in_transaction_ = false;
    if (tag == "ROLLBACK")  // an earlier statement failed and the core went on: nothing committed
      throw storage_error("postgres_storage: COMMIT rolled back: a statement of the transaction had failed");
  }
  /// Ends a read: COMMIT is sent, its answer read by the connection's next use.
  void commit_read() noexcept {
    if (!in_transaction_) {
      pending_begin_ = nullptr;
      return;
    }
    in_transaction_ = false;
    if (broken_) return;
    if (PQenterPipelineMode(conn_) == 1 && PQsendQueryParams(conn_, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 1) == 1 &&
        PQpipelineSync(conn_) == 1 && flush(clock::now() + settings_->io_timeout)) {
      ++pending_syncs_;
      return;
    }
    broken_ = true;
  }
  /// Rolls back, quietly: a failure here only breaks the connection.
  void rollback() noexcept {
    pending_begin_ = nullptr;
    if (!in_transaction_) return;
    in_transaction_ = false;
    if (broken_) return;
    try {
      static const std::string text = "ROLLBACK";
      PQclear(exchange(text, {}, false, false));
    } catch (...) {
      broken_ = true;  // the next begin reconnects; the server ends the transaction with the socket
    }
  }

  /// After a failed attempt of a transaction (its rollback done): whether to run it again.
  /// Conflicts and a lost connection (before COMMIT was sent) are retried with jittered,
  /// growing waits up to max_attempts; a unique violation once per write (the retry sees
  /// the row that the other transaction committed); a plan the server dropped once.
  bool retry(unsigned attempt) {
    const auto failed = std::exchange(failure_, std::nullopt);
    if (!failed || commit_unknown_ || attempt >= settings_->max_attempts) return false;
    switch (*failed) {
      case failure::unique:
        if (std::exchange(unique_retried_, true)) return false;
        return true;
      case failure::stale_plan:
        prepared_.clear();
        return attempt == 1 || !std::exchange(replanned_, true);
      case failure::conflict:
      case failure::connection:
        backoff(attempt);
        return true;
      default: return false;
    }
  }
  /// A write starts (not each attempt): its retry budgets are fresh.
  void start_write() noexcept {
    unique_retried_ = false;
    replanned_ = false;
    commit_unknown_ = false;
  }

  /// The connection itself, for the app's statements inside this transaction (a link migrator,
  /// before_commit): the transaction's BEGIN is sent first if it was not yet, and the connection
  /// leaves pipeline mode, so that PQexec works on it.
  [[nodiscard]] PGconn* handle() const noexcept {
    auto& self = const_cast<connection&>(*this);
    try {
      if (self.pending_begin_ != nullptr) {
        static const std::string nothing = "SELECT 1";
        self.execute(nothing);
      }
      self.drain();
    } catch (...) {
      // Noted on the connection: the app's statements fail on it, and so does the commit.
    }
    if (conn_ != nullptr && PQpipelineStatus(conn_) != PQ_PIPELINE_OFF) (void)PQexitPipelineMode(conn_);
    if (conn_ != nullptr) (void)PQsetnonblocking(conn_, 0);  // the app's PQexec may block; ours re-enable it
    return conn_;
  }
  [[nodiscard]] bool broken() const noexcept { return broken_ || conn_ == nullptr || PQstatus(conn_) == CONNECTION_BAD; }
  [[nodiscard]] int backend_pid() const noexcept { return conn_ != nullptr ? PQbackendPID(conn_) : 0; }

  /// Sends `sql` (prepared once where settings say so) with `params`, with the pending BEGIN
  /// ahead of it, and returns its result; throws statement_error and notes the failure.
  PGresult* exchange(const std::string& sql, const std::vector<statement::value>& params, bool prepare,
                     bool hooked = true) {
    if (hooked && settings_->hook != nullptr && *settings_->hook) {
      if (pending_begin_ != nullptr) (*settings_->hook)(*pending_begin_);
      (*settings_->hook)(sql);
    }
    if (broken_) throw note(statement_error("postgres_storage: " + sql + ": the connection is broken", failure::connection, ""));
    const auto deadline = clock::now() + settings_->io_timeout;
    drain();
    (void)PQsetnonblocking(conn_, 1);
    if (PQpipelineStatus(conn_) == PQ_PIPELINE_OFF && PQenterPipelineMode(conn_) != 1) lose(sql);
    // What goes out in this batch, in order: BEGIN, Parse, the statement.
    int commands = 0;
    const std::string* begin = std::exchange(pending_begin_, nullptr);
    if (begin != nullptr) {
      if (PQsendQueryParams(conn_, begin->c_str(), 0, nullptr, nullptr, nullptr, nullptr, 1) != 1) lose(*begin);
      ++commands;
      in_transaction_ = true;
    }
    std::vector<const char*> values(params.size());
    std::vector<int> lengths(params.size()), formats(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
      values[i] = params[i].null ? nullptr : params[i].bytes.c_str();
      lengths[i] = static_cast<int>(params[i].bytes.size());
      formats[i] = params[i].binary ? 1 : 0;
    }
    const int n = static_cast<int>(params.size());
    int parse_command = -1;  // the Parse's place in the batch, if one is sent
    bool parsed = false;
    const std::string* name = nullptr;
    if (prepare && settings_->prepared_statements) {
      auto it = prepared_.find(&sql);
      if (it == prepared_.end()) {
        it = prepared_.emplace(&sql, "anonauth_" + std::to_string(++statements_named_)).first;
        if (PQsendPrepare(conn_, it->second.c_str(), sql.c_str(), n, nullptr) != 1) lose(sql);
        parse_command = commands++;
      }
      name = &it->second;
      if (PQsendQueryPrepared(conn_, name->c_str(), n, values.data(), lengths.data(), formats.data(), 1) != 1)
        lose(sql);
    } else {
      if (PQsendQueryParams(conn_, sql.c_str(), n, nullptr, values.data(), lengths.data(), formats.data(), 1) != 1)
        lose(sql);
    }
    ++commands;
    if (PQpipelineSync(conn_) != 1 || !flush(deadline)) lose(sql);
    // The answers: each command's results, then a null; after the last, the sync. A command
    // after a failed one answers PGRES_PIPELINE_ABORTED.
    // Held by guards: a wait that throws part-way (a lost connection, a timeout) frees them.
    using result_ptr = std::unique_ptr<PGresult, decltype(&PQclear)>;
    result_ptr mine(nullptr, &PQclear), error(nullptr, &PQclear);
    for (int done = 0;;) {
      result_ptr r(next_result(deadline, sql), &PQclear);
      if (r == nullptr) {
        if (++done > commands || broken()) lose(sql);
        continue;
      }
      const auto status = PQresultStatus(r.get());
      if (status == PGRES_PIPELINE_SYNC) break;
      if (done == parse_command && status == PGRES_COMMAND_OK) parsed = true;
      if (status == PGRES_FATAL_ERROR && error == nullptr) error = std::move(r);
      else if (done == commands - 1 && (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)) mine = std::move(r);
    }
    if (error != nullptr) {
      if (parse_command >= 0 && !parsed) prepared_.erase(&sql);  // the Parse failed, or never ran
      try {
        fail(conn_, error.get(), sql);
      } catch (statement_error& e) {
        throw note(std::move(e));
      } catch (sql::unique_violation&) {
        noted(failure::unique);
        throw;
      }
    }
    if (mine == nullptr) lose(sql);
    return mine.release();
  }

 private:
  friend class postgres::statement;

  template <class E>
  E note(E e) {
    noted(e.kind());
    if (e.kind() == failure::connection || e.kind() == failure::timeout) broken_ = true;
    return e;
  }
  /// The strongest failure of this attempt decides its retry (a conflict over a unique
  /// violation that followed it, say).
  void noted(failure f) noexcept {
    if (!failure_ || static_cast<int>(f) < static_cast<int>(*failure_)) failure_ = f;
  }
  [[noreturn]] void lose(const std::string& sql) {
    broken_ = true;
    const std::string reason = conn_ != nullptr ? PQerrorMessage(conn_) : "no connection";
    noted(failure::connection);
    throw statement_error(message_of(sql, reason.empty() ? "the connection was lost" : reason, ""), failure::connection, "");
  }

  void connect() {
    const auto deadline = clock::now() + settings_->connect_timeout;
    conn_ = PQconnectStart(settings_->conninfo.c_str());
    if (conn_ == nullptr) throw storage_error("postgres_storage: cannot connect: out of memory");
    // The server's notices ("schema already exists, skipping") are not the app's to read on
    // stderr, which libpq's default prints them to.
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
    auto poll_status = PGRES_POLLING_WRITING;
    while (PQstatus(conn_) != CONNECTION_BAD && poll_status != PGRES_POLLING_OK && poll_status != PGRES_POLLING_FAILED) {
      const short events = poll_status == PGRES_POLLING_READING ? POLLIN : POLLOUT;
      if (!wait_socket(events, deadline)) {
        close();
        throw statement_error("postgres_storage: cannot connect: no answer within " +
                                  std::to_string(settings_->connect_timeout.count()) + " ms",
                              failure::connection, "");
      }
      poll_status = PQconnectPoll(conn_);
    }
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string reason = PQerrorMessage(conn_);
      close();
      throw statement_error(message_of("cannot connect", reason, ""), failure::connection, "");
    }
    broken_ = false;
    pending_syncs_ = 0;
    in_transaction_ = false;
    prepared_.clear();
    // The session's settings, in one statement: the schema first on search_path, and the timeouts.
    std::string text = "SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, false)";
    std::vector<statement::value> params(2);
    params[0].bytes = std::to_string(settings_->lock_timeout.count());
    params[1].bytes = std::to_string(settings_->statement_timeout.count());
    if (!settings_->schema.empty()) {
      text += ", set_config('search_path', $3, false)";
      std::string path;
      dialect_quote(path, settings_->schema);
      params.push_back({path, false, false});
    }
    try {
      PQclear(exchange(text, params, false, false));
    } catch (...) {
      close();  // a constructor that throws runs no destructor
      throw;
    }
  }
  static void dialect_quote(std::string& out, std::string_view identifier) {
    out.push_back('"');
    for (char c : identifier) {
      if (c == '"') out.push_back('"');
      out.push_back(c);
    }
    out.push_back('"');
  }
  void reconnect() {
    close();
    connect();
  }
  void close() noexcept {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = nullptr;
    broken_ = true;
  }

  /// Waits until the socket is ready for `events`, or the deadline: false then.
  bool wait_socket(short events, clock::time_point deadline) const {
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
      if (left <= 0) return false;
      pollfd p{PQsocket(conn_), events, 0};
      const int rc = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000 * 60)));
      if (rc > 0) return true;
      if (rc < 0 && errno != EINTR) return false;
    }
  }
  bool flush(clock::time_point deadline) {
    for (;;) {
      const int rc = PQflush(conn_);
      if (rc == 0) return true;
      if (rc < 0) return false;
      if (!wait_socket(POLLIN | POLLOUT, deadline)) return false;
      if (PQconsumeInput(conn_) != 1) return false;
    }
  }
  /// The next result, waiting for it until the deadline (null: a separator, or nothing more).
  PGresult* next_result(clock::time_point deadline, const std::string& sql) {
    while (PQisBusy(conn_) == 1) {
      if (!wait_socket(POLLIN, deadline)) {
        broken_ = true;
        noted(failure::timeout);
        throw statement_error("postgres_storage: " + sql + ": no answer from the server within " +
                                  std::to_string(settings_->io_timeout.count()) + " ms",
                              failure::timeout, "");
      }
      if (PQconsumeInput(conn_) != 1) lose(sql);
    }
    return PQgetResult(conn_);
  }
  void await_sync(clock::time_point deadline, const std::string& sql) {
    for (int separators = 0;;) {
      PGresult* r = next_result(deadline, sql);
      if (r == nullptr) {
        if (++separators > 16 || broken()) lose(sql);  // a sync never comes: the stream is lost
        continue;
      }
      const auto status = PQresultStatus(r);
      PQclear(r);
      if (status == PGRES_PIPELINE_SYNC) return;
    }
  }
  /// Reads the answers of what was sent without waiting (a read's COMMIT).
  void drain() {
    if (pending_syncs_ == 0 || broken_) {
      pending_syncs_ = 0;
      return;
    }
    static const std::string what = "COMMIT";
    const auto deadline = clock::now() + settings_->io_timeout;
    try {
      for (; pending_syncs_ > 0; --pending_syncs_) await_sync(deadline, what);
    } catch (...) {
      pending_syncs_ = 0;
      reconnect();  // a read's commit lost: nothing to keep; start this use afresh
    }
  }
  void backoff(unsigned attempt) {
    // 1 ms, 2 ms, 4 ms ... up to 100 ms, each a random point of [w/2, w]: two writers that
    // conflicted do not meet again in step.
    const auto ceiling = std::min<std::int64_t>(100'000, std::int64_t{1000} << std::min(attempt - 1, 10u));
    std::uniform_int_distribution<std::int64_t> pick(ceiling / 2, ceiling);
    std::this_thread::sleep_for(std::chrono::microseconds(pick(jitter_)));
  }

  const settings* settings_;
  PGconn* conn_ = nullptr;
  bool broken_ = true;
  bool in_transaction_ = false;  // BEGIN was sent and no COMMIT or ROLLBACK since
  bool commit_sent_ = false;
  bool commit_unknown_ = false;
  bool unique_retried_ = false;
  bool replanned_ = false;
  unsigned pending_syncs_ = 0;
  const std::string* pending_begin_ = nullptr;
  std::optional<failure> failure_;
  std::unordered_map<const std::string*, std::string> prepared_;
  unsigned long statements_named_ = 0;  // names are never reused on one connection
  std::minstd_rand jitter_{std::random_device{}()};
};

inline void statement::execute() {
  res_ = c_->exchange(*sql_, params_, true);
}

inline std::size_t statement::run() {
  if (res_ == nullptr) execute();
  const char* n = PQcmdTuples(res_);
  return n != nullptr && *n != '\0' ? static_cast<std::size_t>(std::strtoull(n, nullptr, 10)) : 0;
}

}  // namespace anonauth::postgres
