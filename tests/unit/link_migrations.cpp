// Linking a guest to a real account: the seed's story (cart, drafts, bio, location), every
// built-in migrator, keep_anonymous_user, merging two guests into one account, and custom
// migrators (aa::on_link) with what their context shows and allows.
#include "catch.hpp"
#include "link_fixtures.hpp"

#include <anonauth/anonauth.hpp>

#include <set>
#include <string>
#include <vector>

namespace {

using namespace link_fixtures;

template <class Auth>
std::set<std::string> cart_ids_of(Auth& auth, const std::string& owner) {
  std::set<std::string> ids;
  for (const auto& item : auth.template table<cart_item>().template find_by<&cart_item::user_id>(owner))
    ids.insert(item.id);
  return ids;
}

template <class Auth>
std::set<std::string> draft_ids_of(Auth& auth, const std::string& author) {
  std::set<std::string> ids;
  for (const auto& d : auth.template table<draft>().template find_by<&draft::author_id>(author)) ids.insert(d.id);
  return ids;
}

template <class Auth>
std::size_t session_count(Auth& auth, const std::string& user_id) {
  return auth.storage().read([&](const auto& tx) { return tx.sessions_of_user(user_id).size(); });
}

template <class Auth>
std::size_t account_count(Auth& auth, const std::string& user_id) {
  return auth.storage().read([&](const auto& tx) { return tx.accounts_of_user(user_id).size(); });
}

/// The seed's guest: 3 cart items, 2 drafts, a padded bio and a location.
template <class Auth>
identity seed_guest(Auth& auth, const std::string& prefix = "g") {
  identity g = new_guest(auth);
  fill_cart(auth, g.id, 3, prefix);
  write_drafts(auth, g.id, 2, prefix);
  set_profile(auth, g.token, "  I like tea  ", "Lisbon");
  return g;
}

}  // namespace

TEST_CASE("link_migrations.sign_up_moves_the_guests_data", "[link]") {
  seed_auth auth;
  const identity g = seed_guest(auth);
  REQUIRE(carts_of(auth, g.id) == 3);
  REQUIRE(drafts_of(auth, g.id) == 2);
  REQUIRE(user_count(auth) == 1);

  auto r = auth.sign_up_email(sign_up_body("New.User@Example.com"), with_token(g.token));
  REQUIRE(r);
  const std::string new_id = r->user.id;
  CHECK(new_id != g.id);
  CHECK(r->user.email == "new.user@example.com");
  CHECK_FALSE(r->user.is_anonymous);

  // The rows now belong to the new user, and only to it.
  CHECK(cart_ids_of(auth, new_id) == std::set<std::string>{"g-cart-0", "g-cart-1", "g-cart-2"});
  CHECK(draft_ids_of(auth, new_id) == std::set<std::string>{"g-draft-0", "g-draft-1"});
  CHECK(carts_of(auth, g.id) == 0);
  CHECK(drafts_of(auth, g.id) == 0);
  CHECK(auth.table<cart_item>().count() == 3);
  CHECK(auth.table<draft>().count() == 2);
  const auto moved = auth.table<cart_item>().find("g-cart-1");
  REQUIRE(moved);
  CHECK(moved->user_id == new_id);
  CHECK(moved->sku == "sku-1");
  CHECK(moved->quantity == 2);

  // The bio is copied trimmed, the location as is: in the answer and in storage.
  CHECK(r->user.bio == std::optional<std::string>("I like tea"));
  CHECK(r->user.location == std::optional<std::string>("Lisbon"));
  const auto stored = auth.find_user(new_id);
  REQUIRE(stored);
  CHECK(stored->bio == std::optional<std::string>("I like tea"));
  CHECK(stored->location == std::optional<std::string>("Lisbon"));

  // The guest is gone with its session.
  CHECK_FALSE(auth.find_user(g.id).has_value());
  CHECK_FALSE(auth.get_session(g.token).has_value());
  CHECK(session_count(auth, g.id) == 0);
  CHECK(account_count(auth, g.id) == 0);
  CHECK(user_count(auth) == 1);

  // The new token resolves to the new user, bio included.
  const auto view = auth.get_session(r->token);
  REQUIRE(view);
  CHECK(view->user.id == new_id);
  CHECK(view->session.user_id == new_id);
  CHECK(view->user.bio == std::optional<std::string>("I like tea"));
  CHECK_FALSE(view->user.is_anonymous);
}

