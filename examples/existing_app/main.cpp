// examples/existing_app: anonauth added to a shop that already has its SQLite database, made by
// its own SQL (shop.sql): its table and column names, a table anonauth never learns about, a
// trigger, its own rows and its own connection. Nothing of the shop's changes: its structs are
// described from outside (BOOST_HANA_ADAPT_STRUCT), its names are mapped (aa::column), and the
// only tables anonauth adds are its sessions and accounts. Built twice: as release 1, and with
// EXISTING_APP_V2 as release 2, whose customer struct has a new field: the additive migration.
// docs/existing-database.md walks through it.
//
//   existing_app [shop.db [shop.sql]]      release 1: makes shop.db from shop.sql, adds anonauth
//   existing_app_v2 [shop.db]              release 2: the same database, one column more
#include <anonauth/anonauth.hpp>
#include <anonauth/storage/sqlite/sqlite.hpp>

#include <boost/hana/adapt_struct.hpp>

#include <sqlite3.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>

namespace aa = anonauth;

// snippet: structs
namespace shop {
struct customer {
  std::string id;
  std::string name;
  std::string email;
  bool email_verified = false;
  std::optional<std::string> image;
  bool is_anonymous = false;
  aa::timestamp created_at{};
  aa::timestamp updated_at{};
#ifdef EXISTING_APP_V2
  int loyalty_points = 0;  // release 2
#endif
};
struct order {
  std::string id;
  std::string customer_id;
  std::string item;
  std::optional<std::string> gift_note;
};
}  // namespace shop

#ifdef EXISTING_APP_V2
BOOST_HANA_ADAPT_STRUCT(shop::customer, id, name, email, email_verified, image, is_anonymous, created_at, updated_at,
                        loyalty_points);
#else
BOOST_HANA_ADAPT_STRUCT(shop::customer, id, name, email, email_verified, image, is_anonymous, created_at, updated_at);
#endif
BOOST_HANA_ADAPT_STRUCT(shop::order, id, customer_id, item, gift_note);
// end snippet

// snippet: schema
using shop::customer;
using shop::order;
using customers = aa::user_table<customer, "customers", aa::column<&customer::id, "customer_id">,
                                 aa::column<&customer::name, "full_name">,
                                 aa::column<&customer::email_verified, "verified">,
                                 aa::column<&customer::image, "avatar_url">,
                                 aa::column<&customer::is_anonymous, "guest">,
                                 aa::column<&customer::created_at, "joined_at">,
                                 aa::column<&customer::updated_at, "changed_at">>;
using orders = aa::table<"orders", order, aa::user_ref<&order::customer_id>, aa::column<&order::id, "order_id">,
                         aa::column<&order::customer_id, "customer">>;
using shop_schema = aa::schema<customers, orders, aa::session_table<"auth_sessions">, aa::account_table<"auth_accounts">>;
using auth_type = aa::anonymous_auth<shop_schema, aa::storage<aa::sqlite_storage>,
                                     aa::link<aa::link_migrations<aa::reassign<&order::customer_id>>>>;
// end snippet

namespace {

/// The shop's own database code: plain sqlite3 calls, as it had them before anonauth.
[[maybe_unused]] void exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : sqlite3_errmsg(db);
    sqlite3_free(error);
    throw std::runtime_error(message);
  }
}
std::string query(sqlite3* db, const std::string& sql) {  // the rows, "a|b" each, joined by ", "
  std::string out;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db));
  while (sqlite3_step(st) == SQLITE_ROW) {
    if (!out.empty()) out += ", ";
    for (int c = 0; c < sqlite3_column_count(st); ++c) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
      out += (c != 0 ? "|" : "") + std::string(text != nullptr ? text : "NULL");
    }
  }
  sqlite3_finalize(st);
  return out;
}

struct database {  // the shop's connection, which it opens and closes
  sqlite3* db = nullptr;
  explicit database(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db));
  }
  ~database() { sqlite3_close(db); }
  database(const database&) = delete;
  database& operator=(const database&) = delete;
};

