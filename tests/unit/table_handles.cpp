// What a table handle answers, and how it fails: `auth.table<Row>()` and a migrator's
// `ctx.table<Row>()` on every storage, above all an insert of a key that exists, whose
// aa::storage_error names the table and the key (docs/getting-started.md, "Table handles").
#include "catch.hpp"
#include "fixtures.hpp"
#ifdef ANONAUTH_HAS_SQLITE
#include "sqlite_fixtures.hpp"
#endif
#include "storages.hpp"

#include <string>

using namespace fixtures;

namespace {

/// What `fn` threw: the message of its aa::storage_error, or what happened instead.
template <class Fn>
std::string storage_error_of(Fn fn) {
  try {
    fn();
  } catch (const aa::storage_error& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("<not an aa::storage_error: ") + e.what() + ">";
  }
  return "<no exception>";
}

/// The message a migrator's colliding insert threw, for the test to read.
std::string migrator_saw;

/// Inserts a draft whose id the guest's draft already has, and lets the link fail.
struct colliding_migrator {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    try {
      ctx.template table<draft>().insert(draft{"d1", ctx.new_user().id, "a second d1"});
    } catch (const aa::storage_error& e) {
      migrator_saw = e.what();
      throw;
    }
  }
};

using colliding_link =
    aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&draft::author_id>, aa::on_link<colliding_migrator>>;

template <class Storage>
using storage_auth = test_auth<aa::storage<Storage>>;

}  // namespace

TEMPLATE_TEST_CASE("table_handle.every_call_answers_as_documented", "[table_handle]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  storage_auth<TestType> auth{storages::fresh_config<TestType>("table-handle"), clock};
  const auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest);
  const auto carts = auth.template table<cart_item>();

  carts.insert(cart_item{"c1", guest->user.id, "sku-1", 1});
  carts.insert(cart_item{"c2", guest->user.id, "sku-2", 2});
  CHECK(carts.count() == 2);
  CHECK(carts.find("c1")->sku == "sku-1");
  CHECK_FALSE(carts.find("missing").has_value());
  CHECK(carts.template find_by<&cart_item::user_id>(guest->user.id).size() == 2);
  CHECK(carts.template find_by<&cart_item::user_id>(std::string("nobody")).empty());
  CHECK(carts.update(cart_item{"c1", guest->user.id, "sku-1", 5}));
  CHECK_FALSE(carts.update(cart_item{"missing", guest->user.id, "sku", 1}));  // updates nothing, inserts nothing
  CHECK(carts.find("c1")->quantity == 5);
  CHECK(carts.erase("c2"));
  CHECK_FALSE(carts.erase("c2"));
  CHECK(carts.count() == 1);

  // The user table's handle reads (its writes do not compile: E008).
  const auto users = auth.template table<user>();
  CHECK(users.find(guest->user.id)->is_anonymous);
  CHECK(users.count() == 1);
}

TEMPLATE_TEST_CASE("table_handle.insert_of_a_taken_id_names_the_table_and_the_key", "[table_handle]",
                   ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  storage_auth<TestType> auth{storages::fresh_config<TestType>("table-handle"), clock};
  const auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest);
  auth.template table<cart_item>().insert(cart_item{"c1", guest->user.id, "sku-1", 1});

  // What the application sees, on the memory storage and on SQLite alike.
  CHECK(storage_error_of([&] { auth.template table<cart_item>().insert(cart_item{"c1", guest->user.id, "sku-2", 7}); }) ==
        R"(duplicate key in table "cart_items": id "c1")");
  CHECK(auth.template table<cart_item>().find("c1")->sku == "sku-1");  // the row that was there stays
  CHECK(auth.template table<cart_item>().count() == 1);
}

TEMPLATE_TEST_CASE("table_handle.a_migrator_sees_the_same_error_and_the_link_rolls_back", "[table_handle][link]",
                   ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  auth_with_link<colliding_link, aa::storage<TestType>> auth{storages::fresh_config<TestType>("table-handle"), clock};
  const auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest);
  auth.template table<draft>().insert(draft{"d1", guest->user.id, "the guest's"});
  migrator_saw.clear();

  // A storage failure in a migrator is the operation's own (a sign-up's: FAILED_TO_CREATE_USER).
  REQUIRE_REFUSED(auth.sign_up_email(sign_up_body("new@example.com"), with_token(guest->token)), "FAILED_TO_CREATE_USER",
                  "Failed to create user", 500);
  CHECK(auth.find_user(guest->user.id)->is_anonymous);
  CHECK_FALSE(auth.storage().read([](const auto& tx) { return tx.find_user_by_email("new@example.com").has_value(); }));
  CHECK(migrator_saw == R"(duplicate key in table "drafts": id "d1")");
  CHECK(auth.template table<draft>().find("d1")->author_id == guest->user.id);
  CHECK(auth.template table<draft>().find("d1")->body == "the guest's");
}

#ifdef ANONAUTH_HAS_SQLITE
TEST_CASE("table_handle.sqlite_an_index_of_the_applications_own_keeps_sqlites_words", "[table_handle][sqlite]") {
  manual_clock clock;
  const auto config = storages::fresh_config<aa::sqlite_storage>("table-handle-own-index");
  {
    storage_auth<aa::sqlite_storage> first{config, clock};  // creates the tables
  }
  sqlite_fixtures::raw_db(config.path).exec(R"(CREATE UNIQUE INDEX "cart_items_sku" ON "cart_items" ("sku"))");
  storage_auth<aa::sqlite_storage> auth{config, clock};
  const auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest);
  auth.table<cart_item>().insert(cart_item{"c1", guest->user.id, "sku-secret", 1});

  // Not a key anonauth declared: the columns are named as SQLite names them, no value is shown.
  const std::string message =
      storage_error_of([&] { auth.table<cart_item>().insert(cart_item{"c2", guest->user.id, "sku-secret", 1}); });
  CHECK(message.find("UNIQUE constraint failed: cart_items.sku") != std::string::npos);
  CHECK(message.find("sku-secret") == std::string::npos);
  // The declared key is still named with its value.
  CHECK(storage_error_of([&] { auth.table<cart_item>().insert(cart_item{"c1", guest->user.id, "sku-other", 1}); }) ==
        R"(duplicate key in table "cart_items": id "c1")");
}
#endif