TEST_CASE("link_migrations.social_sign_in_moves_the_guests_data", "[link]") {
  seed_auth auth;
  const identity g = seed_guest(auth);
  auto r = auth.sign_in_social(profile("github", "gh-42", "octo@example.com"), with_token(g.token));
  REQUIRE(r);
  CHECK(r->user.email == "octo@example.com");
  CHECK(carts_of(auth, r->user.id) == 3);
  CHECK(drafts_of(auth, r->user.id) == 2);
  CHECK(carts_of(auth, g.id) == 0);
  CHECK(r->user.bio == std::optional<std::string>("I like tea"));
  CHECK_FALSE(auth.find_user(g.id).has_value());
  CHECK_FALSE(auth.get_session(g.token).has_value());
}

TEST_CASE("link_migrations.copy_if_empty_keeps_a_non_empty_destination", "[link]") {
  seed_auth auth;
  const identity owner = new_account(auth, "owner@example.com");

  SECTION("destination has a bio") {
    set_profile(auth, owner.token, "Coffee person", std::nullopt);
    const identity g = seed_guest(auth);
    auto r = auth.sign_in_email(sign_in_body("owner@example.com"), with_token(g.token));
    REQUIRE(r);
    CHECK(r->user.id == owner.id);
    CHECK(r->user.bio == std::optional<std::string>("Coffee person"));
    CHECK(auth.find_user(owner.id)->bio == std::optional<std::string>("Coffee person"));
    // The rest of the link still happened.
    CHECK(carts_of(auth, owner.id) == 3);
    CHECK(auth.find_user(owner.id)->location == std::optional<std::string>("Lisbon"));
    CHECK_FALSE(auth.find_user(g.id).has_value());
  }
  SECTION("destination bio is only white space") {
    set_profile(auth, owner.token, " \t ", std::nullopt);
    const identity g = seed_guest(auth);
    auto r = auth.sign_in_email(sign_in_body("owner@example.com"), with_token(g.token));
    REQUIRE(r);
    CHECK(r->user.bio == std::optional<std::string>("I like tea"));
    CHECK(auth.find_user(owner.id)->bio == std::optional<std::string>("I like tea"));
  }
}

TEST_CASE("link_migrations.copy_if_empty_ignores_a_blank_source", "[link]") {
  seed_auth auth;
  const identity g = new_guest(auth);

  SECTION("white space only") {
    set_profile(auth, g.token, "   \t\n ", std::nullopt);
    auto r = auth.sign_up_email(sign_up_body("blank@example.com"), with_token(g.token));
    REQUIRE(r);
    CHECK_FALSE(r->user.bio.has_value());
    CHECK_FALSE(auth.find_user(r->user.id)->bio.has_value());
  }
  SECTION("no bio at all, existing destination keeps its own") {
    const identity owner = new_account(auth, "keeper@example.com");
    set_profile(auth, owner.token, "Mine", std::nullopt);
    auto r = auth.sign_in_email(sign_in_body("keeper@example.com"), with_token(g.token));
    REQUIRE(r);
    CHECK(r->user.bio == std::optional<std::string>("Mine"));
    CHECK(auth.find_user(owner.id)->bio == std::optional<std::string>("Mine"));
  }
}

TEST_CASE("link_migrations.copy_fields_copies_only_engaged_optionals", "[link]") {
  seed_auth auth;
  const identity owner = new_account(auth, "paris@example.com");
  set_profile(auth, owner.token, std::nullopt, "Paris");
  const identity g = new_guest(auth);

  SECTION("guest without a location: the destination keeps its own") {
    auto r = auth.sign_in_email(sign_in_body("paris@example.com"), with_token(g.token));
    REQUIRE(r);
    CHECK(r->user.location == std::optional<std::string>("Paris"));
    CHECK(auth.find_user(owner.id)->location == std::optional<std::string>("Paris"));
  }
  SECTION("guest with a location: it overwrites the destination's") {
    set_profile(auth, g.token, std::nullopt, "Lisbon");
    auto r = auth.sign_in_email(sign_in_body("paris@example.com"), with_token(g.token));
    REQUIRE(r);
    CHECK(r->user.location == std::optional<std::string>("Lisbon"));
    CHECK(auth.find_user(owner.id)->location == std::optional<std::string>("Lisbon"));
  }
}

