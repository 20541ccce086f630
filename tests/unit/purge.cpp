// purge_anonymous_users: stale guests go, with their sessions and rows; nobody else is touched.
// Run on the memory storage and on SQLite (a file).
#include "catch.hpp"
#include "fixtures.hpp"
#include "storages.hpp"

#include <chrono>
#include <string>
#include <vector>

using namespace fixtures;

namespace {

struct audit_entry {  // kept when its user is deleted
  BOOST_HANA_DEFINE_STRUCT(audit_entry, (std::string, id), (std::string, user_id), (std::string, what));
};

using purge_schema = aa::schema<aa::user_table<user>, aa::table<"cart_items", cart_item, aa::user_ref<&cart_item::user_id>>,
                                aa::table<"drafts", draft, aa::user_ref<&draft::author_id>>,
                                aa::table<"audit", audit_entry, aa::user_ref<&audit_entry::user_id, aa::on_delete::keep>>>;
using purge_link = aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&draft::author_id>,
                                       aa::leave<&audit_entry::user_id>>;

template <class Storage>
using purge_auth = aa::anonymous_auth<purge_schema, aa::storage<Storage>, aa::link<purge_link>, aa::clock<manual_clock>,
                                      fast_hashing>;

}  // namespace

TEMPLATE_TEST_CASE("purge.removes_stale_guests_and_nothing_else", "[purge]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  purge_auth<TestType> auth{storages::fresh_config<TestType>("purge"), clock};

  // Day 0: three guests with carts and audit rows, and a real user.
  std::vector<aa::signed_in<user>> old_guests;
  for (int i = 0; i < 3; ++i) {
    auto g = auth.sign_in_anonymous(no_session());
    REQUIRE(g);
    auth.template table<cart_item>().insert({"cart-" + std::to_string(i), g->user.id, "sku", 1});
    auth.template table<audit_entry>().insert({"audit-" + std::to_string(i), g->user.id, "visited"});
    old_guests.push_back(*g);
  }
  auto real = auth.sign_up_email(sign_up_body("kept@example.com"), no_session());
  REQUIRE(real);
  // Day 10: a guest who links (so is no guest any more), and a fresh guest.
  clock.advance(std::chrono::days{10});
  auto linker = auth.sign_in_anonymous(no_session());
  REQUIRE(linker);
  REQUIRE(auth.sign_up_email(sign_up_body("linked@example.com"), with_token(linker->token)));
  auto fresh = auth.sign_in_anonymous(no_session());
  REQUIRE(fresh);

  const aa::timestamp cutoff = manual_clock::start() + std::chrono::days{5};
  CHECK(auth.purge_anonymous_users(cutoff) == 3);

  for (const auto& g : old_guests) {
    CHECK_FALSE(auth.find_user(g.user.id));
    CHECK_FALSE(auth.get_session(g.token));
    CHECK(auth.template table<cart_item>().template find_by<&cart_item::user_id>(g.user.id).empty());  // cascade
    CHECK(auth.template table<audit_entry>().template find_by<&audit_entry::user_id>(g.user.id).size() == 1);  // keep
  }
  CHECK(auth.find_user(real->user.id));
  CHECK(auth.sign_in_email(aa::email_sign_in{"kept@example.com", std::string(test_password)}, no_session()));
  CHECK(auth.find_user(fresh->user.id));
  CHECK(auth.template table<user>().count() == 3);  // real, linked, fresh
  CHECK(auth.purge_anonymous_users(cutoff) == 0);   // idempotent
}

TEMPLATE_TEST_CASE("purge.last_seen_keeps_guests_active_after_the_cutoff", "[purge]",
                   ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  purge_auth<TestType> auth{storages::fresh_config<TestType>("purge"), clock};
  auto idle = auth.sign_in_anonymous(no_session());
  auto active = auth.sign_in_anonymous(no_session());
  REQUIRE(idle);
  REQUIRE(active);
  clock.advance(std::chrono::days{3});
  REQUIRE(auth.get_session(active->token));  // a use after update_age extends the session: seen
  clock.advance(std::chrono::days{1});

  const aa::timestamp cutoff = manual_clock::start() + std::chrono::days{2};
  CHECK(auth.purge_anonymous_users(cutoff, aa::purge_by::last_seen) == 1);
  CHECK_FALSE(auth.find_user(idle->user.id));
  CHECK(auth.find_user(active->user.id));
  // By creation time, the active guest is stale too.
  CHECK(auth.purge_anonymous_users(cutoff, aa::purge_by::created) == 1);
  CHECK_FALSE(auth.find_user(active->user.id));
}

TEMPLATE_TEST_CASE("purge.works_in_bounded_batches", "[purge]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  purge_auth<TestType> auth{storages::fresh_config<TestType>("purge"), clock};
  std::vector<std::string> kept;
  for (int i = 0; i < 7; ++i) {
    auto g = auth.sign_in_anonymous(no_session());
    REQUIRE(g);
    if (i % 3 == 0) {  // seen later: skipped by last_seen, in every batch it falls in
      clock.advance(std::chrono::days{2});
      REQUIRE(auth.get_session(g->token));
      clock.set(manual_clock::start());
      kept.push_back(g->user.id);
    }
  }
  clock.advance(std::chrono::days{3});
  const aa::timestamp cutoff = manual_clock::start() + std::chrono::days{1};
  CHECK(auth.purge_anonymous_users(cutoff, aa::purge_by::last_seen, 2) == 4);
  CHECK(auth.template table<user>().count() == kept.size());
  for (const auto& id : kept) CHECK(auth.find_user(id));
  CHECK_THROWS_AS(auth.purge_anonymous_users(cutoff, aa::purge_by::created, 0), std::invalid_argument);
}
