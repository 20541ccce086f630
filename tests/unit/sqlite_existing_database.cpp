// An existing codebase on SQLite (docs/existing-database.md): the storage over the app's own
// connection, left as the app configured it; a database file shared with the app's tables, which
// anonauth never touches; the app's SQL inside the link (a migrator's native handle), inside
// every write (before_commit) and in a write transaction of its own (auth.transaction); schema
// changes over time (aa::schema_migration::additive, aa::schema_sql); and rows the app wrote
// itself, read and reassigned like any other.
#include "catch.hpp"
#include "fixtures.hpp"
#include "sqlite_fixtures.hpp"
#include "test_files.hpp"

#include <anonauth/anonauth.hpp>
#include <anonauth/storage/sqlite/sqlite.hpp>

#include <boost/hana/adapt_struct.hpp>

#include <sqlite3.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace existing {
namespace aa = anonauth;

// The shop's own structs, with default member values: how an app already has them.
struct customer {
  std::string id;
  std::string name;
  std::string email;
  bool email_verified = false;
  std::optional<std::string> image;
  bool is_anonymous = false;
  aa::timestamp created_at{};
  aa::timestamp updated_at{};
};
// The same struct a release later: two fields more.
struct customer_v2 {
  std::string id;
  std::string name;
  std::string email;
  bool email_verified = false;
  std::optional<std::string> image;
  bool is_anonymous = false;
  aa::timestamp created_at{};
  aa::timestamp updated_at{};
  int points = 10;
  std::optional<std::string> nickname;
  std::string plan = "it's free";
};
struct order {
  std::string id;
  std::string customer_id;
  std::string item;
  std::optional<std::string> note;
};
}  // namespace existing

BOOST_HANA_ADAPT_STRUCT(existing::customer, id, name, email, email_verified, image, is_anonymous, created_at,
                        updated_at);
BOOST_HANA_ADAPT_STRUCT(existing::customer_v2, id, name, email, email_verified, image, is_anonymous, created_at,
                        updated_at, points, nickname, plan);
BOOST_HANA_ADAPT_STRUCT(existing::order, id, customer_id, item, note);

namespace existing {
namespace {

using sqlite_fixtures::raw_db;
using strings = std::vector<std::vector<std::string>>;

template <class User>
using users_table = aa::user_table<User, "customers", aa::column<&User::is_anonymous, "guest">>;
using orders_table = aa::table<"orders", order, aa::user_ref<&order::customer_id>,
                               aa::column<&order::customer_id, "customer">>;
template <class User>
using shop_schema = aa::schema<users_table<User>, orders_table>;

/// Runs one statement with text parameters on the app's connection; throws on failure.
void run_sql(sqlite3* db, const std::string& sql, const std::vector<std::string>& params = {}) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
    throw std::runtime_error(sqlite3_errmsg(db));
  for (std::size_t i = 0; i < params.size(); ++i)
    sqlite3_bind_text(st, static_cast<int>(i + 1), params[i].c_str(), -1, SQLITE_TRANSIENT);
  const int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db));
}

// snippet: native-handle-migrator
/// Writes the link into the app's own table, with the app's own SQL, inside the link.
struct log_the_link {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    sqlite3* db = ctx.native_handle();
    run_sql(db, "INSERT INTO link_log (guest, account) VALUES (?, ?)",
            {ctx.anonymous_user().id, ctx.new_user().id});
  }
};
// end snippet
/// Fails the link of one address, after log_the_link ran.
struct refuse_one_address {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    if (ctx.new_user().email == "refused@example.com") throw std::runtime_error("refused");
  }
};

using shop_link = aa::link_migrations<aa::reassign<&order::customer_id>, aa::on_link<log_the_link>,
                                      aa::on_link<refuse_one_address>>;
template <class User = customer>
using shop_auth = aa::anonymous_auth<shop_schema<User>, aa::link<shop_link>, aa::storage<aa::sqlite_storage>,
                                     aa::clock<fixtures::manual_clock>, fixtures::fast_hashing>;

