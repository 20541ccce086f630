// anonauth/storage/sqlite/sqlite.hpp: the SQLite storage, driven by the static schema.
//
//   using auth_type = aa::anonymous_auth<app_schema, aa::storage<aa::sqlite_storage>, ...>;
//   auth_type auth{aa::sqlite_config{.path = "app.db"}};   // default: a private in-memory database
//
// Tables (the schema's, plus "session" and "account") are created on first open, with a unique
// index on the user's email and on the session token hash, and an index on every user-reference
// column; opening a database whose tables differ from the schema is an aa::storage_error naming
// the table and column. A file database runs in WAL mode with synchronous=NORMAL (a commit is
// durable once the WAL is synced at checkpoint; a crash loses at most the last transactions,
// never consistency); `synchronous = sqlite_synchronous::full` syncs every commit. Writers take
// BEGIN IMMEDIATE and wait up to `busy_timeout` for another process; readers use their own
// connections. Every statement is prepared once per connection; a migrator's reassign is one
// UPDATE. A database file it creates is the owner's only (0600, and SQLite's journals follow);
// an existing file keeps its mode. CMake target: anonauth::sqlite.
#pragma once

#include <anonauth/core/types.hpp>
#include <anonauth/policy/storage.hpp>
#include <anonauth/schema/reflect.hpp>
#include <anonauth/schema/schema.hpp>
#include <anonauth/storage/reentrancy.hpp>
#include <anonauth/storage/sqlite/connection.hpp>
#include <anonauth/storage/sqlite/cursor.hpp>

#include <boost/hana/accessors.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/length.hpp>

#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

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