TEST_CASE("link_migrations.drop_deletes_the_guests_rows", "[link]") {
  using link = aa::link_migrations<aa::drop<&cart_item::user_id>, aa::reassign<&draft::author_id>>;
  aa::anonymous_auth<app_schema, aa::link<link>, fast_hashing> auth;
  const identity other = new_account(auth, "other@example.com");
  fill_cart(auth, other.id, 2, "other");
  const identity g = seed_guest(auth);
  REQUIRE(auth.table<cart_item>().count() == 5);

  auto r = auth.sign_up_email(sign_up_body("dropper@example.com"), with_token(g.token));
  REQUIRE(r);
  CHECK(carts_of(auth, g.id) == 0);
  CHECK(carts_of(auth, r->user.id) == 0);
  CHECK_FALSE(auth.table<cart_item>().find("g-cart-0").has_value());
  CHECK(cart_ids_of(auth, other.id) == std::set<std::string>{"other-cart-0", "other-cart-1"});
  CHECK(auth.table<cart_item>().count() == 2);
  CHECK(drafts_of(auth, r->user.id) == 2);  // the other migrator still ran
}

TEST_CASE("link_migrations.leave_with_cascade_deletes_rows_with_the_guest", "[link]") {
  using link = aa::link_migrations<aa::leave<&cart_item::user_id>, aa::reassign<&draft::author_id>>;
  aa::anonymous_auth<app_schema, aa::link<link>, fast_hashing> auth;
  const identity other = new_account(auth, "other@example.com");
  fill_cart(auth, other.id, 1, "other");
  const identity g = seed_guest(auth);

  auto r = auth.sign_up_email(sign_up_body("leaver@example.com"), with_token(g.token));
  REQUIRE(r);
  CHECK_FALSE(auth.find_user(g.id).has_value());
  CHECK(carts_of(auth, g.id) == 0);
  CHECK(carts_of(auth, r->user.id) == 0);
  CHECK(auth.table<cart_item>().count() == 1);
  CHECK(auth.table<cart_item>().find("other-cart-0").has_value());
  CHECK(drafts_of(auth, r->user.id) == 2);
}

TEST_CASE("link_migrations.leave_with_keep_leaves_rows_under_the_old_id", "[link]") {
  using link = aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::leave<&draft::author_id>>;
  aa::anonymous_auth<schema_with<aa::on_delete::keep>, aa::link<link>, fast_hashing> auth;
  const identity g = seed_guest(auth);

  auto r = auth.sign_up_email(sign_up_body("keeper@example.com"), with_token(g.token));
  REQUIRE(r);
  CHECK_FALSE(auth.find_user(g.id).has_value());
  CHECK(draft_ids_of(auth, g.id) == std::set<std::string>{"g-draft-0", "g-draft-1"});
  CHECK(drafts_of(auth, r->user.id) == 0);
  CHECK(auth.table<draft>().count() == 2);
  CHECK(carts_of(auth, r->user.id) == 3);
}

TEST_CASE("link_migrations.keep_anonymous_user_moves_rows_and_keeps_the_guest", "[link]") {
  aa::anonymous_auth<app_schema, aa::link<seed_link>, fast_hashing, aa::keep_anonymous_user> auth;
  const identity g = seed_guest(auth);

  auto r = auth.sign_up_email(sign_up_body("kept@example.com"), with_token(g.token));
  REQUIRE(r);
  CHECK(carts_of(auth, r->user.id) == 3);
  CHECK(drafts_of(auth, r->user.id) == 2);
  CHECK(carts_of(auth, g.id) == 0);
  CHECK(r->user.bio == std::optional<std::string>("I like tea"));

  const auto kept = auth.find_user(g.id);
  REQUIRE(kept);
  CHECK(kept->is_anonymous);
  CHECK(kept->bio == std::optional<std::string>("  I like tea  "));
  CHECK(user_count(auth) == 2);
  const auto view = auth.get_session(g.token);
  REQUIRE(view);
  CHECK(view->user.id == g.id);
  CHECK(view->user.is_anonymous);
}

