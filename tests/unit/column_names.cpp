// Your names: a schema that maps members to the column names of an existing database
// (aa::column) and names the session and account tables (aa::session_table,
// aa::account_table). The SQL it generates, a database the application made with its own SQL
// opened and used through them, a mismatch that names the mapped column, and the memory
// storage over the same schema (docs/schema-and-migrations.md, "Your names").
#include "catch.hpp"
#include "test_dialect.hpp"
#include "fixtures.hpp"
#include "storages.hpp"

#include <anonauth/storage/sql/schema_check.hpp>
#include <anonauth/storage/sql/statements.hpp>
#ifdef ANONAUTH_HAS_SQLITE
#include "test_files.hpp"

#include <sqlite3.h>
#endif

#include <boost/hana/define_struct.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace aa = anonauth;
namespace sql = anonauth::sql;
using test_dialect::question_marks;

namespace names {
struct user {
  BOOST_HANA_DEFINE_STRUCT(user, (std::string, id), (std::string, name), (std::string, email),
                           (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
                           (aa::timestamp, created_at), (aa::timestamp, updated_at),
                           (std::optional<std::string>, bio));
};
struct order {
  BOOST_HANA_DEFINE_STRUCT(order, (std::string, id), (std::string, customer_id), (std::string, item));
};
}  // namespace names
using names::order;
using names::user;

// snippet: your-names
using users_table = aa::user_table<user, "users", aa::column<&user::email_verified, "emailVerified">,
                                   aa::column<&user::is_anonymous, "isAnonymous">, aa::column<&user::id, "uid">,
                                   aa::column<&user::bio, "about">>;
using orders_table =
    aa::table<"orders", order, aa::user_ref<&order::customer_id>, aa::column<&order::customer_id, "customer">>;
using sessions_table = aa::session_table<"sessions", aa::column<&aa::session::user_id, "owner">,
                                         aa::column<&aa::session_record::hash, "token">>;
using accounts_table = aa::account_table<"accounts", aa::column<&aa::account::provider_id, "provider">>;
using mapped_schema = aa::schema<users_table, orders_table, sessions_table, accounts_table>;
// end snippet
static_assert(aa::schema_check_t<mapped_schema>::is_ok);
static_assert(std::is_same_v<mapped_schema::app_tables, aa::detail::type_list<orders_table>>);

using move_orders = aa::link_migrations<aa::reassign<&order::customer_id>, aa::copy_if_empty<&user::bio>>;

template <class Storage>
using mapped_auth = aa::anonymous_auth<mapped_schema, aa::link<move_orders>, aa::storage<Storage>,
                                       aa::clock<fixtures::manual_clock>, fixtures::fast_hashing>;


/// Every table's DDL and indexes, as the SQL layer creates them.
std::vector<std::string> ddl_of_mapped_schema() {
  using D = question_marks;
  std::vector<std::string> out;
  []<class... Tables>(std::vector<std::string>& o, aa::detail::type_list<Tables...>) {
    ((o.push_back(sql::create_table<D>(Tables::name(), sql::column_specs<D, Tables>())),
      [&] {
        for (const auto& index : Tables::indexes()) o.push_back(sql::create_index<D>(Tables::name(), index));
      }()),
     ...);
  }(out, sql::tables_of<mapped_schema>::type{});
  return out;
}

}  // namespace

TEST_CASE("column_names.a_mapped_schema_creates_the_mapped_names", "[names]") {
  CHECK(ddl_of_mapped_schema() ==
        std::vector<std::string>{
            "CREATE TABLE \"users\" (\"uid\" TEXT PRIMARY KEY, \"name\" TEXT NOT NULL, \"email\" TEXT NOT NULL, "
            "\"emailVerified\" INTEGER NOT NULL, \"image\" TEXT, \"isAnonymous\" INTEGER NOT NULL, "
            "\"created_at\" INTEGER NOT NULL, \"updated_at\" INTEGER NOT NULL, \"about\" TEXT)",
            "CREATE UNIQUE INDEX IF NOT EXISTS \"users_email\" ON \"users\" (\"email\")",
            "CREATE INDEX IF NOT EXISTS \"users_anonymous\" ON \"users\" (\"isAnonymous\", \"uid\")",
            "CREATE TABLE \"sessions\" (\"id\" TEXT PRIMARY KEY, \"owner\" TEXT NOT NULL, \"expires_at\" INTEGER NOT "
            "NULL, \"created_at\" INTEGER NOT NULL, \"updated_at\" INTEGER NOT NULL, \"ip_address\" TEXT NOT NULL, "
            "\"user_agent\" TEXT NOT NULL, \"token\" BLOB NOT NULL)",
            "CREATE UNIQUE INDEX IF NOT EXISTS \"sessions_token_hash\" ON \"sessions\" (\"token\")",
            "CREATE INDEX IF NOT EXISTS \"sessions_user_id\" ON \"sessions\" (\"owner\")",
            "CREATE TABLE \"accounts\" (\"id\" TEXT PRIMARY KEY, \"user_id\" TEXT NOT NULL, \"provider\" TEXT NOT "
            "NULL, \"account_id\" TEXT NOT NULL, \"password_hash\" TEXT, \"created_at\" INTEGER NOT NULL, "
            "\"updated_at\" INTEGER NOT NULL)",
            "CREATE UNIQUE INDEX IF NOT EXISTS \"accounts_provider\" ON \"accounts\" (\"provider\", \"account_id\")",
            "CREATE INDEX IF NOT EXISTS \"accounts_user_id\" ON \"accounts\" (\"user_id\")",
            "CREATE TABLE \"orders\" (\"id\" TEXT PRIMARY KEY, \"customer\" TEXT NOT NULL, \"item\" TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS \"orders_customer\" ON \"orders\" (\"customer\")"});
}