/// The shop before anonauth: its tables (with its names), a table anonauth does not know, an
/// index and a trigger of its own, a view, and rows it wrote itself.
constexpr const char* shop_ddl =
    "CREATE TABLE customers (id TEXT PRIMARY KEY, name VARCHAR(120) NOT NULL, email VARCHAR(255) NOT NULL, "
    "email_verified BOOLEAN NOT NULL, image TEXT, guest INTEGER NOT NULL, created_at INTEGER NOT NULL, "
    "updated_at INTEGER NOT NULL, loyalty_tier TEXT, signup_source TEXT NOT NULL DEFAULT 'web');"
    "CREATE TABLE orders (id TEXT PRIMARY KEY, customer TEXT NOT NULL, item TEXT NOT NULL, note TEXT);"
    "CREATE TABLE link_log (guest TEXT NOT NULL, account TEXT NOT NULL);"
    "CREATE TABLE order_events (order_id TEXT NOT NULL, what TEXT NOT NULL);"
    "CREATE INDEX orders_by_item ON orders (item);"
    "CREATE TRIGGER order_moved AFTER UPDATE OF customer ON orders "
    "BEGIN INSERT INTO order_events VALUES (NEW.id, 'moved'); END;"
    "CREATE VIEW order_count AS SELECT customer, count(*) AS n FROM orders GROUP BY customer;"
    "INSERT INTO customers (id, name, email, email_verified, image, guest, created_at, updated_at) VALUES "
    "('42', 'Ada', 'ada@example.com', 1, NULL, 0, 1700000000000, 1700000000000);"
    "INSERT INTO orders VALUES (1001, '42', 'kettle', NULL);";

/// What sqlite_master says of the app's own objects (not anonauth's session and account tables).
strings app_objects(raw_db& db) {
  return db.values(
      "SELECT type, name, sql FROM sqlite_master WHERE tbl_name NOT IN ('session', 'account') "
      "AND name NOT LIKE 'customers\\_%' ESCAPE '\\' AND name NOT LIKE 'orders\\_customer' ESCAPE '\\' "
      "ORDER BY type, name");
}

std::string shop_file(const std::string& name) {
  const std::string path = test_files::unique_path(name);
  raw_db(path).exec(shop_ddl);
  return path;
}

}  // namespace
}  // namespace existing

using namespace existing;

// --- 2. the app's connection and file ----------------------------------------------------------

TEST_CASE("existing_database.runs_on_the_apps_connection_and_leaves_it_as_it_was", "[existing][sqlite]") {
  const std::string path = shop_file("existing-connection.db");
  raw_db app(path);
  app.exec("PRAGMA synchronous=OFF");
  sqlite3_busy_timeout(app.handle(), 1234);
  const strings before = app.values("PRAGMA journal_mode");
  fixtures::manual_clock clock;
  std::string guest_id;
  {
    shop_auth<> auth{aa::sqlite_config{.connection = app.handle()}, clock};
    const auto guest = auth.sign_in_anonymous(fixtures::no_session());
    REQUIRE(guest);
    guest_id = guest->user.id;
    // The app sees the storage's writes on its own connection at once, and the other way round.
    CHECK(app.values("SELECT guest FROM customers WHERE id = '" + guest_id + "'") == strings{{"1"}});
    app.exec("INSERT INTO orders VALUES ('o-2', '" + guest_id + "', 'mug', 'gift')");
    CHECK(auth.table<order>().find("o-2")->note == "gift");
    CHECK(auth.get_session(guest->token));
    CHECK(auth.storage().native_handle() == app.handle());
  }
  // Left open, and configured as the app configured it.
  CHECK(app.values("PRAGMA journal_mode") == before);
  CHECK(before == strings{{"delete"}});
  CHECK(app.values("PRAGMA synchronous") == strings{{"0"}});
  CHECK(app.values("SELECT count(*) FROM session WHERE user_id = '" + guest_id + "'") == strings{{"1"}});
}