TEST_CASE("link_migrations.second_guest_merges_into_the_existing_account", "[link]") {
  seed_auth auth;
  const identity first = seed_guest(auth, "first");
  auto up = auth.sign_up_email(sign_up_body("merge@example.com"), with_token(first.token));
  REQUIRE(up);
  const std::string account_id = up->user.id;
  REQUIRE(carts_of(auth, account_id) == 3);

  const identity second = new_guest(auth);
  fill_cart(auth, second.id, 2, "second");
  write_drafts(auth, second.id, 1, "second");

  auto in = auth.sign_in_email(sign_in_body("MERGE@example.com"), with_token(second.token));
  REQUIRE(in);
  CHECK(in->user.id == account_id);
  CHECK(cart_ids_of(auth, account_id) == std::set<std::string>{"first-cart-0", "first-cart-1", "first-cart-2",
                                                                "second-cart-0", "second-cart-1"});
  CHECK(drafts_of(auth, account_id) == 3);
  CHECK(carts_of(auth, second.id) == 0);
  CHECK_FALSE(auth.find_user(first.id).has_value());
  CHECK_FALSE(auth.find_user(second.id).has_value());
  CHECK_FALSE(auth.get_session(second.token).has_value());
  CHECK(user_count(auth) == 1);
  // The sign-up's own session survives the second link.
  REQUIRE(auth.get_session(up->token));
  CHECK(auth.get_session(up->token)->user.id == account_id);
}

// --- custom migrators ---------------------------------------------------------------------------

namespace {

/// What observing_migrator saw, for the test to check afterwards.
struct observation {
  int calls = 0;
  std::string anonymous_id;
  bool anonymous_is_anonymous = false;
  std::optional<std::string> anonymous_bio;
  std::string anonymous_session_user;
  std::string new_id;
  std::string new_email;
  bool new_is_anonymous = true;
  std::optional<std::string> new_bio;
  std::size_t guest_carts = 99;
  std::size_t new_carts = 99;
  std::string user_agent;
};
observation seen;

struct observing_migrator {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    ++seen.calls;
    seen.anonymous_id = ctx.anonymous_user().id;
    seen.anonymous_is_anonymous = ctx.anonymous_user().is_anonymous;
    seen.anonymous_bio = ctx.anonymous_user().bio;
    seen.anonymous_session_user = ctx.anonymous_session().user_id;
    seen.new_id = ctx.new_user().id;
    seen.new_email = ctx.new_user().email;
    seen.new_is_anonymous = ctx.new_user().is_anonymous;
    seen.new_bio = ctx.new_user().bio;
    auto carts = ctx.template table<cart_item>();
    seen.guest_carts = carts.template find_by<&cart_item::user_id>(ctx.anonymous_user().id).size();
    seen.new_carts = carts.template find_by<&cart_item::user_id>(ctx.new_user().id).size();
    seen.user_agent = ctx.request().user_agent;

    ctx.template table<draft>().insert(draft{"welcome-" + ctx.new_user().id, ctx.new_user().id, "welcome"});
    ctx.update_user([](auto& u) {
      u.location = "moved by migrator";
      u.name = "Renamed";
    });
  }
};

/// Edits a core field through update_user: 0 email_verified, 1 is_anonymous, 2 email, 3 id.
template <int Field>
struct core_field_migrator {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    ctx.update_user([](auto& u) {
      if constexpr (Field == 0) u.email_verified = !u.email_verified;
      else if constexpr (Field == 1) u.is_anonymous = true;
      else if constexpr (Field == 2) u.email = "stolen@example.com";
      else u.id = "another-id";
    });
  }
};

template <class Migrator>
using custom_auth = aa::anonymous_auth<
    app_schema,
    aa::link<aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&draft::author_id>,
                                 aa::copy_if_empty<&user::bio>, aa::copy_fields<&user::location>,
                                 aa::on_link<Migrator>>>,
    fast_hashing>;