namespace sqlite {

inline std::string quote(std::string_view identifier) {
  std::string out = "\"";
  for (char c : identifier) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

/// The SQL description of one row type: its table name and columns, in Hana's order.
template <class Row>
struct row_sql {
  struct column {
    std::string name;
    std::string_view type;
    bool nullable;
  };

  static std::vector<column> columns() {
    std::vector<column> out;
    boost::hana::for_each(boost::hana::accessors<Row>(), [&](auto pair) {
      using value = std::decay_t<decltype(boost::hana::second(pair)(std::declval<Row&>()))>;
      static_assert(column_traits<value>::supported,
                    "[anonauth.E130] sqlite_storage cannot store a member of this type: use std::string, bool, an "
                    "integer, a floating-point type, aa::timestamp or std::optional of one");
      out.push_back({boost::hana::to<const char*>(boost::hana::first(pair)), column_traits<value>::sql_type,
                     nullable_v<value>});
    });
    return out;
  }

  static std::string column_list() {
    std::string out;
    for (const auto& c : columns()) out += (out.empty() ? "" : ", ") + quote(c.name);
    return out;
  }

  static void bind_all(statement& st, const Row& row, int first = 1) {
    int i = first;
    boost::hana::for_each(boost::hana::accessors<Row>(), [&](auto pair) { st.bind(i++, boost::hana::second(pair)(row)); });
  }

  static Row read(const statement& st) {
    Row row{};
    int c = 0;
    boost::hana::for_each(boost::hana::accessors<Row>(), [&](auto pair) {
      auto& field = boost::hana::second(pair)(row);
      field = st.template column<std::decay_t<decltype(field)>>(c++);
    });
    return row;
  }
};

/// The SQL text of one table's statements, built once. Named by the table alone (not by the
/// backend's schema), so N tables cost N short symbols, not N symbols of O(N) characters.
template <class Table>
struct table_sql {
  using Row = typename Table::row_type;

  /// The user-reference columns, each indexed.
  static std::vector<std::string_view> indexed_columns() {
    return []<class... Refs>(detail::type_list<Refs...>) {
      return std::vector<std::string_view>{column_name<Refs::member>()...};
    }(typename Table::user_refs{});
  }

  static const std::string& table() {
    static const std::string s = quote(Table::name.view());
    return s;
  }
  /// An insert or update of `row` that broke the key (or, in the user table, the unique email),
  /// as aa::duplicate_key_error; a unique index of the application's own keeps SQLite's words,
  /// which name its columns but show no value.
  [[noreturn]] static void throw_duplicate(const unique_violation& e, const Row& row) {
    if constexpr (Table::is_user_table)
      throw_duplicate_key(e, Table::name.view(), {{"id", row.id}, {"email", std::nullopt}});  // no address in logs
    else
      throw_duplicate_key(e, Table::name.view(), {{"id", row.id}});
  }
  static const std::string& insert() {
    static const std::string s = [] {
      std::string marks;
      for (std::size_t i = 0; i < row_sql<Row>::columns().size(); ++i) marks += i == 0 ? "?" : ", ?";
      return "INSERT INTO " + table() + " (" + row_sql<Row>::column_list() + ") VALUES (" + marks + ")";
    }();
    return s;
  }
  static const std::string& update() {  // every column, then the id
    static const std::string s = [] {
      std::string sets;
      for (const auto& c : row_sql<Row>::columns()) sets += (sets.empty() ? "" : ", ") + quote(c.name) + " = ?";
      return "UPDATE " + table() + " SET " + sets + " WHERE \"id\" = ?";
    }();
    return s;
  }
  static const std::string& erase() {
    static const std::string s = "DELETE FROM " + table() + " WHERE \"id\" = ?";
    return s;
  }
  static const std::string& find() {
    static const std::string s = "SELECT " + row_sql<Row>::column_list() + " FROM " + table() + " WHERE \"id\" = ?";
    return s;
  }
  static const std::string& count() {
    static const std::string s = "SELECT count(*) FROM " + table();
    return s;
  }
  template <auto Member>
  static const std::string& find_by() {
    static const std::string s = "SELECT " + row_sql<Row>::column_list() + " FROM " + table() + " WHERE " +
                                 quote(column_name<Member>()) + " = ?";
    return s;
  }
  template <auto Member>
  static const std::string& reassign() {
    static const std::string s = "UPDATE " + table() + " SET " + quote(column_name<Member>()) + " = ? WHERE " +
                                 quote(column_name<Member>()) + " = ?";
    return s;
  }
  template <auto Member>
  static const std::string& erase_where() {
    static const std::string s = "DELETE FROM " + table() + " WHERE " + quote(column_name<Member>()) + " = ?";
    return s;
  }
};

}  // namespace sqlite

/// The SQLite storage policy.
class sqlite_storage {
 public:
  using config = sqlite_config;

  template <class Schema>
  class backend;
};

template <class Schema>
class sqlite_storage::backend {
  using user = user_row_t<Schema>;
  using connection = sqlite::connection;
  using statement = sqlite::statement;

  /// The user table's SQL name.
  static constexpr std::string_view user_table_name = Schema::user_table_desc::name.view();

  // --- SQL text, built once per table ----------------------------------------------------------
  template <class Row>
  using sql = sqlite::table_sql<detail::table_of_row_t<Schema, Row>>;