#ifndef EXISTING_APP_V2
int release_1(const std::string& path, const std::string& script) {
  std::remove(path.c_str());  // the shop as it was before anonauth, every run
  database shop(path);
  std::ifstream in(script);
  if (!in) throw std::runtime_error("cannot read " + script);
  exec(shop.db, std::string(std::istreambuf_iterator<char>(in), {}));
  std::cout << "the shop's tables: " << query(shop.db, "SELECT group_concat(name, ' ') FROM sqlite_master WHERE type = 'table'") << "\n";

  // snippet: open
  auth_type auth{aa::sqlite_config{.connection = shop.db}};  // the shop's connection, left as it is
  // end snippet
  std::cout << "anonauth added: "
            << query(shop.db, "SELECT group_concat(name, ' ') FROM sqlite_master WHERE type = 'table' AND name LIKE 'auth_%'")
            << "\n";
  // A customer the shop wrote itself is an anonauth user like any other.
  std::cout << "c-1001 is " << auth.find_user("c-1001")->name << "\n";

  const auto guest = auth.sign_in_anonymous({});
  const std::string guest_id = guest->user.id;
  // snippet: transaction
  // The guest orders: one write transaction mixing a table handle and the shop's own SQL.
  auth.transaction([&](auto& tx) {
    tx.template table<order>().insert({"o-2", guest_id, "teapot", "for mum"});
    exec(tx.native_handle(), "INSERT INTO reviews (order_id, stars) VALUES ('o-2', 4)");
  });
  // end snippet
  std::cout << "guest orders: " << query(shop.db, "SELECT order_id FROM orders WHERE customer = '" + guest_id + "'")
            << "\n";

  const auto account = auth.sign_up_email({"grace@example.com", "correct horse battery", "Grace Hopper", std::nullopt},
                                          {guest->token, "", ""});
  std::cout << "signed up: " << account->user.name << ", guest kept: " << (auth.find_user(guest_id) ? "yes" : "no")
            << "\n";
  std::cout << "o-2 belongs to the new account: "
            << (query(shop.db, "SELECT customer FROM orders WHERE order_id = 'o-2'") == account->user.id ? "yes" : "no")
            << "\n";
  std::cout << "the shop's trigger saw it: "
            << (query(shop.db, "SELECT count(*) FROM order_history WHERE new_owner = '" + account->user.id + "'")) << "\n";
  std::cout << "reviews: " << query(shop.db, "SELECT count(*) FROM reviews") << "\n";
  return 0;
}
#else
int release_2(const std::string& path) {
  database shop(path);
  // snippet: dry-run
  std::cout << "pending:\n" << aa::schema_sql<auth_type>(aa::sqlite_config{.connection = shop.db});
  // end snippet
  try {
    auth_type strict{aa::sqlite_config{.connection = shop.db}};
  } catch (const aa::storage_error& e) {
    std::cout << "without additive: " << e.what() << "\n";
  }
  // snippet: additive
  auth_type auth{aa::sqlite_config{.connection = shop.db, .migrate = aa::schema_migration::additive}};
  // end snippet
  std::cout << "c-1001 has " << auth.find_user("c-1001")->loyalty_points << " points\n";
  auto ada = auth.update_user_by_id("c-1001", [](customer& c) { c.loyalty_points = 120; });
  std::cout << "now " << ada->loyalty_points << " points; marketing_opt kept: "
            << query(shop.db, "SELECT count(*) FROM pragma_table_info('customers') WHERE name = 'marketing_opt'")
            << "\n";
  std::cout << "pending now: " << (aa::schema_sql<auth_type>(aa::sqlite_config{.connection = shop.db}).empty() ? "nothing" : "something") << "\n";
  return 0;
}
#endif

}  // namespace

int main(int argc, char** argv) try {
  const std::string path = argc > 1 ? argv[1] : "shop.db";
#ifndef EXISTING_APP_V2
  return release_1(path, argc > 2 ? argv[2] : EXISTING_APP_SQL);
#else
  return release_2(path);
#endif
} catch (const std::exception& e) {
  std::cerr << "existing_app: " << e.what() << "\n";
  return 1;
}