TEST_CASE("existing_database.configures_the_apps_connection_only_when_asked", "[existing][sqlite]") {
  const std::string path = shop_file("existing-configured.db");
  raw_db app(path);
  fixtures::manual_clock clock;
  shop_auth<> auth{aa::sqlite_config{.connection = app.handle(), .configure_connection = true}, clock};
  CHECK(app.values("PRAGMA journal_mode") == strings{{"wal"}});
  CHECK(app.values("PRAGMA synchronous") == strings{{"1"}});  // NORMAL
}

TEST_CASE("existing_database.an_in_memory_connection_of_the_app", "[existing][sqlite]") {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK);
  run_sql(db, "CREATE TABLE link_log (guest TEXT NOT NULL, account TEXT NOT NULL)");
  fixtures::manual_clock clock;
  {
    shop_auth<> auth{aa::sqlite_config{.connection = db}, clock};
    const auto guest = auth.sign_in_anonymous(fixtures::no_session());
    REQUIRE(guest);
    auth.table<order>().insert({"o-1", guest->user.id, "tea", std::nullopt});
    REQUIRE(auth.sign_up_email(fixtures::sign_up_body("mem@example.com"), fixtures::with_token(guest->token)));
  }
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT count(*) FROM link_log", -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(sqlite3_column_int(st, 0) == 1);
  sqlite3_finalize(st);
  CHECK(sqlite3_close(db) == SQLITE_OK);  // every statement the storage prepared is finalized
}

TEST_CASE("existing_database.a_path_and_a_connection_together_are_refused", "[existing][sqlite]") {
  raw_db app(test_files::unique_path("existing-both.db"));
  fixtures::manual_clock clock;
  CHECK_THROWS_WITH((shop_auth<>{aa::sqlite_config{.path = "other.db", .connection = app.handle()}, clock}),
                    "sqlite_storage: give either a path or a connection, not both");
}

TEST_CASE("existing_database.the_apps_own_tables_indexes_trigger_and_view_are_never_touched", "[existing][sqlite]") {
  const std::string path = shop_file("existing-shared.db");
  raw_db app(path);
  const strings objects = app_objects(app);
  REQUIRE(objects.size() == 9);  // 4 tables, an index, a trigger, a view, the keys of customers and orders
  const strings customer_rows = app.values("SELECT * FROM customers");
  fixtures::manual_clock clock;
  {
    shop_auth<> auth{aa::sqlite_config{.path = path}, clock};
    const auto guest = auth.sign_in_anonymous(fixtures::no_session());
    REQUIRE(guest);
    auth.table<order>().insert({"o-2", guest->user.id, "mug", std::nullopt});
    REQUIRE(auth.sign_up_email(fixtures::sign_up_body("new@example.com"), fixtures::with_token(guest->token)));
  }
  CHECK(app_objects(app) == objects);
  // The app's row is as it wrote it; its extra columns are filled by their defaults for ours.
  CHECK(app.values("SELECT * FROM customers WHERE id = '42'") == customer_rows);
  CHECK(app.values("SELECT signup_source, loyalty_tier IS NULL FROM customers WHERE email = 'new@example.com'") ==
        strings{{"web", "1"}});
  // The app's trigger fired for the link's reassign, inside its transaction.
  CHECK(app.values("SELECT order_id, what FROM order_events") == strings{{"o-2", "moved"}});
  CHECK(app.values("SELECT n FROM order_count WHERE customer = (SELECT id FROM customers WHERE email = "
                   "'new@example.com')") == strings{{"1"}});
}

// --- 3. the app's SQL in the same transaction --------------------------------------------------