  struct fixed_sql {
    static const std::string& find_user_by_email() {
      static const std::string s = "SELECT " + sqlite::row_sql<user>::column_list() + " FROM " + sql<user>::table() +
                                   " WHERE \"email\" = ?";
      return s;
    }
    static inline const std::string session_columns =
        "\"id\", \"user_id\", \"expires_at\", \"created_at\", \"updated_at\", \"ip_address\", \"user_agent\", \"token_hash\"";
    static inline const std::string find_session =
        "SELECT " + session_columns + " FROM \"session\" WHERE \"token_hash\" = ?";
    static inline const std::string insert_session = "INSERT INTO \"session\" (" + session_columns +
                                                     ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    static inline const std::string update_session =
        "UPDATE \"session\" SET \"expires_at\" = ?, \"updated_at\" = ?, \"ip_address\" = ?, \"user_agent\" = ? "
        "WHERE \"token_hash\" = ?";
    static inline const std::string sessions_of_user =
        "SELECT " + session_columns + " FROM \"session\" WHERE \"user_id\" = ? ORDER BY \"created_at\", \"id\"";
    static const std::string& anonymous_users_created_before() {
      static const std::string s = "SELECT " + sqlite::row_sql<user>::column_list() + " FROM " + sql<user>::table() +
                                   " WHERE \"is_anonymous\" = 1 AND \"created_at\" < ? AND \"id\" > ? ORDER BY \"id\" LIMIT ?";
      return s;
    }
    static inline const std::string erase_session = "DELETE FROM \"session\" WHERE \"token_hash\" = ?";
    static inline const std::string erase_sessions_of_user = "DELETE FROM \"session\" WHERE \"user_id\" = ?";
    static inline const std::string account_columns =
        "\"id\", \"user_id\", \"provider_id\", \"account_id\", \"password_hash\", \"created_at\", \"updated_at\"";
    static inline const std::string insert_account = "INSERT INTO \"account\" (" + account_columns +
                                                     ") VALUES (?, ?, ?, ?, ?, ?, ?)";
    static inline const std::string find_account = "SELECT " + account_columns +
                                                   " FROM \"account\" WHERE \"provider_id\" = ? AND \"account_id\" = ?";
    static inline const std::string accounts_of_user = "SELECT " + account_columns +
                                                       " FROM \"account\" WHERE \"user_id\" = ? ORDER BY \"created_at\", \"id\"";
    static inline const std::string erase_accounts_of_user = "DELETE FROM \"account\" WHERE \"user_id\" = ?";
    static inline const std::string update_password_hash =
        "UPDATE \"account\" SET \"password_hash\" = ?, \"updated_at\" = ? WHERE \"id\" = ?";
  };

  static session_record read_session(const statement& st) {
    session_record r;
    r.session.id = st.column<std::string>(0);
    r.session.user_id = st.column<std::string>(1);
    r.session.expires_at = st.column<timestamp>(2);
    r.session.created_at = st.column<timestamp>(3);
    r.session.updated_at = st.column<timestamp>(4);
    r.session.ip_address = st.column<std::string>(5);
    r.session.user_agent = st.column<std::string>(6);
    r.hash = st.column<token_hash>(7);
    return r;
  }
  static account read_account(const statement& st) {
    return account{st.column<std::string>(0), st.column<std::string>(1), st.column<std::string>(2),
                   st.column<std::string>(3), st.column<std::optional<std::string>>(4), st.column<timestamp>(5),
                   st.column<timestamp>(6)};
  }

 public:
  /// Reads through one connection, inside a read transaction (a consistent snapshot).
  class reader {
   public:
    explicit reader(connection& c) : c_(&c) {}

    std::optional<user> find_user(std::string_view id) const { return find<user>(id); }
    std::optional<user> find_user_by_email(std::string_view email) const {
      auto st = c_->prepare(fixed_sql::find_user_by_email());
      st.bind(1, email);
      if (!st.step()) return std::nullopt;
      return sqlite::row_sql<user>::read(st);
    }
    std::optional<session_record> find_session(const token_hash& h) const {
      auto st = c_->prepare(fixed_sql::find_session);
      st.bind(1, h);
      if (!st.step()) return std::nullopt;
      return read_session(st);
    }
    std::optional<account> find_account(std::string_view provider, std::string_view account_id) const {
      auto st = c_->prepare(fixed_sql::find_account);
      st.bind(1, provider);
      st.bind(2, account_id);
      if (!st.step()) return std::nullopt;
      return read_account(st);
    }
    std::vector<session_record> sessions_of_user(std::string_view user_id) const {
      auto st = c_->prepare(fixed_sql::sessions_of_user);
      st.bind(1, user_id);
      std::vector<session_record> out;
      while (st.step()) out.push_back(read_session(st));
      return out;
    }
    std::vector<user> anonymous_users_created_before(timestamp cutoff, std::string_view after_id,
                                                     std::size_t limit) const {
      auto st = c_->prepare(fixed_sql::anonymous_users_created_before());
      st.bind(1, cutoff);
      st.bind(2, after_id);
      st.bind(3, static_cast<std::int64_t>(limit));
      std::vector<user> out;
      while (st.step()) out.push_back(sqlite::row_sql<user>::read(st));
      return out;
    }
    std::vector<account> accounts_of_user(std::string_view user_id) const {
      auto st = c_->prepare(fixed_sql::accounts_of_user);
      st.bind(1, user_id);
      std::vector<account> out;
      while (st.step()) out.push_back(read_account(st));
      return out;
    }

