// The floor under sqlite_bench.cpp: the same SQL work written by hand against the SQLite C API,
// with no auth logic and no anonauth code. Same tables and indexes as anonauth's SQLite storage
// creates for the benchmark schema, one connection, every statement (BEGIN and COMMIT included)
// prepared once. Random ids and tokens come from libsodium and tokens are stored as SHA-256
// digests, as anonauth does, so both programs do the same CPU work outside SQLite.
//
//   sign_in_anonymous  4 random 32-char strings (user id, email, token, session id), SHA-256 of
//                      the token; BEGIN IMMEDIATE, INSERT user, INSERT session, COMMIT
//   get_session        SHA-256 of the token; SELECT session by token hash, SELECT user by id
//                      (two autocommit reads), every column read
//   get_session_in_txn the same two SELECTs inside one BEGIN ... COMMIT, as anonauth reads (one
//                      consistent snapshot; with a file, one lock cycle instead of two)
//   link_no_hash_*     BEGIN IMMEDIATE; SELECT user by email; INSERT user, account, session;
//                      SELECT the guest's session and user; UPDATE cart_items SET user_id;
//                      DELETE the guest's sessions, accounts and cart rows; DELETE the guest; COMMIT
//   purge_10000        the statements anonauth's storage runs for purge_anonymous_users, in
//                      transactions of 256 guests: BEGIN IMMEDIATE; SELECT the next 256 guests
//                      created before the cut-off (WHERE is_anonymous = 1 AND created_at < ? AND
//                      id > ? ORDER BY id LIMIT 256); per guest DELETE its sessions, accounts and
//                      cart rows, then DELETE the user; COMMIT; until a batch comes back short.
//                      Only the id of each selected row is read (the library reads every column).
//                      sqlite-file-peer deletes 2 500 guests (purge_2500), as sqlite_bench.cpp's
//
// Configurations and JSON as sqlite_bench.cpp, with "sqlite-floor" as the bench name; the purge
// runs on a fresh database with the same fixture.
//
//   scripts/bench.sh            (or: anonauth_bench_sqlite_floor [--quick] [configuration...]; default: all three)
#include "floor_support.hpp"
#include "measure.hpp"

#include <sodium.h>
#include <sqlite3.h>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace floor_bench {

using namespace floor_support;
using bench_support::fail;
using bench_support::next_email;
using bench_support::loadavg;
using bench_support::measure;
using bench_support::remove_database;
using bench_support::stats;

// --- SQLite ---------------------------------------------------------------------------------------

/// One prepared statement, kept for the whole run.
class stmt {
 public:
  stmt() = default;
  stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st_, nullptr) != SQLITE_OK)
      fail(std::string("prepare: ") + sql + ": " + sqlite3_errmsg(db));
  }
  stmt(const stmt&) = delete;
  stmt& operator=(const stmt&) = delete;
  stmt(stmt&& o) noexcept : db_(o.db_), st_(o.st_) { o.st_ = nullptr; }
  stmt& operator=(stmt&& o) noexcept {
    std::swap(db_, o.db_);
    std::swap(st_, o.st_);
    return *this;
  }
  ~stmt() { sqlite3_finalize(st_); }

  stmt& text(int i, std::string_view v) {
    check(sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
    return *this;
  }
  stmt& integer(int i, std::int64_t v) {
    check(sqlite3_bind_int64(st_, i, v));
    return *this;
  }
  stmt& null(int i) {
    check(sqlite3_bind_null(st_, i));
    return *this;
  }
  stmt& blob(int i, const digest& d) {
    check(sqlite3_bind_blob(st_, i, d.data(), static_cast<int>(d.size()), SQLITE_STATIC));
    return *this;
  }

  /// Steps once: true on a row.
  bool row() {
    const int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(std::string(sqlite3_sql(st_)) + ": " + sqlite3_errmsg(db_));
  }
  /// Runs a statement without rows and resets it: the number of rows changed.
  std::size_t run() {
    while (row()) {
    }
    const auto changed = static_cast<std::size_t>(sqlite3_changes(db_));
    sqlite3_reset(st_);
    return changed;
  }
  void reset() { sqlite3_reset(st_); }

  std::string column_text(int c) const {
    const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st_, c));
    return t == nullptr ? std::string() : std::string(t, static_cast<std::size_t>(sqlite3_column_bytes(st_, c)));
  }
  std::optional<std::string> column_optional_text(int c) const {
    if (sqlite3_column_type(st_, c) == SQLITE_NULL) return std::nullopt;
    return column_text(c);
  }
  std::int64_t column_integer(int c) const { return sqlite3_column_int64(st_, c); }
  digest column_digest(int c) const {
    digest d{};
    if (sqlite3_column_bytes(st_, c) == static_cast<int>(d.size())) std::memcpy(d.data(), sqlite3_column_blob(st_, c), d.size());
    return d;
  }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) fail(std::string("bind: ") + sqlite3_errmsg(db_));
  }
  sqlite3* db_ = nullptr;
  sqlite3_stmt* st_ = nullptr;
};

void exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = std::string(sql) + ": " + (error != nullptr ? error : sqlite3_errmsg(db));
    sqlite3_free(error);
    fail(message);
  }
}

// The tables and indexes anonauth's SQLite storage creates for the benchmark schema.
constexpr const char* schema_sql[] = {
    ("CREATE TABLE \"user\" (\"id\" TEXT PRIMARY KEY, \"name\" TEXT NOT NULL, \"email\" TEXT NOT NULL, "
     "\"email_verified\" INTEGER NOT NULL, \"image\" TEXT, \"is_anonymous\" INTEGER NOT NULL, "
     "\"created_at\" INTEGER NOT NULL, \"updated_at\" INTEGER NOT NULL, \"bio\" TEXT)"),
    "CREATE UNIQUE INDEX \"user_email\" ON \"user\" (\"email\")",
    "CREATE INDEX \"user_anonymous\" ON \"user\" (\"is_anonymous\", \"id\")",
    ("CREATE TABLE \"session\" (\"id\" TEXT PRIMARY KEY, \"user_id\" TEXT NOT NULL, \"expires_at\" INTEGER NOT NULL, "
     "\"created_at\" INTEGER NOT NULL, \"updated_at\" INTEGER NOT NULL, \"ip_address\" TEXT NOT NULL, "
     "\"user_agent\" TEXT NOT NULL, \"token_hash\" BLOB NOT NULL)"),
    "CREATE UNIQUE INDEX \"session_token_hash\" ON \"session\" (\"token_hash\")",
    "CREATE INDEX \"session_user_id\" ON \"session\" (\"user_id\")",
    ("CREATE TABLE \"account\" (\"id\" TEXT PRIMARY KEY, \"user_id\" TEXT NOT NULL, \"provider_id\" TEXT NOT NULL, "
     "\"account_id\" TEXT NOT NULL, \"password_hash\" TEXT, \"created_at\" INTEGER NOT NULL, "
     "\"updated_at\" INTEGER NOT NULL)"),
    "CREATE UNIQUE INDEX \"account_provider\" ON \"account\" (\"provider_id\", \"account_id\")",
    "CREATE INDEX \"account_user_id\" ON \"account\" (\"user_id\")",
    ("CREATE TABLE \"cart_items\" (\"id\" TEXT PRIMARY KEY, \"user_id\" TEXT NOT NULL, \"sku\" TEXT NOT NULL, "
     "\"quantity\" INTEGER NOT NULL)"),
    "CREATE INDEX \"cart_items_user_id\" ON \"cart_items\" (\"user_id\")",
};

#define USER_COLUMNS \
  "\"id\", \"name\", \"email\", \"email_verified\", \"image\", \"is_anonymous\", \"created_at\", \"updated_at\", \"bio\""
#define SESSION_COLUMNS \
  "\"id\", \"user_id\", \"expires_at\", \"created_at\", \"updated_at\", \"ip_address\", \"user_agent\", \"token_hash\""
#define ACCOUNT_COLUMNS \
  "\"id\", \"user_id\", \"provider_id\", \"account_id\", \"password_hash\", \"created_at\", \"updated_at\""

struct session_row {
  std::string id, user_id;
  std::int64_t expires_at = 0, created_at = 0, updated_at = 0;
  std::string ip_address, user_agent;
  digest token_hash{};
};

class database {
 public:
  database(const std::string& path, bool file, const char* journal, const char* synchronous) {
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(file ? path.c_str() : ":memory:", &db_, flags, nullptr) != SQLITE_OK)
      fail("cannot open " + path);
    sqlite3_busy_timeout(db_, 5000);
    if (file) {
      exec(db_, journal);
      exec(db_, synchronous);
    }
    exec(db_, "BEGIN IMMEDIATE");
    for (const char* sql : schema_sql) exec(db_, sql);
    exec(db_, "COMMIT");

