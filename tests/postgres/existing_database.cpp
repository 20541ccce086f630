// An existing codebase on PostgreSQL (docs/existing-database.md, as on SQLite): the app's own
// table and column names, its tables, index, trigger and view never touched, its SQL inside the
// link (a migrator's native handle), inside every write (before_commit) and in a write
// transaction of its own (auth.transaction); schema changes over time (additive, schema_sql);
// rows the app wrote itself, read and reassigned like any other. Each case on a schema of its own.
#include "catch.hpp"
#include "fixtures.hpp"
#include "postgres_server.hpp"

#include <anonauth/anonauth.hpp>
#include <anonauth/storage/postgres/postgres.hpp>

#include <boost/hana/adapt_struct.hpp>

#include <libpq-fe.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace existing_pg {
namespace aa = anonauth;

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
}  // namespace existing_pg

BOOST_HANA_ADAPT_STRUCT(existing_pg::customer, id, name, email, email_verified, image, is_anonymous, created_at,
                        updated_at);
BOOST_HANA_ADAPT_STRUCT(existing_pg::customer_v2, id, name, email, email_verified, image, is_anonymous, created_at,
                        updated_at, points, nickname, plan);
BOOST_HANA_ADAPT_STRUCT(existing_pg::order, id, customer_id, item, note);

namespace existing_pg {
namespace {

template <class User>
using users_table = aa::user_table<User, "customers", aa::column<&User::is_anonymous, "guest">>;
using orders_table = aa::table<"orders", order, aa::user_ref<&order::customer_id>, aa::column<&order::customer_id, "customer">>;
template <class User>
using shop_schema = aa::schema<users_table<User>, orders_table>;

/// Runs the app's own SQL on a connection anonauth handed it; throws on failure.
void run_sql(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  const std::string error = ok ? "" : PQresultErrorMessage(r);
  PQclear(r);
  if (!ok) throw std::runtime_error(error);
}

struct log_the_link {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    run_sql(ctx.native_handle(), "INSERT INTO link_log (guest, account) VALUES ('" + ctx.anonymous_user().id + "', '" +
                                     ctx.new_user().id + "')");
  }
};
struct refuse_one_address {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    if (ctx.new_user().email == "refused@example.com") throw std::runtime_error("refused");
  }
};
using shop_link = aa::link_migrations<aa::reassign<&order::customer_id>, aa::on_link<log_the_link>,
                                      aa::on_link<refuse_one_address>>;
template <class User = customer>
using shop_auth = aa::anonymous_auth<shop_schema<User>, aa::link<shop_link>, aa::storage<aa::postgres_storage>,
                                     aa::clock<fixtures::manual_clock>, fixtures::fast_hashing>;

/// The shop before anonauth, in `schema`: its tables with its names and types (VARCHAR, INTEGER
/// where anonauth writes BIGINT), a table anonauth does not know, an index, a trigger, a view,
/// and rows it wrote itself.
std::string shop_ddl(const std::string& schema) {
  return "CREATE SCHEMA \"" + schema + "\"; SET search_path TO \"" + schema + "\";"
         "CREATE TABLE customers (id TEXT PRIMARY KEY, name VARCHAR(120) NOT NULL, email VARCHAR(255) NOT NULL, "
         "email_verified BOOLEAN NOT NULL, image TEXT, guest BOOLEAN NOT NULL, created_at BIGINT NOT NULL, "
         "updated_at BIGINT NOT NULL, loyalty_tier TEXT, signup_source TEXT NOT NULL DEFAULT 'web');"
         "CREATE TABLE orders (id TEXT PRIMARY KEY, customer TEXT NOT NULL, item TEXT NOT NULL, note TEXT);"
         "CREATE TABLE link_log (guest TEXT NOT NULL, account TEXT NOT NULL);"
         "CREATE TABLE order_events (order_id TEXT NOT NULL, what TEXT NOT NULL);"
         "CREATE INDEX orders_by_item ON orders (item);"
         "CREATE FUNCTION order_moved() RETURNS trigger LANGUAGE plpgsql AS "
         "$$ BEGIN INSERT INTO order_events VALUES (NEW.id, 'moved'); RETURN NEW; END $$;"
         "CREATE TRIGGER order_moved AFTER UPDATE OF customer ON orders FOR EACH ROW EXECUTE FUNCTION order_moved();"
         "CREATE VIEW order_count AS SELECT customer, count(*) AS n FROM orders GROUP BY customer;"
         "INSERT INTO customers (id, name, email, email_verified, image, guest, created_at, updated_at) VALUES "
         "('42', 'Ada', 'ada@example.com', true, NULL, false, 1700000000000, 1700000000000);"
         "INSERT INTO orders VALUES ('1001', '42', 'kettle', NULL);";
}

/// A fresh schema holding the shop, and the config that opens anonauth on it.
aa::postgres_config shop(const std::string& purpose) {
  auto config = postgres_server::fresh_config(purpose);
  postgres_server::session s;
  run_sql(s.get(), shop_ddl(config.schema));
  return config;
}