TEST_CASE("existing_database.a_migrators_own_sql_commits_and_rolls_back_with_the_link", "[existing][sqlite]") {
  const std::string path = shop_file("existing-migrator-sql.db");
  fixtures::manual_clock clock;
  shop_auth<> auth{aa::sqlite_config{.path = path}, clock};
  raw_db app(path);

  const auto refused = auth.sign_in_anonymous(fixtures::no_session());
  REQUIRE(refused);
  auth.table<order>().insert({"o-r", refused->user.id, "lamp", std::nullopt});
  const auto failed = auth.sign_up_email(fixtures::sign_up_body("refused@example.com"),
                                         fixtures::with_token(refused->token));
  REQUIRE(!failed);
  CHECK(failed.error().code() == aa::errors::link_migration_failed.code);
  // log_the_link's INSERT ran, then the link failed: the row went with the rest.
  CHECK(app.values("SELECT count(*) FROM link_log") == strings{{"0"}});
  CHECK(app.values("SELECT customer FROM orders WHERE id = 'o-r'") == strings{{refused->user.id}});

  const auto guest = auth.sign_in_anonymous(fixtures::no_session());
  REQUIRE(guest);
  const auto up = auth.sign_up_email(fixtures::sign_up_body("kept@example.com"), fixtures::with_token(guest->token));
  REQUIRE(up);
  CHECK(app.values("SELECT guest, account FROM link_log") == strings{{guest->user.id, up->user.id}});
}

TEST_CASE("existing_database.before_commit_runs_inside_every_write", "[existing][sqlite]") {
  const std::string path = shop_file("existing-before-commit.db");
  fixtures::manual_clock clock;
  int writes = 0;
  bool refuse = false;
  aa::sqlite_config config{.path = path};
  // snippet: before-commit
  config.before_commit = [&](sqlite3* db) {
    ++writes;
    if (refuse) throw aa::storage_error("the app refused this write");
    run_sql(db, "INSERT INTO order_events VALUES ('-', 'write')");
  };
  // end snippet
  shop_auth<> auth{config, clock};
  raw_db app(path);
  CHECK(writes == 0);  // opening creates the tables outside the hook
  const auto guest = auth.sign_in_anonymous(fixtures::no_session());
  REQUIRE(guest);
  CHECK(writes == 1);
  CHECK(app.values("SELECT count(*) FROM order_events") == strings{{"1"}});
  auth.table<order>().insert({"o-1", guest->user.id, "cup", std::nullopt});
  CHECK(writes == 2);
  CHECK(auth.table<order>().count() == 2);  // the shop's own order 1001 and this one

  refuse = true;
  const auto users_before = app.values("SELECT count(*) FROM customers");
  const auto second = auth.sign_in_anonymous(fixtures::no_session());
  REQUIRE(!second);
  CHECK(second.error().code() == aa::errors::failed_to_create_user.code);
  CHECK(app.values("SELECT count(*) FROM customers") == users_before);
  CHECK_THROWS_AS(auth.table<order>().insert({"o-2", guest->user.id, "cup", std::nullopt}), aa::storage_error);
  CHECK(!auth.table<order>().find("o-2"));
  CHECK(app.values("SELECT count(*) FROM order_events") == strings{{"2"}});
}

