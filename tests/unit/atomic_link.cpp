// Atomic linking: a migrator that throws after other migrators (and itself) wrote leaves no
// trace, whichever operation linked (email sign-up, email sign-in, social sign-in) and whether
// the target account is new or existing. Also: deleting a guest cascades by the schema.
#include "catch.hpp"
#include "link_fixtures.hpp"

#include <anonauth/anonauth.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace link_fixtures;

/// An audit trail that outlives its user (on_delete::keep) and is left alone on linking.
struct audit_entry {
  BOOST_HANA_DEFINE_STRUCT(audit_entry, (std::string, id), (std::string, actor_id), (std::string, note));
};

using audited_schema =
    aa::schema<aa::user_table<user>, aa::table<"cart_items", cart_item, aa::user_ref<&cart_item::user_id>>,
               aa::table<"drafts", draft, aa::user_ref<&draft::author_id>>,
               aa::table<"audit_entries", audit_entry, aa::user_ref<&audit_entry::actor_id, aa::on_delete::keep>>>;

enum class failure { none, runtime_error, payment_pending };

/// Set by each test before linking; the migrator reads it. Tests run on one thread.
failure mode = failure::none;
/// The id of the user the last link targeted, as the migrator saw it.
std::string last_target;

/// Writes in every way it can, then fails as `mode` says.
struct failing_migrator {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    last_target = ctx.new_user().id;
    ctx.update_user([](auto& u) {
      u.location = "written by the migrator";
      u.name = "Changed Name";
    });
    ctx.template table<draft>().insert(draft{"migrator-draft", ctx.new_user().id, "inserted in the link"});
    auto carts = ctx.template table<cart_item>();
    carts.erase("g-cart-0");
    if (auto item = carts.find("g-cart-1")) {
      item->quantity = 99;
      carts.update(*item);
    }
    switch (mode) {
      case failure::none: return;
      case failure::runtime_error: throw std::runtime_error("the payment service is down");
      case failure::payment_pending: throw aa::error_exception(aa::error("PAYMENT_PENDING", "Payment is pending", 409));
    }
  }
};

using failing_link = aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&draft::author_id>,
                                         aa::leave<&audit_entry::actor_id>, aa::copy_if_empty<&user::bio>,
                                         aa::copy_fields<&user::location>, aa::on_link<failing_migrator>>;
using auth_type = aa::anonymous_auth<audited_schema, aa::link<failing_link>, fast_hashing>;

template <class Auth>
void add_audit(Auth& auth, const std::string& actor, std::size_t n, const std::string& prefix) {
  for (std::size_t i = 0; i < n; ++i)
    auth.template table<audit_entry>().insert(audit_entry{prefix + "-audit-" + std::to_string(i), actor, "note"});
}

/// Everything storage holds about these users, and the table sizes, as one comparable string.
std::string world(auth_type& auth, const std::vector<std::string>& user_ids) {
  return auth.storage().read([&](const auto& tx) {
    std::string out = "users=" + std::to_string(tx.template count<user>()) +
                      " carts=" + std::to_string(tx.template count<cart_item>()) +
                      " drafts=" + std::to_string(tx.template count<draft>()) +
                      " audit=" + std::to_string(tx.template count<audit_entry>()) + "\n";
    for (const auto& id : user_ids) {
      const auto u = tx.find_user(id);
      out += "user " + id + ": " + (u ? describe(*u) : std::string("none")) + "\n";
      for (const auto& rec : tx.sessions_of_user(id)) out += "  session " + rec.session.id + "\n";
      for (const auto& a : tx.accounts_of_user(id)) out += "  account " + a.provider_id + "/" + a.account_id + "\n";
      for (const auto& s : describe_all(tx.template find_by<&cart_item::user_id>(id))) out += "  cart " + s + "\n";
      for (const auto& s : describe_all(tx.template find_by<&draft::author_id>(id))) out += "  draft " + s + "\n";
      for (const auto& s : describe_all(tx.template find_by<&audit_entry::actor_id>(id))) out += "  audit " + s + "\n";
    }
    return out;
  });
}

enum class via { sign_up_email, sign_in_email, sign_in_social_new, sign_in_social_existing };

/// A guest with the seed's data plus audit entries, and (for the sign-ins to an existing
/// account) that account with data of its own.
struct scene {
  auth_type auth;
  identity guest;
  std::optional<identity> account;

  explicit scene(via how) {
    mode = failure::none;
    if (how == via::sign_in_email) {
      account = new_account(auth, "owner@example.com");
    } else if (how == via::sign_in_social_existing) {
      auto r = auth.sign_in_social(profile("github", "gh-7", "octo@example.com"), no_session());
      account = identity{r.value().user.id, r.value().token};
    }
    if (account) {
      fill_cart(auth, account->id, 2, "acct");
      write_drafts(auth, account->id, 1, "acct");
      set_profile(auth, account->token, std::nullopt, "Paris");
    }
    guest = new_guest(auth);
    fill_cart(auth, guest.id, 3, "g");
    write_drafts(auth, guest.id, 2, "g");
    add_audit(auth, guest.id, 2, "g");
    set_profile(auth, guest.token, "  I like tea  ", "Lisbon");
  }