/// The app's objects in `schema` as the catalog describes them (anonauth's own excluded).
std::string app_objects(const std::string& schema) {
  postgres_server::session s;
  const std::string q = "'" + schema + "'";
  return s.value("SELECT string_agg(x, ' | ' ORDER BY x) FROM ("
                 "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || "
                 "coalesce(column_default, '') AS x FROM information_schema.columns WHERE table_schema = " + q +
                 " AND table_name IN ('orders', 'link_log', 'order_events', 'order_count') "
                 "UNION ALL SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = " + q +
                 " AND indexname = 'orders_by_item' "
                 "UNION ALL SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n "
                 "ON n.oid = c.relnamespace WHERE n.nspname = " + q + " AND NOT t.tgisinternal) objects");
}

std::string value(const std::string& schema, const std::string& sql) {
  postgres_server::session s;
  s.value("SET search_path TO \"" + schema + "\"");
  return s.value(sql);
}

}  // namespace
}  // namespace existing_pg

using namespace existing_pg;

TEST_CASE("postgres_existing.names_types_and_the_apps_own_objects", "[postgres][existing]") {
  const auto config = shop("existing_names");
  const std::string before = app_objects(config.schema);
  fixtures::manual_clock clock;
  shop_auth<> auth{config, clock};
  // The app's row, written by SQL, reads like any other; the app's VARCHAR columns fit TEXT.
  const auto ada = auth.find_user("42");
  REQUIRE(ada);
  CHECK(ada->email == "ada@example.com");
  CHECK(ada->email_verified);
  CHECK_FALSE(ada->is_anonymous);
  // A guest's order, moved by the link to the app's own user; the app's trigger sees the move.
  const auto guest = auth.sign_in_anonymous(fixtures::no_session());
  REQUIRE(guest);
  CHECK(value(config.schema, "SELECT guest FROM customers WHERE id = '" + guest->user.id + "'") == "t");
  auth.table<order>().insert({"o-1", guest->user.id, "cup", std::nullopt});
  const auto in = auth.sign_in_email(aa::email_sign_in{"ada@example.com", "unknown password"}, fixtures::with_token(guest->token));
  CHECK_FALSE(in);  // Ada has no password: refused, nothing moved
  CHECK(value(config.schema, "SELECT customer FROM orders WHERE id = 'o-1'") == guest->user.id);
  const auto up = auth.sign_up_email(fixtures::sign_up_body("new@example.com"), fixtures::with_token(guest->token));
  REQUIRE(up);
  CHECK(value(config.schema, "SELECT customer FROM orders WHERE id = 'o-1'") == up->user.id);
  CHECK(value(config.schema, "SELECT what FROM order_events WHERE order_id = 'o-1'") == "moved");
  CHECK(value(config.schema, "SELECT customer FROM orders WHERE id = '1001'") == "42");
  CHECK(app_objects(config.schema) == before);
}

TEST_CASE("postgres_existing.a_migrators_own_sql_commits_and_rolls_back_with_the_link", "[postgres][existing]") {
  const auto config = shop("existing_migrator");
  fixtures::manual_clock clock;
  shop_auth<> auth{config, clock};
  const auto refused = auth.sign_in_anonymous(fixtures::no_session());
  REQUIRE(refused);
  auth.table<order>().insert({"o-r", refused->user.id, "lamp", std::nullopt});
  const auto failed = auth.sign_up_email(fixtures::sign_up_body("refused@example.com"), fixtures::with_token(refused->token));
  REQUIRE(!failed);
  CHECK(failed.error().code() == aa::errors::link_migration_failed.code);
  CHECK(value(config.schema, "SELECT count(*) FROM link_log") == "0");
  CHECK(value(config.schema, "SELECT customer FROM orders WHERE id = 'o-r'") == refused->user.id);

  const auto guest = auth.sign_in_anonymous(fixtures::no_session());
  REQUIRE(guest);
  const auto up = auth.sign_up_email(fixtures::sign_up_body("kept@example.com"), fixtures::with_token(guest->token));
  REQUIRE(up);
  CHECK(value(config.schema, "SELECT guest || ' ' || account FROM link_log") == guest->user.id + " " + up->user.id);
}