TEST_CASE("existing_database.the_apps_own_write_transaction_mixes_its_sql_and_table_handles", "[existing][sqlite]") {
  const std::string path = shop_file("existing-transaction.db");
  fixtures::manual_clock clock;
  shop_auth<> auth{aa::sqlite_config{.path = path}, clock};
  raw_db app(path);
  const auto guest = auth.sign_in_anonymous(fixtures::no_session());
  REQUIRE(guest);
  const std::string guest_id = guest->user.id;

  const std::size_t orders = auth.transaction([&](auto& tx) {
    tx.template table<order>().insert({"o-7", guest_id, "teapot", std::nullopt});
    run_sql(tx.native_handle(), "INSERT INTO order_events VALUES ('o-7', 'placed')");
    return tx.template table<order>().count();
  });
  CHECK(orders == 2);
  CHECK(app.values("SELECT what FROM order_events WHERE order_id = 'o-7'") == strings{{"placed"}});

  CHECK_THROWS_WITH(auth.transaction([&](auto& tx) {
                      tx.template table<order>().insert({"o-8", guest_id, "spoon", std::nullopt});
                      run_sql(tx.native_handle(), "INSERT INTO order_events VALUES ('o-8', 'placed')");
                      throw std::runtime_error("out of stock");
                    }),
                    "out of stock");
  CHECK(!auth.table<order>().find("o-8"));
  CHECK(app.values("SELECT count(*) FROM order_events WHERE order_id = 'o-8'") == strings{{"0"}});
  // The auth inside its own transaction would wait for itself: refused, and nothing is left.
  CHECK_THROWS_AS(auth.transaction([&](auto&) { return auth.find_user(guest_id); }), std::logic_error);
  CHECK(auth.find_user(guest_id));
}

// --- 4. schema changes over time ----------------------------------------------------------------

TEST_CASE("existing_database.a_new_field_is_an_error_naming_it_unless_additive", "[existing][sqlite]") {
  const std::string path = shop_file("existing-strict.db");
  fixtures::manual_clock clock;
  { shop_auth<> v1{aa::sqlite_config{.path = path}, clock}; }
  raw_db app(path);
  const std::string before = sqlite_fixtures::dump(path);
  CHECK_THROWS_WITH((shop_auth<customer_v2>{aa::sqlite_config{.path = path}, clock}),
                    "sqlite_storage: table \"customers\" has no column \"points\" that the schema declares "
                    "(aa::schema_migration::additive adds it)");
  CHECK(sqlite_fixtures::dump(path) == before);
}

TEST_CASE("existing_database.additive_adds_the_missing_columns_with_their_defaults", "[existing][sqlite]") {
  const std::string path = shop_file("existing-additive.db");
  fixtures::manual_clock clock;
  std::string guest_token;
  {
    shop_auth<> v1{aa::sqlite_config{.path = path}, clock};
    guest_token = v1.sign_in_anonymous(fixtures::no_session())->token;
  }
  raw_db app(path);
  const strings app_columns = app.values("SELECT name FROM pragma_table_info('customers') ORDER BY cid");

  const std::string pending = aa::schema_sql<shop_auth<customer_v2>>(aa::sqlite_config{.path = path});
  CHECK(pending ==
        "ALTER TABLE \"customers\" ADD COLUMN \"points\" INTEGER NOT NULL DEFAULT 10;\n"
        "ALTER TABLE \"customers\" ADD COLUMN \"nickname\" TEXT;\n"
        "ALTER TABLE \"customers\" ADD COLUMN \"plan\" TEXT NOT NULL DEFAULT 'it''s free';\n");
  CHECK(app.values("SELECT count(*) FROM pragma_table_info('customers') WHERE name = 'points'") == strings{{"0"}});

  {
    shop_auth<customer_v2> v2{aa::sqlite_config{.path = path, .migrate = aa::schema_migration::additive}, clock};
    // The rows already there read with the defaults; the app's own row too.
    const auto guest = v2.get_session(guest_token);
    REQUIRE(guest);
    CHECK(guest->user.points == 10);
    CHECK(guest->user.plan == "it's free");
    CHECK(!guest->user.nickname);
    const auto ada = v2.find_user("42");
    REQUIRE(ada);
    CHECK(ada->points == 10);
    auto edited = v2.update_user_by_id("42", [](customer_v2& c) {
      c.points = 99;
      c.nickname = "ada";
    });
    REQUIRE(edited);
  }
  // Added after the app's own columns, which stay as they were.
  strings expected = app_columns;
  expected.push_back({"points"});
  expected.push_back({"nickname"});
  expected.push_back({"plan"});
  CHECK(app.values("SELECT name FROM pragma_table_info('customers') ORDER BY cid") == expected);
  CHECK(app.values("SELECT points, nickname, signup_source FROM customers WHERE id = '42'") ==
        strings{{"99", "ada", "web"}});
  // Nothing is pending any more, and reopening with or without additive changes nothing.
  CHECK(aa::schema_sql<shop_auth<customer_v2>>(aa::sqlite_config{.path = path}).empty());
  const std::string after = sqlite_fixtures::dump(path);
  { shop_auth<customer_v2> again{aa::sqlite_config{.path = path}, clock}; }
  CHECK(sqlite_fixtures::dump(path) == after);
}