template <int Field>
void check_core_field_refused(const std::string& field) {
  custom_auth<core_field_migrator<Field>> auth;
  const identity g = seed_guest(auth);
  const std::size_t users_before = user_count(auth);

  auto r = auth.sign_up_email(sign_up_body("core@example.com"), with_token(g.token));
  REQUIRE_FALSE(r);
  CHECK(r.error().status() == 400);
  if (field == "email") {  // the same answers as update_user
    CHECK(r.error().code() == "EMAIL_CAN_NOT_BE_UPDATED");
    CHECK(r.error().message() == "Email can not be updated");
  } else {
    CHECK(r.error().code() == "FIELD_NOT_ALLOWED");
    CHECK(r.error().message() == field + " is not allowed to be set");
  }

  // Nothing changed: no new user, the guest and its rows as before.
  CHECK(user_count(auth) == users_before);
  CHECK_FALSE(auth.storage().read([](const auto& tx) { return tx.find_user_by_email("core@example.com"); }));
  CHECK(carts_of(auth, g.id) == 3);
  CHECK(drafts_of(auth, g.id) == 2);
  const auto view = auth.get_session(g.token);
  REQUIRE(view);
  CHECK(view->user.is_anonymous);
  CHECK(view->user.bio == std::optional<std::string>("  I like tea  "));
  CHECK_FALSE(auth.storage().read([](const auto& tx) { return tx.find_user("another-id"); }));
}

}  // namespace

TEST_CASE("link_migrations.custom_migrator_sees_the_link_and_its_edits_persist", "[link][custom]") {
  seen = observation{};
  custom_auth<observing_migrator> auth;
  const identity g = seed_guest(auth);
  auto request = with_token(g.token);
  request.user_agent = "migrator-agent";

  auto r = auth.sign_up_email(sign_up_body("custom@example.com"), request);
  REQUIRE(r);
  const std::string new_id = r->user.id;

  CHECK(seen.calls == 1);
  CHECK(seen.anonymous_id == g.id);
  CHECK(seen.anonymous_is_anonymous);
  CHECK(seen.anonymous_bio == std::optional<std::string>("  I like tea  "));
  CHECK(seen.anonymous_session_user == g.id);
  CHECK(seen.new_id == new_id);
  CHECK(seen.new_email == "custom@example.com");
  CHECK_FALSE(seen.new_is_anonymous);
  CHECK(seen.new_bio == std::optional<std::string>("I like tea"));  // earlier migrators' edits are visible
  CHECK(seen.guest_carts == 0);                                     // and so are their writes
  CHECK(seen.new_carts == 3);
  CHECK(seen.user_agent == "migrator-agent");

  // update_user and table writes persist with the link.
  CHECK(r->user.location == std::optional<std::string>("moved by migrator"));
  CHECK(r->user.name == "Renamed");
  const auto stored = auth.find_user(new_id);
  REQUIRE(stored);
  CHECK(stored->location == std::optional<std::string>("moved by migrator"));
  CHECK(stored->name == "Renamed");
  CHECK(stored->bio == std::optional<std::string>("I like tea"));
  CHECK(drafts_of(auth, new_id) == 3);
  const auto welcome = auth.table<draft>().find("welcome-" + new_id);
  REQUIRE(welcome);
  CHECK(welcome->body == "welcome");
  const auto view = auth.get_session(r->token);
  REQUIRE(view);
  CHECK(view->user.location == std::optional<std::string>("moved by migrator"));
  CHECK_FALSE(auth.find_user(g.id).has_value());
}

TEST_CASE("link_migrations.custom_migrator_runs_only_when_a_guest_links", "[link][custom]") {
  seen = observation{};
  custom_auth<observing_migrator> auth;
  auto plain = auth.sign_up_email(sign_up_body("plain@example.com"), no_session());
  REQUIRE(plain);
  // A real user's session on the request is no guest: nothing to link.
  auto again = auth.sign_in_email(sign_in_body("plain@example.com"), with_token(plain->token));
  REQUIRE(again);
  CHECK(seen.calls == 0);
  CHECK(auth.find_user(plain->user.id)->name == "Test User");
}

TEST_CASE("link_migrations.custom_migrator_changing_a_core_field_aborts_the_link", "[link][custom]") {
  SECTION("email_verified") { check_core_field_refused<0>("email_verified"); }
  SECTION("is_anonymous") { check_core_field_refused<1>("is_anonymous"); }
  SECTION("email") { check_core_field_refused<2>("email"); }
  SECTION("id") { check_core_field_refused<3>("id"); }
}