  aa::result<aa::signed_in<user>> link(via how) {
    switch (how) {
      case via::sign_up_email: return auth.sign_up_email(sign_up_body("new@example.com"), with_token(guest.token));
      case via::sign_in_email: return auth.sign_in_email(sign_in_body("owner@example.com"), with_token(guest.token));
      case via::sign_in_social_new:
        return auth.sign_in_social(profile("gitlab", "gl-1", "new@example.com"), with_token(guest.token));
      case via::sign_in_social_existing:
        return auth.sign_in_social(profile("github", "gh-7", "octo@example.com"), with_token(guest.token));
    }
    throw std::logic_error("unknown link");
  }

  std::vector<std::string> known_ids() const {
    std::vector<std::string> ids{guest.id};
    if (account) ids.push_back(account->id);
    return ids;
  }
};

void check_rolled_back(via how, failure fail) {
  scene s(how);
  const std::string before = world(s.auth, s.known_ids());
  const std::size_t users_before = user_count(s.auth);

  mode = fail;
  last_target.clear();
  auto r = s.link(how);
  mode = failure::none;

  // The answer is the migrator's error, or LINK_MIGRATION_FAILED for any other exception.
  REQUIRE_FALSE(r);
  if (fail == failure::runtime_error) {
    CHECK(r.error().code() == "LINK_MIGRATION_FAILED");
    CHECK(r.error().status() == 500);
    CHECK(r.error().message() == aa::errors::link_migration_failed.message);
  } else {
    CHECK(r.error().code() == "PAYMENT_PENDING");
    CHECK(r.error().message() == "Payment is pending");
    CHECK(r.error().status() == 409);
  }
  REQUIRE_FALSE(last_target.empty());  // the migrator did run

  // Nothing changed: users, sessions, accounts, rows, fields.
  CHECK(world(s.auth, s.known_ids()) == before);
  CHECK(user_count(s.auth) == users_before);
  CHECK(s.auth.table<cart_item>().find("g-cart-0").has_value());
  CHECK(s.auth.table<cart_item>().find("g-cart-1")->quantity == 2);
  CHECK_FALSE(s.auth.table<draft>().find("migrator-draft").has_value());

  // The guest is as before, its session still valid.
  const auto view = s.auth.get_session(s.guest.token);
  REQUIRE(view);
  CHECK(view->user.id == s.guest.id);
  CHECK(view->user.is_anonymous);
  CHECK(view->user.bio == std::optional<std::string>("  I like tea  "));
  CHECK(carts_of(s.auth, s.guest.id) == 3);
  CHECK(drafts_of(s.auth, s.guest.id) == 2);

  const bool new_account = how == via::sign_up_email || how == via::sign_in_social_new;
  if (new_account) {
    // No trace of the user the link would have created.
    CHECK(s.auth.storage().read([&](const auto& tx) {
      return !tx.find_user(last_target) && !tx.find_user_by_email("new@example.com") &&
             tx.accounts_of_user(last_target).empty() && tx.sessions_of_user(last_target).empty() &&
             !tx.find_account("gitlab", "gl-1") && !tx.find_account(aa::credential_provider, last_target);
    }));
    CHECK_FALSE(s.auth.find_user(last_target).has_value());
  } else {
    // The existing account is untouched: fields, rows, sessions (the new one is rolled back).
    REQUIRE(s.account);
    CHECK(last_target == s.account->id);
    const auto owner = s.auth.find_user(s.account->id);
    REQUIRE(owner);
    CHECK(owner->name != "Changed Name");
    CHECK(owner->location == std::optional<std::string>("Paris"));
    CHECK_FALSE(owner->bio.has_value());
    CHECK(carts_of(s.auth, s.account->id) == 2);
    CHECK(drafts_of(s.auth, s.account->id) == 1);
    CHECK(s.auth.storage().read([&](const auto& tx) { return tx.sessions_of_user(s.account->id).size(); }) == 1);
  }
  if (how == via::sign_up_email) {
    // The email is still free: signing in with it fails, signing up with it works.
    auto in = s.auth.sign_in_email(sign_in_body("new@example.com"), no_session());
    REQUIRE_FALSE(in);
    CHECK(in.error().code() == "INVALID_EMAIL_OR_PASSWORD");
    CHECK(in.error().status() == 401);
  }
}

}  // namespace