TEST_CASE("existing_database.schema_sql_of_a_new_database_is_the_whole_schema", "[existing][sqlite]") {
  const std::string fresh = test_files::unique_path("existing-none.db");
  const std::string script = aa::schema_sql<shop_auth<>>(aa::sqlite_config{.path = fresh});
  CHECK(::access(fresh.c_str(), F_OK) != 0);  // only read: not even created
  CHECK(script == aa::schema_sql<shop_auth<>>());
  CHECK(script.starts_with("CREATE TABLE \"customers\" (\"id\" TEXT PRIMARY KEY, \"name\" TEXT NOT NULL"));
  // Run by another tool, the script makes a database the storage opens as its own.
  const std::string path = test_files::unique_path("existing-from-script.db");
  raw_db(path).exec(script);
  const std::string made = sqlite_fixtures::dump(path);
  fixtures::manual_clock clock;
  { shop_auth<> auth{aa::sqlite_config{.path = path}, clock}; }
  CHECK(sqlite_fixtures::dump(path) == made);
  CHECK(aa::schema_sql<shop_auth<>>(aa::sqlite_config{.path = path}).empty());
}

TEST_CASE("existing_database.additive_never_adds_what_it_cannot_and_changes_all_or_nothing", "[existing][sqlite]") {
  fixtures::manual_clock clock;
  const aa::schema_migration additive = aa::schema_migration::additive;
  SECTION("a missing user reference") {
    const std::string path = test_files::unique_path("existing-no-ref.db");
    { shop_auth<> v1{aa::sqlite_config{.path = path}, clock}; }
    raw_db(path).exec("ALTER TABLE orders RENAME COLUMN customer TO buyer");
    const std::string before = sqlite_fixtures::dump(path);
    CHECK_THROWS_WITH((shop_auth<customer_v2>{aa::sqlite_config{.path = path, .migrate = additive}, clock}),
                      "sqlite_storage: table \"orders\" has no column \"customer\" that the schema declares "
                      "(a key, a user reference or a core field: add it yourself)");
    // customers' new columns came first in the same transaction: rolled back with it.
    CHECK(sqlite_fixtures::dump(path) == before);
    CHECK_THROWS_AS(aa::schema_sql<shop_auth<customer_v2>>(aa::sqlite_config{.path = path}), aa::storage_error);
  }
  SECTION("a column of another type") {
    const std::string path = test_files::unique_path("existing-retyped.db");
    raw_db(path).exec(
        "CREATE TABLE orders (id TEXT PRIMARY KEY, customer TEXT NOT NULL, item INTEGER NOT NULL, note TEXT)");
    CHECK_THROWS_WITH((shop_auth<>{aa::sqlite_config{.path = path, .migrate = additive}, clock}),
                      "sqlite_storage: table \"orders\" column \"item\" is INTEGER NOT NULL, the schema needs TEXT "
                      "NOT NULL");
  }
  SECTION("an app column inserts would fail on") {
    const std::string path = test_files::unique_path("existing-required.db");
    raw_db(path).exec("CREATE TABLE orders (id TEXT PRIMARY KEY, customer TEXT NOT NULL, item TEXT NOT NULL, "
                      "note TEXT, warehouse TEXT NOT NULL)");
    CHECK_THROWS_WITH((shop_auth<>{aa::sqlite_config{.path = path, .migrate = additive}, clock}),
                      "sqlite_storage: table \"orders\" has a NOT NULL column \"warehouse\" the schema does not "
                      "know: inserts would fail");
  }
}