    template <class Row>
    std::size_t count() const {
      static_assert(require_schema_row<Schema, Row>());
      auto st = c_->prepare(sql<Row>::count());
      st.step();
      return st.template column<std::size_t>(0);
    }
    template <class Row>
    std::optional<Row> find(std::string_view id) const {
      static_assert(require_schema_row<Schema, Row>());
      auto st = c_->prepare(sql<Row>::find());
      st.bind(1, id);
      if (!st.step()) return std::nullopt;
      return sqlite::row_sql<Row>::read(st);
    }
    template <auto Member, class Value>
    std::vector<detail::class_of_t<Member>> find_by(const Value& value) const {
      using row = detail::class_of_t<Member>;
      static_assert(require_schema_row<Schema, row>());
      auto st = c_->prepare(sql<row>::template find_by<Member>());
      st.bind(1, value);
      std::vector<row> out;
      while (st.step()) out.push_back(sqlite::row_sql<row>::read(st));
      return out;
    }
    /// find_by's rows, lazily: a statement of its own stepped on this transaction's connection.
    template <auto Member, class Value>
    auto where(const Value& value) const {
      using row = detail::class_of_t<Member>;
      static_assert(require_schema_row<Schema, row>());
      return sqlite::row_stream<row>::borrowed(*c_, sql<row>::template find_by<Member>(),
                                               detail::member_type_t<Member>(value), &sqlite::row_sql<row>::read);
    }

   protected:
    connection* c_;
  };

  /// Writes inside one BEGIN IMMEDIATE transaction.
  class writer : public reader {
   public:
    using reader::reader;
    writer(const writer&) = delete;
    writer& operator=(const writer&) = delete;

    void insert_user(const user& u) { insert_row(u); }
    bool update_user(const user& u) { return update_row(u); }
    bool erase_user(std::string_view id) { return erase_row<user>(id); }

    void insert_session(const session_record& r) {
      auto st = this->c_->prepare(fixed_sql::insert_session);
      st.bind(1, r.session.id);
      st.bind(2, r.session.user_id);
      st.bind(3, r.session.expires_at);
      st.bind(4, r.session.created_at);
      st.bind(5, r.session.updated_at);
      st.bind(6, r.session.ip_address);
      st.bind(7, r.session.user_agent);
      st.bind(8, r.hash);
      try {
        st.run();
      } catch (const sqlite::unique_violation& e) {  // the hash is a secret's digest: never shown
        sqlite::throw_duplicate_key(e, "session", {{"id", r.session.id}, {"token_hash", std::nullopt}});
      }
    }
    bool update_session(const session_record& r) {
      auto st = this->c_->prepare(fixed_sql::update_session);
      st.bind(1, r.session.expires_at);
      st.bind(2, r.session.updated_at);
      st.bind(3, r.session.ip_address);
      st.bind(4, r.session.user_agent);
      st.bind(5, r.hash);
      return st.run() > 0;
    }
    bool erase_session(const token_hash& h) {
      auto st = this->c_->prepare(fixed_sql::erase_session);
      st.bind(1, h);
      return st.run() > 0;
    }
    std::size_t erase_sessions_of_user(std::string_view user_id) {
      auto st = this->c_->prepare(fixed_sql::erase_sessions_of_user);
      st.bind(1, user_id);
      return st.run();
    }
    void insert_account(const account& a) {
      auto st = this->c_->prepare(fixed_sql::insert_account);
      st.bind(1, a.id);
      st.bind(2, a.user_id);
      st.bind(3, a.provider_id);
      st.bind(4, a.account_id);
      st.bind(5, a.password_hash);
      st.bind(6, a.created_at);
      st.bind(7, a.updated_at);
      try {
        st.run();
      } catch (const sqlite::unique_violation& e) {
        sqlite::throw_duplicate_key(e, "account",
                                    {{"id", a.id}, {"provider_id", a.provider_id}, {"account_id", a.account_id}});
      }
    }
    bool update_password_hash(std::string_view account_id, const std::string& hash, timestamp at) {
      auto st = this->c_->prepare(fixed_sql::update_password_hash);
      st.bind(1, std::string_view(hash));
      st.bind(2, at);
      st.bind(3, account_id);
      return st.run() > 0;
    }
    std::size_t erase_accounts_of_user(std::string_view user_id) {
      auto st = this->c_->prepare(fixed_sql::erase_accounts_of_user);
      st.bind(1, user_id);
      return st.run();
    }