TEST_CASE("column_names.every_statement_uses_the_mapped_names", "[names]") {
  using D = question_marks;
  using users = sql::table_for_t<mapped_schema, user>;
  using orders = sql::table_for_t<mapped_schema, order>;
  using sessions = sql::table_for_t<mapped_schema, aa::session_record>;
  using sc = sql::session_columns;
  CHECK(sql::select_by<D, mapped_schema, &order::customer_id>() ==
        "SELECT \"id\", \"customer\", \"item\" FROM \"orders\" WHERE \"customer\" = ?");
  CHECK(sql::update<D, orders, sql::set<sql::column_of<&order::customer_id>>,
                    sql::where<sql::eq<sql::column_of<&order::customer_id>>>>::text() ==
        "UPDATE \"orders\" SET \"customer\" = ? WHERE \"customer\" = ?");
  CHECK(sql::update_row<D, users>::text().ends_with("\"about\" = ? WHERE \"uid\" = ?"));
  CHECK(sql::erase<D, sessions, sql::where<sql::eq<sc::user_id>>>::text() ==
        "DELETE FROM \"sessions\" WHERE \"owner\" = ?");
  CHECK(sql::select<D, sessions, sql::where<sql::eq<sc::token_hash>>>::text().ends_with(
      "FROM \"sessions\" WHERE \"token\" = ?"));
  const aa::account a{"a1", "u1", "github", "gh-1", std::nullopt, {}, {}};
  using accounts = sql::table_for_t<mapped_schema, aa::account>;
  try {
    sql::throw_duplicate_key(sql::unique_violation("db: UNIQUE constraint failed", {"accounts.provider",
                                                                                   "accounts.account_id"}),
                             accounts::name(), accounts::known_keys(a));
  } catch (const aa::storage_error& e) {
    CHECK(std::string(e.what()) == R"(duplicate key in table "accounts": provider "github", account_id "gh-1")");
  }
}

TEMPLATE_TEST_CASE("column_names.a_mapped_schema_signs_in_and_links", "[names]", ANONAUTH_TEST_STORAGES) {
  fixtures::manual_clock clock;
  mapped_auth<TestType> auth{storages::fresh_config<TestType>("names"), clock};
  const auto guest = auth.sign_in_anonymous(fixtures::no_session());
  REQUIRE(guest);
  auto orders = auth.template table<order>();
  orders.insert(order{"o1", guest->user.id, "book"});
  orders.insert(order{"o2", guest->user.id, "pen"});
  CHECK(orders.template find_by<&order::customer_id>(guest->user.id).size() == 2);
  CHECK(orders.find("o1")->item == "book");
  CHECK(auth.get_session(guest->token));

  auto up = auth.sign_up_email(fixtures::sign_up_body("names@example.com"), fixtures::with_token(guest->token));
  REQUIRE(up);
  CHECK(orders.template find_by<&order::customer_id>(up->user.id).size() == 2);
  CHECK(orders.template find_by<&order::customer_id>(guest->user.id).empty());
  CHECK(!auth.get_session(guest->token));
  CHECK(auth.get_session(up->token)->user.email == "names@example.com");
  CHECK(fixtures::accounts_of(auth, up->user.id).size() == 1);
}

#ifdef ANONAUTH_HAS_SQLITE
namespace {

/// A raw SQLite connection: what the application's own SQL sees.
struct raw_db {
  sqlite3* db = nullptr;
  explicit raw_db(const std::string& path) { REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK); }
  ~raw_db() { sqlite3_close(db); }
  raw_db(const raw_db&) = delete;
  raw_db& operator=(const raw_db&) = delete;
  void exec(const std::string& text) {
    char* error = nullptr;
    const int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &error);
    const std::string message = error ? error : "";
    sqlite3_free(error);
    REQUIRE(message.empty());
    REQUIRE(rc == SQLITE_OK);
  }
  /// Every row of a query, its columns joined by '|'.
  std::vector<std::string> rows(const std::string& text) {
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, text.c_str(), -1, &st, nullptr) == SQLITE_OK);
    std::vector<std::string> out;
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        if (i != 0) row += "|";
        const auto* text_value = sqlite3_column_text(st, i);
        row += text_value ? reinterpret_cast<const char*>(text_value) : "NULL";
      }
      out.push_back(row);
    }
    sqlite3_finalize(st);
    return out;
  }
};