TEST_CASE("atomic_link.failing_migrator_rolls_back_a_sign_up", "[link][atomic]") {
  SECTION("std::runtime_error") { check_rolled_back(via::sign_up_email, failure::runtime_error); }
  SECTION("aa::error_exception") { check_rolled_back(via::sign_up_email, failure::payment_pending); }
}

TEST_CASE("atomic_link.failing_migrator_rolls_back_an_email_sign_in", "[link][atomic]") {
  SECTION("std::runtime_error") { check_rolled_back(via::sign_in_email, failure::runtime_error); }
  SECTION("aa::error_exception") { check_rolled_back(via::sign_in_email, failure::payment_pending); }
}

TEST_CASE("atomic_link.failing_migrator_rolls_back_a_social_sign_in", "[link][atomic]") {
  SECTION("new user, std::runtime_error") { check_rolled_back(via::sign_in_social_new, failure::runtime_error); }
  SECTION("new user, aa::error_exception") { check_rolled_back(via::sign_in_social_new, failure::payment_pending); }
  SECTION("existing user, std::runtime_error") {
    check_rolled_back(via::sign_in_social_existing, failure::runtime_error);
  }
  SECTION("existing user, aa::error_exception") {
    check_rolled_back(via::sign_in_social_existing, failure::payment_pending);
  }
}

TEST_CASE("atomic_link.the_guest_links_fine_after_a_failed_attempt", "[link][atomic]") {
  scene s(via::sign_up_email);
  mode = failure::runtime_error;
  REQUIRE_FALSE(s.link(via::sign_up_email));
  mode = failure::none;

  auto r = s.link(via::sign_up_email);
  REQUIRE(r);
  const std::string id = r->user.id;
  CHECK(carts_of(s.auth, id) == 2);  // the migrator erased g-cart-0 this time
  CHECK(s.auth.table<cart_item>().find("g-cart-1")->quantity == 99);
  CHECK(drafts_of(s.auth, id) == 3);  // two moved, one inserted by the migrator
  CHECK(r->user.location == std::optional<std::string>("written by the migrator"));
  CHECK(r->user.bio == std::optional<std::string>("I like tea"));
  CHECK_FALSE(s.auth.find_user(s.guest.id).has_value());
  CHECK_FALSE(s.auth.get_session(s.guest.token).has_value());
  // Left alone, then kept when the guest was deleted (on_delete::keep).
  CHECK(s.auth.table<audit_entry>().find_by<&audit_entry::actor_id>(s.guest.id).size() == 2);
  auto in = s.auth.sign_in_email(sign_in_body("new@example.com"), no_session());
  REQUIRE(in);
  CHECK(in->user.id == id);
}

TEST_CASE("atomic_link.delete_anonymous_user_cascades_by_the_schema", "[delete]") {
  auth_type auth;
  const identity other = new_account(auth, "other@example.com");
  fill_cart(auth, other.id, 2, "other");
  write_drafts(auth, other.id, 1, "other");
  add_audit(auth, other.id, 1, "other");
  const identity g = new_guest(auth);
  fill_cart(auth, g.id, 3, "g");
  write_drafts(auth, g.id, 2, "g");
  add_audit(auth, g.id, 2, "g");
  const std::string other_before = world(auth, {other.id});

  auto r = auth.delete_anonymous_user(with_token(g.token));
  REQUIRE(r);

  CHECK_FALSE(auth.find_user(g.id).has_value());
  CHECK_FALSE(auth.get_session(g.token).has_value());
  // cascade: the guest's cart items and drafts are gone
  CHECK(carts_of(auth, g.id) == 0);
  CHECK(drafts_of(auth, g.id) == 0);
  CHECK_FALSE(auth.table<cart_item>().find("g-cart-0").has_value());
  CHECK_FALSE(auth.table<draft>().find("g-draft-1").has_value());
  // keep: the audit entries stay, holding the old id
  const auto kept = auth.table<audit_entry>().find_by<&audit_entry::actor_id>(g.id);
  CHECK(kept.size() == 2);
  CHECK(auth.table<audit_entry>().find("g-audit-0").has_value());
  // the other user's rows are untouched
  const std::string other_after = world(auth, {other.id});
  CHECK(other_after.substr(other_after.find('\n')) == other_before.substr(other_before.find('\n')));
  CHECK(auth.table<cart_item>().count() == 2);
  CHECK(auth.table<draft>().count() == 1);
  CHECK(auth.table<audit_entry>().count() == 3);
}

TEST_CASE("atomic_link.delete_anonymous_user_refuses_a_real_user", "[delete]") {
  auth_type auth;
  const identity owner = new_account(auth, "real@example.com");
  fill_cart(auth, owner.id, 2, "real");
  auto r = auth.delete_anonymous_user(with_token(owner.token));
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == "USER_IS_NOT_ANONYMOUS");
  CHECK(r.error().status() == 403);
  CHECK(carts_of(auth, owner.id) == 2);
  CHECK(auth.find_user(owner.id).has_value());
}