    template <class Row>
    void insert(const Row& row) {
      if constexpr (require_app_row<Schema, Row>()) insert_row(row);
    }
    template <class Row>
    bool update(const Row& row) {
      if constexpr (require_app_row<Schema, Row>()) return update_row(row);
      else return false;
    }
    template <class Row>
    bool erase(std::string_view id) {
      if constexpr (require_app_row<Schema, Row>()) return erase_row<Row>(id);
      else return false;
    }
    /// `UPDATE t SET member = to WHERE member = from`: one statement, however many rows.
    template <auto Member>
    std::size_t reassign(std::string_view from, std::string_view to) {
      if constexpr (!require_user_reference<Schema, Member>()) {
        return 0;
      } else {
        using row = detail::class_of_t<Member>;
        if (from == to) return 0;
        auto st = this->c_->prepare(sql<row>::template reassign<Member>());
        st.bind(1, to);
        st.bind(2, from);
        return st.run();
      }
    }
    template <auto Member, class Value>
    std::size_t erase_where(const Value& value) {
      using row = detail::class_of_t<Member>;
      if constexpr (!require_app_row<Schema, row>()) {
        return 0;
      } else {
        auto st = this->c_->prepare(sql<row>::template erase_where<Member>());
        st.bind(1, value);
        return st.run();
      }
    }