/// The application's own schema, written before anonauth ever opened the file.
constexpr const char* app_ddl =
    "CREATE TABLE users (uid TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, "
    "emailVerified INTEGER NOT NULL, image TEXT, isAnonymous INTEGER NOT NULL, created_at INTEGER NOT NULL, "
    "updated_at INTEGER NOT NULL, about TEXT, signup_source TEXT);"
    "CREATE TABLE orders (id TEXT PRIMARY KEY, customer TEXT NOT NULL, item TEXT NOT NULL);"
    "CREATE TABLE sessions (id TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL, "
    "created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, ip_address TEXT NOT NULL, user_agent TEXT NOT NULL, "
    "token BLOB NOT NULL);"
    "CREATE TABLE accounts (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, provider TEXT NOT NULL, "
    "account_id TEXT NOT NULL, password_hash TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);";

}  // namespace

TEST_CASE("column_names.an_existing_database_with_the_apps_names_is_used_as_is", "[names][sqlite]") {
  const std::string path = test_files::unique_path("names-existing.db");
  {
    raw_db raw(path);
    raw.exec(app_ddl);
  }
  fixtures::manual_clock clock;
  aa::sqlite_config config;
  config.path = path;
  std::string guest_id;
  std::string account_id;
  {
    mapped_auth<aa::sqlite_storage> auth{config, clock};
    const auto guest = auth.sign_in_anonymous(fixtures::no_session());
    REQUIRE(guest);
    guest_id = guest->user.id;
    auto guest_row = *auth.template table<user>().find(guest_id);
    CHECK(guest_row.is_anonymous);
    auto orders = auth.template table<order>();
    orders.insert(order{"o1", guest_id, "book"});
    orders.insert(order{"o2", guest_id, "pen"});
    CHECK(orders.find("o2")->item == "pen");
    CHECK(orders.count() == 2);
    {
      raw_db raw(path);
      CHECK(raw.rows("SELECT uid, isAnonymous, emailVerified FROM users") ==
            std::vector<std::string>{guest_id + "|1|0"});
      CHECK(raw.rows("SELECT id, customer, item FROM orders ORDER BY id") ==
            std::vector<std::string>{"o1|" + guest_id + "|book", "o2|" + guest_id + "|pen"});
      CHECK(raw.rows("SELECT owner FROM sessions") == std::vector<std::string>{guest_id});
      CHECK(raw.rows("SELECT count(*) FROM sessions WHERE length(token) = 32") == std::vector<std::string>{"1"});
    }
    auto up = auth.sign_up_email(fixtures::sign_up_body("shop@example.com"), fixtures::with_token(guest->token));
    REQUIRE(up);
    account_id = up->user.id;
    CHECK(orders.template find_by<&order::customer_id>(account_id).size() == 2);
    CHECK(!auth.get_session(guest->token));
    CHECK(auth.get_session(up->token));
    CHECK(!auth.sign_up_email(fixtures::sign_up_body("shop@example.com"), fixtures::no_session()));
  }
  raw_db raw(path);
  CHECK(raw.rows("SELECT uid, email, isAnonymous FROM users") ==
        std::vector<std::string>{account_id + "|shop@example.com|0"});
  CHECK(raw.rows("SELECT customer FROM orders") == std::vector<std::string>{account_id, account_id});
  CHECK(raw.rows("SELECT user_id, provider, account_id FROM accounts") ==
        std::vector<std::string>{account_id + "|credential|" + account_id});
  CHECK(raw.rows("SELECT owner FROM sessions") == std::vector<std::string>{account_id});
}

TEST_CASE("column_names.an_insert_of_an_existing_key_names_the_mapped_table", "[names][sqlite]") {
  fixtures::manual_clock clock;
  mapped_auth<aa::sqlite_storage> auth{storages::fresh_config<aa::sqlite_storage>("names-dup"), clock};
  const auto guest = auth.sign_in_anonymous(fixtures::no_session());
  REQUIRE(guest);
  auto orders = auth.template table<order>();
  orders.insert(order{"o1", guest->user.id, "book"});
  try {
    orders.insert(order{"o1", guest->user.id, "book"});
    FAIL("no duplicate key error");
  } catch (const aa::storage_error& e) {
    CHECK(std::string(e.what()) == R"(duplicate key in table "orders": id "o1")");
  }
}

TEST_CASE("column_names.a_mismatch_names_the_mapped_column", "[names][sqlite]") {
  const std::string path = test_files::unique_path("names-mismatch.db");
  {
    raw_db raw(path);
    raw.exec(app_ddl);
    raw.exec("DROP TABLE orders; CREATE TABLE orders (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, "
             "item TEXT NOT NULL);");
  }
  fixtures::manual_clock clock;
  aa::sqlite_config config;
  config.path = path;
  try {
    mapped_auth<aa::sqlite_storage> auth{config, clock};
    FAIL("the database was accepted");
  } catch (const aa::storage_error& e) {
    CHECK(std::string(e.what()).find("table \"orders\" has no column \"customer\"") != std::string::npos);
  }
}
#endif