// --- 5. rows the app wrote itself ---------------------------------------------------------------

TEST_CASE("existing_database.rows_the_app_wrote_are_read_and_reassigned_like_any_other", "[existing][sqlite]") {
  const std::string path = shop_file("existing-rows.db");
  fixtures::manual_clock clock;
  shop_auth<> auth{aa::sqlite_config{.path = path}, clock};
  raw_db app(path);

  // The shop's row with an integer id it chose, and its user with a NULL image.
  const auto kettle = auth.table<order>().find("1001");
  REQUIRE(kettle);
  CHECK(kettle->customer_id == "42");
  CHECK(!kettle->note);
  const auto ada = auth.find_user("42");
  REQUIRE(ada);
  CHECK(ada->email == "ada@example.com");
  CHECK(!ada->image);
  CHECK(!ada->is_anonymous);

  // A guest's cart, written by the shop's own SQL with its own ids.
  const auto guest = auth.sign_in_anonymous(fixtures::no_session());
  REQUIRE(guest);
  app.exec("INSERT INTO orders VALUES (2001, '" + guest->user.id + "', 'cup', NULL), ('legacy-7', '" +
           guest->user.id + "', 'saucer', 'chipped')");
  CHECK(auth.table<order>().find_by<&order::customer_id>(guest->user.id).size() == 2);

  // Ada signs up through anonauth's account rows, then the guest signs in as her.
  app.exec("INSERT INTO account (id, user_id, provider_id, account_id, password_hash, created_at, updated_at) "
           "SELECT 'acc-42', '42', 'google', 'g-42', NULL, 0, 0");
  const auto linked = auth.sign_in_social(link_fixtures::profile("google", "g-42", "ada@example.com"),
                                          fixtures::with_token(guest->token));
  REQUIRE(linked);
  CHECK(linked->user.id == "42");
  CHECK(app.values("SELECT id FROM orders WHERE customer = '42' ORDER BY id") ==
        strings{{"1001"}, {"2001"}, {"legacy-7"}});
  CHECK(app.values("SELECT count(*) FROM customers WHERE id = '" + guest->user.id + "'") == strings{{"0"}});
}

TEST_CASE("existing_database.additive_adds_the_guest_flag_to_an_apps_user_table", "[existing][sqlite]") {
  // The shop's customers before guests: no guest flag, no verified flag.
  const std::string path = test_files::unique_path("existing-no-flag.db");
  raw_db(path).exec(
      "CREATE TABLE customers (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, image TEXT, "
      "created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
      "INSERT INTO customers VALUES ('7', 'Grace', 'grace@example.com', NULL, 0, 0);");
  CHECK(aa::schema_sql<shop_auth<>>(aa::sqlite_config{.path = path}).starts_with(
      "ALTER TABLE \"customers\" ADD COLUMN \"email_verified\" INTEGER NOT NULL DEFAULT 0;\n"
      "ALTER TABLE \"customers\" ADD COLUMN \"guest\" INTEGER NOT NULL DEFAULT 0;\n"
      "CREATE UNIQUE INDEX IF NOT EXISTS \"customers_email\""));
  fixtures::manual_clock clock;
  shop_auth<> auth{aa::sqlite_config{.path = path, .migrate = aa::schema_migration::additive}, clock};
  const auto grace = auth.find_user("7");
  REQUIRE(grace);
  CHECK(!grace->is_anonymous);
  CHECK(!grace->email_verified);
  const auto guest = auth.sign_in_anonymous(fixtures::no_session());
  REQUIRE(guest);
  CHECK(auth.find_user(guest->user.id)->is_anonymous);
}