   private:
    // Any table's row, the user table's included (insert_user and the rest).
    template <class Row>
    void insert_row(const Row& row) {
      auto st = this->c_->prepare(sql<Row>::insert());
      sqlite::row_sql<Row>::bind_all(st, row);
      try {
        st.run();
      } catch (const sqlite::unique_violation& e) {
        sql<Row>::throw_duplicate(e, row);
      }
    }
    template <class Row>
    bool update_row(const Row& row) {
      auto st = this->c_->prepare(sql<Row>::update());
      sqlite::row_sql<Row>::bind_all(st, row);
      st.bind(static_cast<int>(boost::hana::length(boost::hana::accessors<Row>())) + 1, row.id);
      try {
        return st.run() > 0;
      } catch (const sqlite::unique_violation& e) {  // a user's email onto another's
        sql<Row>::throw_duplicate(e, row);
      }
    }
    template <class Row>
    bool erase_row(std::string_view id) {
      auto st = this->c_->prepare(sql<Row>::erase());
      st.bind(1, id);
      return st.run() > 0;
    }
  };

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
        set_pragmas(*writer_, true);
      } catch (const storage_error& e) {
        throw storage_error("sqlite_storage: \"" + path + "\": " + std::string(std::string_view(e.what()).substr(std::string_view("sqlite_storage: ").size())));
      }
    }
    create_or_check_schema(*writer_);
    if (!in_memory_) {
      for (std::size_t i = 0; i < std::max<std::size_t>(1, config_.read_connections); ++i) {
        auto c = std::make_unique<connection>(path, flags, config_.busy_timeout, &config_.before_statement);
        set_pragmas(*c, false);
        idle_readers_.push_back(c.get());
        readers_.push_back(std::move(c));
      }
    }
  }

  template <class Fn>
  auto read(Fn&& fn) const {
    detail::reentrancy_guard guard(this);
    if (in_memory_) {  // one connection: reads queue behind writes
      std::lock_guard lock(write_mutex_);
      return run_read(*writer_, std::forward<Fn>(fn));
    }
    connection* c = acquire_reader();
    struct release_on_exit {
      const backend* self;
      connection* c;
      ~release_on_exit() { self->release_reader(c); }
    } release{this, c};
    return run_read(*c, std::forward<Fn>(fn));
  }

  /// A reader's where, outside any transaction: the range holds a connection and its read
  /// transaction while it lives (storage/sqlite/cursor.hpp).
  template <auto Member, class Value>
  auto where(const Value& value) const {
    using row = detail::class_of_t<Member>;
    static_assert(require_schema_row<Schema, row>());
    return sqlite::row_stream<row>::leased(
        this, [this] { return in_memory_ ? (write_mutex_.lock(), writer_.get()) : acquire_reader(); },
        [this](connection* c) { in_memory_ ? write_mutex_.unlock() : release_reader(c); },
        sql<row>::template find_by<Member>(), detail::member_type_t<Member>(value), &sqlite::row_sql<row>::read);
  }

  template <class Fn>
  auto write(Fn&& fn) {
    detail::reentrancy_guard guard(this);
    std::lock_guard lock(write_mutex_);
    connection& c = *writer_;
    static const std::string begin = "BEGIN IMMEDIATE";
    static const std::string commit = "COMMIT";
    c.prepare(begin).run();  // waits up to busy_timeout for another process's writer
    writer w(c);
    try {
      if constexpr (std::is_void_v<decltype(std::forward<Fn>(fn)(w))>) {
        std::forward<Fn>(fn)(w);
        c.prepare(commit).run();
      } else {
        auto out = std::forward<Fn>(fn)(w);
        c.prepare(commit).run();
        return out;
      }
    } catch (...) {
      c.execute_quietly("ROLLBACK");
      throw;
    }
  }

 private:
  template <class Fn>
  static auto run_read(connection& c, Fn&& fn) {
    // Transaction control is prepared like everything else: sqlite3_exec would parse it each time.
    static const std::string begin = "BEGIN";
    static const std::string commit = "COMMIT";
    c.prepare(begin).run();
    const reader r(c);
    try {
      if constexpr (std::is_void_v<decltype(std::forward<Fn>(fn)(r))>) {
        std::forward<Fn>(fn)(r);
        c.prepare(commit).run();
      } else {
        auto out = std::forward<Fn>(fn)(r);
        c.prepare(commit).run();
        return out;
      }
    } catch (...) {
      c.execute_quietly("ROLLBACK");
      throw;
    }
  }

  void set_pragmas(connection& c, bool writer) const {
    if (writer) {
      // A file that is not a database fails here, at open, with SQLite's own words.
      c.execute("PRAGMA schema_version");
      set_journal_mode(c);
    }
    c.execute(config_.synchronous == sqlite_synchronous::full ? std::string("PRAGMA synchronous=FULL")
                                                              : std::string("PRAGMA synchronous=NORMAL"));
  }

  /// Switches the journal mode, waiting like any writer when another process holds the lock
  /// (SQLite does not apply the busy timeout to this switch), and checks SQLite took it.
  void set_journal_mode(connection& c) const {
    const bool wal = config_.journal == sqlite_journal::wal;
    const char* sql = wal ? "PRAGMA journal_mode=WAL" : "PRAGMA journal_mode=DELETE";
    const auto deadline = std::chrono::steady_clock::now() + config_.busy_timeout;
    for (;;) {
      int rc = SQLITE_OK;
      const std::string mode = c.query_value(sql, rc);
      if (rc == SQLITE_OK) {
        if (upper(mode) != (wal ? "WAL" : "DELETE"))
          throw storage_error("sqlite_storage: the database cannot use the " + std::string(wal ? "WAL" : "DELETE") +
                              " journal here (SQLite kept \"" + mode + "\")");
        return;
      }
      if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) sqlite::fail(c.handle(), rc, sql);
      if (std::chrono::steady_clock::now() >= deadline) sqlite::fail(c.handle(), rc, sql);
      std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
  }

  // --- schema -----------------------------------------------------------------------------------

  struct expected_column {
    std::string name;
    std::string type;
    bool nullable;
    bool has_default = false;
  };

  template <class Row>
  static std::vector<expected_column> columns_of() {
    return expected_columns(sqlite::row_sql<Row>::columns());
  }
  template <class Column>
  static std::vector<expected_column> expected_columns(const std::vector<Column>& columns) {
    std::vector<expected_column> out;
    for (const auto& c : columns) out.push_back({c.name, std::string(c.type), c.nullable});
    return out;
  }

  static std::vector<expected_column> session_columns() {
    return {{"id", "TEXT", false},         {"user_id", "TEXT", false},    {"expires_at", "INTEGER", false},
            {"created_at", "INTEGER", false}, {"updated_at", "INTEGER", false}, {"ip_address", "TEXT", false},
            {"user_agent", "TEXT", false}, {"token_hash", "BLOB", false}};
  }
  static std::vector<expected_column> account_columns() {
    return {{"id", "TEXT", false},          {"user_id", "TEXT", false},       {"provider_id", "TEXT", false},
            {"account_id", "TEXT", false},  {"password_hash", "TEXT", true},   {"created_at", "INTEGER", false},
            {"updated_at", "INTEGER", false}};
  }

  static std::string create_table_sql(std::string_view table, const std::vector<expected_column>& columns) {
    std::string s = "CREATE TABLE " + sqlite::quote(table) + " (";
    bool first = true;
    for (const auto& c : columns) {
      s += (first ? "" : ", ") + sqlite::quote(c.name) + " " + c.type;
      if (c.name == "id") s += " PRIMARY KEY";
      else if (!c.nullable) s += " NOT NULL";
      first = false;
    }
    return s + ")";
  }

  /// The table's columns as the database has them, or nothing if the table does not exist.
  static std::optional<std::vector<expected_column>> existing_columns(connection& c, std::string_view table) {
    static const std::string info = "SELECT name, type, \"notnull\", pk, dflt_value IS NOT NULL FROM pragma_table_info(?)";
    auto st = c.prepare(info);
    st.bind(1, table);
    std::vector<expected_column> out;
    while (st.step())
      out.push_back({st.column<std::string>(0), upper(st.column<std::string>(1)),
                     st.column<int>(2) == 0 && st.column<int>(3) == 0,  // a primary key counts as NOT NULL
                     st.column<int>(4) != 0});
    if (out.empty()) return std::nullopt;
    return out;
  }

  static std::string upper(std::string s) {  // SQL type names are case-insensitive
    for (char& ch : s)
      if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    return s;
  }

  static void check_table(connection& c, std::string_view table, const std::vector<expected_column>& want) {
    auto have = existing_columns(c, table);
    if (!have) {
      c.execute(create_table_sql(table, want));
      return;
    }
    for (const auto& w : want) {
      auto it = std::find_if(have->begin(), have->end(), [&](const auto& h) { return h.name == w.name; });
      if (it == have->end())
        throw storage_error("sqlite_storage: table \"" + std::string(table) + "\" has no column \"" + w.name +
                            "\" that the schema declares");
      if (it->type != w.type || it->nullable != w.nullable)
        throw storage_error("sqlite_storage: table \"" + std::string(table) + "\" column \"" + w.name + "\" is " +
                            it->type + (it->nullable ? "" : " NOT NULL") + ", the schema needs " + w.type +
                            (w.nullable ? "" : " NOT NULL"));
    }
    for (const auto& h : *have) {
      const bool known = std::any_of(want.begin(), want.end(), [&](const auto& w) { return w.name == h.name; });
      if (!known && !h.nullable && !h.has_default)
        throw storage_error("sqlite_storage: table \"" + std::string(table) + "\" has a NOT NULL column \"" + h.name +
                            "\" the schema does not know: inserts would fail");
    }
  }

  static void create_or_check_schema(connection& c) {
    c.execute("BEGIN IMMEDIATE");
    try {
      check_table(c, user_table_name, columns_of<user>());
      c.execute("CREATE UNIQUE INDEX IF NOT EXISTS " + sqlite::quote(std::string(user_table_name) + "_email") + " ON " +
                sqlite::quote(user_table_name) + " (\"email\")");
      c.execute("CREATE INDEX IF NOT EXISTS " + sqlite::quote(std::string(user_table_name) + "_anonymous") + " ON " +
                sqlite::quote(user_table_name) + " (\"is_anonymous\", \"id\")");  // the purge's walk
      check_table(c, "session", session_columns());
      c.execute("CREATE UNIQUE INDEX IF NOT EXISTS \"session_token_hash\" ON \"session\" (\"token_hash\")");
      c.execute("CREATE INDEX IF NOT EXISTS \"session_user_id\" ON \"session\" (\"user_id\")");
      check_table(c, "account", account_columns());
      c.execute("CREATE UNIQUE INDEX IF NOT EXISTS \"account_provider\" ON \"account\" (\"provider_id\", \"account_id\")");
      c.execute("CREATE INDEX IF NOT EXISTS \"account_user_id\" ON \"account\" (\"user_id\")");
      []<class... Tables>(connection& conn, detail::type_list<Tables...>) {
        (create_app_table(conn, Tables::name.view(), expected_columns(sqlite::row_sql<typename Tables::row_type>::columns()),
                          sqlite::table_sql<Tables>::indexed_columns()),
         ...);
      }(c, typename Schema::app_tables{});
      c.execute("COMMIT");
    } catch (...) {
      c.execute_quietly("ROLLBACK");
      throw;
    }
  }

  // One call per table with what the table's own templates computed: a template member here
  // would be named by the whole schema once per table.
  static void create_app_table(connection& c, std::string_view table, const std::vector<expected_column>& columns,
                               const std::vector<std::string_view>& indexed) {
    check_table(c, table, columns);
    for (std::string_view column : indexed)
      c.execute("CREATE INDEX IF NOT EXISTS " + sqlite::quote(std::string(table) + "_" + std::string(column)) + " ON " +
                sqlite::quote(table) + " (" + sqlite::quote(column) + ")");
  }

  // --- connections ------------------------------------------------------------------------------

  connection* acquire_reader() const {
    std::unique_lock lock(pool_mutex_);
    pool_ready_.wait(lock, [&] { return !idle_readers_.empty(); });
    connection* c = idle_readers_.back();
    idle_readers_.pop_back();
    return c;
  }
  void release_reader(connection* c) const {
    {
      std::lock_guard lock(pool_mutex_);
      idle_readers_.push_back(c);
    }
    pool_ready_.notify_one();
  }


  config config_;
  bool in_memory_ = true;
  std::unique_ptr<connection> writer_;
  mutable std::mutex write_mutex_;
  std::vector<std::unique_ptr<connection>> readers_;
  mutable std::vector<connection*> idle_readers_;
  mutable std::mutex pool_mutex_;
  mutable std::condition_variable pool_ready_;
};

}  // namespace anonauth