TEST_CASE("postgres_existing.before_commit_and_the_apps_own_transaction", "[postgres][existing]") {
  auto config = shop("existing_tx");
  int writes = 0;
  bool refuse = false;
  config.before_commit = [&](PGconn* c) {
    ++writes;
    if (refuse) throw aa::storage_error("the app refused this write");
    run_sql(c, "INSERT INTO order_events VALUES ('-', 'write')");
  };
  fixtures::manual_clock clock;
  shop_auth<> auth{config, clock};
  CHECK(writes == 0);
  const auto guest = auth.sign_in_anonymous(fixtures::no_session());
  REQUIRE(guest);
  CHECK(writes == 1);
  CHECK(value(config.schema, "SELECT count(*) FROM order_events") == "1");

  const std::string guest_id = guest->user.id;
  const std::size_t orders = auth.transaction([&](auto& tx) {
    tx.template table<order>().insert({"o-7", guest_id, "teapot", std::nullopt});
    run_sql(tx.native_handle(), "INSERT INTO order_events VALUES ('o-7', 'placed')");
    return tx.template table<order>().count();
  });
  CHECK(orders == 2);
  CHECK(value(config.schema, "SELECT count(*) FROM order_events WHERE order_id = 'o-7'") == "1");
  CHECK_THROWS_WITH(auth.transaction([&](auto& tx) {
                      run_sql(tx.native_handle(), "INSERT INTO order_events VALUES ('o-8', 'placed')");
                      tx.template table<order>().insert({"o-8", guest_id, "spoon", std::nullopt});
                      throw std::runtime_error("out of stock");
                    }),
                    "out of stock");
  CHECK(!auth.table<order>().find("o-8"));
  CHECK(value(config.schema, "SELECT count(*) FROM order_events WHERE order_id = 'o-8'") == "0");

  refuse = true;
  const std::string users = value(config.schema, "SELECT count(*) FROM customers");
  const auto second = auth.sign_in_anonymous(fixtures::no_session());
  REQUIRE(!second);
  CHECK(second.error().code() == aa::errors::failed_to_create_user.code);
  CHECK(value(config.schema, "SELECT count(*) FROM customers") == users);
}

TEST_CASE("postgres_existing.schema_changes_over_time", "[postgres][existing][migrate]") {
  const auto config = shop("existing_additive");
  fixtures::manual_clock clock;
  std::string guest_token;
  {
    shop_auth<> v1{config, clock};
    guest_token = v1.sign_in_anonymous(fixtures::no_session())->token;
  }
  // Without additive: an error naming the table and the column, and nothing changed.
  CHECK_THROWS_WITH((shop_auth<customer_v2>{config, clock}),
                    "postgres_storage: table \"customers\" has no column \"points\" that the schema declares "
                    "(aa::schema_migration::additive adds it)");
  // The dry run: what additive would add, and nothing else.
  CHECK(aa::schema_sql<shop_auth<customer_v2>>(config) ==
        "CREATE SCHEMA IF NOT EXISTS \"" + config.schema + "\";\nSET search_path TO \"" + config.schema + "\";\n"
        "ALTER TABLE \"customers\" ADD COLUMN \"points\" BIGINT NOT NULL DEFAULT 10;\n"
        "ALTER TABLE \"customers\" ADD COLUMN \"nickname\" TEXT;\n"
        "ALTER TABLE \"customers\" ADD COLUMN \"plan\" TEXT NOT NULL DEFAULT 'it''s free';\n");
  CHECK(value(config.schema, "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() "
                             "AND table_name = 'customers' AND column_name = 'points'") == "0");
  {
    auto migrating = config;
    migrating.migrate = aa::schema_migration::additive;
    shop_auth<customer_v2> v2{migrating, clock};
    const auto guest = v2.get_session(guest_token);
    REQUIRE(guest);
    CHECK(guest->user.points == 10);
    CHECK(guest->user.plan == "it's free");
    REQUIRE(v2.update_user_by_id("42", [](customer_v2& c) { c.points = 99; }));
  }
  CHECK(value(config.schema, "SELECT points || ' ' || signup_source FROM customers WHERE id = '42'") == "99 web");
  CHECK(aa::schema_sql<shop_auth<customer_v2>>(config).empty());
  // A type that does not fit is the error, naming the column.
  postgres_server::session s;
  s.value("ALTER TABLE \"" + config.schema + "\".orders ALTER COLUMN note TYPE integer USING NULL");
  CHECK_THROWS_WITH((shop_auth<customer_v2>{config, clock}),
                    "postgres_storage: table \"orders\" column \"note\" is INTEGER, the schema needs TEXT");
}

TEST_CASE("postgres_existing.schema_sql_of_a_new_database_runs_as_it_is", "[postgres][existing][migrate]") {
  auto config = postgres_server::fresh_config("existing_script");
  const std::string script = aa::schema_sql<shop_auth<>>(config);
  CHECK(script.starts_with("CREATE SCHEMA IF NOT EXISTS \"" + config.schema + "\";\nSET search_path TO"));
  CHECK(script.find("CREATE INDEX IF NOT EXISTS \"customers_anonymous\" ON \"customers\" (\"id\") WHERE \"guest\" = true") !=
        std::string::npos);
  CHECK(aa::schema_sql<shop_auth<>>(aa::postgres_config{}) ==
        script.substr(script.find("CREATE TABLE")));  // no conninfo: the schema for a new database
  // Another tool runs it; the storage then finds nothing to do.
  postgres_server::session s;
  run_sql(s.get(), script);
  CHECK(aa::schema_sql<shop_auth<>>(config).empty());
  fixtures::manual_clock clock;
  shop_auth<> auth{config, clock};
  CHECK(auth.sign_in_anonymous(fixtures::no_session()));
}