    begin = stmt(db_, "BEGIN IMMEDIATE");
    begin_read = stmt(db_, "BEGIN");
    commit = stmt(db_, "COMMIT");
    insert_user = stmt(db_, "INSERT INTO \"user\" (" USER_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert_session = stmt(db_, "INSERT INTO \"session\" (" SESSION_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    insert_account = stmt(db_, "INSERT INTO \"account\" (" ACCOUNT_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?)");
    insert_cart = stmt(db_, "INSERT INTO \"cart_items\" (\"id\", \"user_id\", \"sku\", \"quantity\") VALUES (?, ?, ?, ?)");
    find_session = stmt(db_, "SELECT " SESSION_COLUMNS " FROM \"session\" WHERE \"token_hash\" = ?");
    find_user = stmt(db_, "SELECT " USER_COLUMNS " FROM \"user\" WHERE \"id\" = ?");
    find_user_by_email = stmt(db_, "SELECT " USER_COLUMNS " FROM \"user\" WHERE \"email\" = ?");
    move_cart = stmt(db_, "UPDATE \"cart_items\" SET \"user_id\" = ? WHERE \"user_id\" = ?");
    erase_sessions = stmt(db_, "DELETE FROM \"session\" WHERE \"user_id\" = ?");
    erase_accounts = stmt(db_, "DELETE FROM \"account\" WHERE \"user_id\" = ?");
    erase_cart = stmt(db_, "DELETE FROM \"cart_items\" WHERE \"user_id\" = ?");
    erase_user = stmt(db_, "DELETE FROM \"user\" WHERE \"id\" = ?");
    count_cart = stmt(db_, "SELECT count(*) FROM \"cart_items\" WHERE \"user_id\" = ?");
    select_guests = stmt(db_, "SELECT " USER_COLUMNS " FROM \"user\" WHERE \"is_anonymous\" = 1 AND \"created_at\" < ? "
                              "AND \"id\" > ? ORDER BY \"id\" LIMIT ?");
  }
  database(const database&) = delete;
  database& operator=(const database&) = delete;
  ~database() {
    for (stmt* s : {&begin, &begin_read, &commit, &insert_user, &insert_session, &insert_account, &insert_cart, &find_session,
                    &find_user, &find_user_by_email, &move_cart, &erase_sessions, &erase_accounts, &erase_cart,
                    &erase_user, &count_cart, &select_guests})
      *s = stmt();
    sqlite3_close_v2(db_);
  }

  std::string journal_mode() {
    stmt st(db_, "PRAGMA journal_mode");
    if (!st.row()) return "?";
    return st.column_text(0);
  }

  /// The single value of a query run once (the untimed checks' counts).
  std::int64_t count(const char* sql) {
    stmt st(db_, sql);
    if (!st.row()) fail(std::string("no value: ") + sql);
    return st.column_integer(0);
  }

  stmt begin, begin_read, commit, insert_user, insert_session, insert_account, insert_cart, find_session, find_user,
      find_user_by_email, move_cart, erase_sessions, erase_accounts, erase_cart, erase_user, count_cart, select_guests;

 private:
  sqlite3* db_ = nullptr;
};

void bind_user(stmt& st, const user_row& u) {
  st.text(1, u.id).text(2, u.name).text(3, u.email).integer(4, u.email_verified ? 1 : 0);
  if (u.image) st.text(5, *u.image);
  else st.null(5);
  st.integer(6, u.is_anonymous ? 1 : 0).integer(7, u.created_at).integer(8, u.updated_at);
  if (u.bio) st.text(9, *u.bio);
  else st.null(9);
}
user_row read_user(const stmt& st) {
  return user_row{st.column_text(0),          st.column_text(1),          st.column_text(2),
                  st.column_integer(3) != 0,  st.column_optional_text(4), st.column_integer(5) != 0,
                  st.column_integer(6),       st.column_integer(7),       st.column_optional_text(8)};
}
void bind_session(stmt& st, const session_row& s) {
  st.text(1, s.id).text(2, s.user_id).integer(3, s.expires_at).integer(4, s.created_at).integer(5, s.updated_at);
  st.text(6, s.ip_address).text(7, s.user_agent).blob(8, s.token_hash);
}
session_row read_session(const stmt& st) {
  return session_row{st.column_text(0),    st.column_text(1), st.column_integer(2), st.column_integer(3),
                     st.column_integer(4), st.column_text(5), st.column_text(6),    st.column_digest(7)};
}

struct signed_in {
  std::string token;
  std::string user_id;
};

/// Anonymous sign-in: a guest and its session, in one transaction.
signed_in sign_in_anonymous(database& db) {
  const std::int64_t now = now_ms();
  user_row guest{random_string(32), "Anonymous", lower("temp@" + random_string(32) + ".com"), false, std::nullopt,
                 true, now, now, std::nullopt};
  std::string token = random_string(32);
  session_row session{random_string(32), guest.id, now + session_lifetime_ms, now, now, "", "", sha256(token)};
  db.begin.run();
  bind_user(db.insert_user, guest);
  db.insert_user.run();
  bind_session(db.insert_session, session);
  db.insert_session.run();
  db.commit.run();
  return {std::move(token), std::move(guest.id)};
}

/// get-session: the session by token hash, then its user.
std::optional<std::pair<session_row, user_row>> read_session_and_user(database& db, const digest& hash) {
  db.find_session.blob(1, hash);
  if (!db.find_session.row()) {
    db.find_session.reset();
    return std::nullopt;
  }
  session_row session = read_session(db.find_session);
  db.find_session.reset();
  if (sodium_memcmp(session.token_hash.data(), hash.data(), hash.size()) != 0 || session.expires_at < now_ms())
    return std::nullopt;
  db.find_user.text(1, session.user_id);
  if (!db.find_user.row()) {
    db.find_user.reset();
    return std::nullopt;
  }
  user_row user = read_user(db.find_user);
  db.find_user.reset();
  return std::pair<session_row, user_row>{std::move(session), std::move(user)};
}

std::optional<std::pair<session_row, user_row>> get_session(database& db, std::string_view token, bool in_txn = false) {
  const digest hash = sha256(token);
  if (!in_txn) return read_session_and_user(db, hash);
  db.begin_read.run();
  auto out = read_session_and_user(db, hash);
  db.commit.run();
  return out;
}

/// A sign-up by email without hashing, in one transaction; with a guest's token, a link: the
/// guest's rows moved, the guest deleted, in the same transaction. Returns the new user's id;
/// `moved` gets the number of cart rows moved.
std::string link_sign_up(database& db, const std::string& email_in, const std::string& password,
                         std::optional<std::string_view> guest_token, std::size_t& moved) {
  const std::string email = lower(email_in);
  const std::string password_hash = password;  // a no-op hasher, as sqlite_bench's
  const std::int64_t now = now_ms();
  user_row created{random_string(32), "Bench", email, false, std::nullopt, false, now, now, std::nullopt};
  const std::string account_id = random_string(32);
  std::string token = random_string(32);
  session_row session{random_string(32), created.id, now + session_lifetime_ms, now, now, "127.0.0.1", "bench",
                      sha256(token)};
  const digest guest_hash = guest_token ? sha256(*guest_token) : digest{};
  moved = 0;

  db.begin.run();
  db.find_user_by_email.text(1, email);
  if (db.find_user_by_email.row()) fail("link: email taken");
  db.find_user_by_email.reset();
  bind_user(db.insert_user, created);
  db.insert_user.run();
  db.insert_account.text(1, account_id).text(2, created.id).text(3, "credential").text(4, created.id);
  db.insert_account.text(5, password_hash).integer(6, now).integer(7, now);
  db.insert_account.run();
  bind_session(db.insert_session, session);
  db.insert_session.run();

  if (guest_token) {
    db.find_session.blob(1, guest_hash);
    if (!db.find_session.row()) fail("link: no guest session");
    const session_row guest_session = read_session(db.find_session);
    db.find_session.reset();
    db.find_user.text(1, guest_session.user_id);
    if (!db.find_user.row()) fail("link: no guest");
    const user_row guest = read_user(db.find_user);
    db.find_user.reset();
    if (!guest.is_anonymous || guest_session.expires_at < now) fail("link: not a valid guest session");

    moved = db.move_cart.text(1, created.id).text(2, guest.id).run();
    db.erase_sessions.text(1, guest.id).run();
    db.erase_accounts.text(1, guest.id).run();
    db.erase_cart.text(1, guest.id).run();
    if (db.erase_user.text(1, guest.id).run() != 1) fail("link: guest not deleted");
  }
  db.commit.run();
  return created.id;
}

/// Deletes the guests created before `cutoff`, with the statements and transactions anonauth's
/// storage runs for purge_anonymous_users(cutoff) (purge_by::created, batches of `batch`).
std::size_t purge_anonymous_users(database& db, std::int64_t cutoff, std::size_t batch) {
  std::size_t purged = 0;
  std::string after;  // the walk goes by id
  std::vector<std::string> ids;
  ids.reserve(batch);
  for (;;) {
    db.begin.run();
    db.select_guests.integer(1, cutoff).text(2, after).integer(3, static_cast<std::int64_t>(batch));
    ids.clear();
    while (db.select_guests.row()) ids.push_back(db.select_guests.column_text(0));
    db.select_guests.reset();
    for (const auto& id : ids) {
      db.erase_sessions.text(1, id).run();
      db.erase_accounts.text(1, id).run();
      db.erase_cart.text(1, id).run();  // cart_items.user_id: on_delete cascade
      if (db.erase_user.text(1, id).run() != 1) fail("purge: guest not deleted");
      ++purged;
    }
    db.commit.run();
    if (ids.size() < batch) break;
    after = ids.back();
  }
  return purged;
}

std::size_t cart_rows_of(database& db, const std::string& user_id) {
  db.count_cart.text(1, user_id);
  if (!db.count_cart.row()) fail("count");
  const auto n = static_cast<std::size_t>(db.count_cart.column_integer(0));
  db.count_cart.reset();
  return n;
}

stats link_phase(database& db, std::string name, std::size_t n, std::size_t rows) {
  std::vector<signed_in> guests(n);
  std::vector<std::string> linked(n);
  std::size_t moved = 0;
  auto result = measure(
      std::move(name), n,
      [&](std::size_t i) {
        if (i > 0) {  // the previous link, checked untimed
          if (moved != rows || cart_rows_of(db, linked[i - 1]) != rows) fail("link: cart rows not moved");
          if (get_session(db, guests[i - 1].token)) fail("link: the guest's session still resolves");
        }
        guests[i] = sign_in_anonymous(db);
        if (rows > 0) {
          db.begin.run();
          for (std::size_t r = 0; r < rows; ++r) {
            const std::string id = guests[i].user_id + "-" + std::to_string(r);
            db.insert_cart.text(1, id).text(2, guests[i].user_id).text(3, "sku").integer(4, 1).run();
          }
          db.commit.run();
        }
      },
      [&](std::size_t i) {
        linked[i] = link_sign_up(db, next_email(), "correct horse battery", guests[i].token, moved);
      });
  if (moved != rows || cart_rows_of(db, linked[n - 1]) != rows) fail("link: cart rows not moved");
  return result;
}

/// purge_<guests> on a fresh database, with sqlite_bench.cpp's fixture: the real users once (each
/// signed up in its own transaction, then a cart row each in one), and before each purge the
/// guests (user, session and cart row) in one transaction.
stats purge_phase(database& db, std::size_t n, std::size_t guests) {
  namespace purge = bench_support::purge;
  std::vector<std::string> real_ids;
  std::size_t moved = 0;
  for (std::size_t u = 0; u < purge::real_users; ++u)
    real_ids.push_back(link_sign_up(db, next_email(), "correct horse battery", std::nullopt, moved));
  db.begin.run();
  for (const auto& id : real_ids) db.insert_cart.text(1, id + "-0").text(2, id).text(3, "sku").integer(4, 1).run();
  db.commit.run();

  std::vector<signed_in> fixture(guests);
  std::int64_t cutoff = 0;
  std::size_t purged = 0;
  auto result = measure(
      purge::phase_name(guests), n,
      [&](std::size_t) {
        const std::int64_t now = now_ms();
        db.begin.run();
        for (auto& g : fixture) {
          user_row guest{random_string(32), "Anonymous", lower("temp@" + random_string(32) + ".com"), false,
                         std::nullopt, true, now, now, std::nullopt};
          g.token = random_string(32);
          bind_user(db.insert_user, guest);
          db.insert_user.run();
          // Named: the statement binds its text without copying (SQLITE_STATIC) until it runs.
          const session_row session{random_string(32), guest.id, now + session_lifetime_ms, now, now, "", "", sha256(g.token)};
          bind_session(db.insert_session, session);
          db.insert_session.run();
          const std::string row_id = guest.id + "-0";
          db.insert_cart.text(1, row_id).text(2, guest.id).text(3, "sku").integer(4, 1).run();
          g.user_id = std::move(guest.id);
        }
        db.commit.run();
        cutoff = now + 1;  // every guest is older than the cut-off
      },
      [&](std::size_t) { purged = purge_anonymous_users(db, cutoff, purge::batch); },
      [&](std::size_t) {
        if (purged != guests) fail("purge: deleted " + std::to_string(purged) + " guests");
        const auto real = static_cast<std::int64_t>(purge::real_users);
        for (const char* table : {"user", "session", "account", "cart_items"}) {
          const std::string sql = std::string("SELECT count(*) FROM \"") + table + "\"";
          if (db.count(sql.c_str()) != real) fail(std::string("purge: rows other than the real users' left in ") + table);
        }
        for (const auto& g : fixture)
          if (get_session(db, g.token)) fail("purge: a guest's session still resolves");
        for (const auto& id : real_ids)
          if (cart_rows_of(db, id) != 1) fail("purge: a real user lost");
      });
  return bench_support::per_guest(std::move(result), guests);
}

struct configuration {
  const char* name;
  bool file;
  const char* journal;
  const char* synchronous;
  std::size_t divisor;  // of memory_bench's n, as in sqlite_bench.cpp
  std::size_t purge_guests, purge_repetitions;  // as in sqlite_bench.cpp
};

constexpr std::array<configuration, 3> configurations{{
    {"sqlite-memory", false, "", "", 1, bench_support::purge::guests, 5},
    {"sqlite-file-peer", true, "PRAGMA journal_mode=DELETE", "PRAGMA synchronous=FULL", 5, 2500, 3},
    {"sqlite-file-wal", true, "PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", 1, bench_support::purge::guests, 3},
}};

void run(const configuration& config, bool quick) {
  const std::size_t scale = (quick ? 10 : 1) * config.divisor;
  const std::string load_start = loadavg();
  const std::string path =
      config.file ? (std::filesystem::temp_directory_path() /
                     ("anonauth-sqlite-floor-" + std::to_string(::getpid()) + "-" + config.name + ".db"))
                        .string()
                  : std::string();
  remove_database(path);
  std::vector<stats> all;
  std::string journal;
  {
    database db(path, config.file, config.journal, config.synchronous);
    journal = db.journal_mode();
    std::vector<signed_in> guests;
    guests.reserve(20000 / scale);
    all.push_back(measure(
        "sign_in_anonymous", 20000 / scale, [](std::size_t) {},
        [&](std::size_t) { guests.push_back(sign_in_anonymous(db)); }));
    for (const bool in_txn : {false, true}) {
      std::string found;
      all.push_back(measure(
          in_txn ? "get_session_in_txn" : "get_session", 20000 / scale,
          [&](std::size_t i) {
            if (i > 0 && found != guests[(i - 1) % guests.size()].user_id) fail("get-session: another user");
          },
          [&](std::size_t i) {
            auto view = get_session(db, guests[i % guests.size()].token, in_txn);
            if (!view || !view->second.is_anonymous) fail("get-session");
            found = std::move(view->second.id);
          }));
    }
    all.push_back(link_phase(db, "link_no_hash_rows_0", 2000 / scale, 0));
    all.push_back(link_phase(db, "link_no_hash_rows_100", 500 / scale, 100));
    all.push_back(link_phase(db, "link_no_hash_rows_10000", quick ? 3 : 20, 10000));
  }
  remove_database(path);
  {
    database db(path, config.file, config.journal, config.synchronous);
    all.push_back(purge_phase(db, quick ? 1 : config.purge_repetitions, config.purge_guests));
  }
  remove_database(path);

  const bool full = std::strstr(config.synchronous, "FULL") != nullptr;
  bench_support::print_json_line(
      bench_support::run_fields("sqlite-floor", config.name, "sqlite",
                                {bench_support::sqlite_field(sqlite3_libversion(), config.file, journal, full ? "full" : "normal")},
                                quick, load_start),
      all);
}

}  // namespace floor_bench

int main(int argc, char** argv) {
  bench_support::pin_allocator();
  bool quick = false;
  const auto chosen = bench_support::choose(argc, argv, floor_bench::configurations, quick);
  if (sodium_init() < 0) floor_bench::fail("libsodium failed to initialise");
  for (const auto* config : chosen) floor_bench::run(*config, quick);
}
