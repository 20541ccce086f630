// aa::server_set: app fields of the user row that clients may read but never set (Better Auth's
// `input: false`). The schema keeps its tables apart from the markers, several markers add up,
// and detail::server_set_refusal / detail::is_server_set answer for the operations and the HTTP
// layer. E016 (a member that is no app field of the user row) is a compile-fail test.
#include "catch.hpp"
#include "fixtures.hpp"
#include "storages.hpp"

#include <anonauth/anonauth.hpp>

#include <optional>
#include <string>
#include <type_traits>

namespace {

namespace aa = anonauth;

struct member {
  BOOST_HANA_DEFINE_STRUCT(member,
      (std::string, id), (std::string, name), (std::string, email),
      (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
      (aa::timestamp, created_at), (aa::timestamp, updated_at),
      (std::string, role), (std::string, plan), (int, credits), (std::optional<std::string>, bio));
};

struct basket_item {
  BOOST_HANA_DEFINE_STRUCT(basket_item, (std::string, id), (std::string, user_id), (std::string, sku));
};

using basket_table = aa::table<"basket_items", basket_item, aa::user_ref<&basket_item::user_id>>;

// Markers anywhere among the tables; a member named twice counts once.
using member_schema = aa::schema<aa::server_set<&member::role>, aa::user_table<member>, basket_table,
                                 aa::server_set<&member::credits, &member::role>>;
using plain_schema = aa::schema<aa::user_table<member>, basket_table>;

using member_link = aa::link_migrations<aa::reassign<&basket_item::user_id>, aa::copy_fields<&member::bio>>;
template <class Storage>
using member_auth =
    aa::anonymous_auth<member_schema, aa::link<member_link>, aa::storage<Storage>, fixtures::fast_hashing>;

member sample_member() {
  const aa::timestamp at{std::chrono::milliseconds{fixtures::manual_clock::start_ms}};
  return member{"m1", "Member", "member@example.com", true, std::nullopt, false, at, at, "user", "free", 3, std::nullopt};
}

}  // namespace

TEST_CASE("server_set.schema_keeps_tables_and_markers_apart", "[server_set][schema]") {
  namespace d = aa::detail;
  STATIC_REQUIRE(aa::schema_check_t<member_schema>::is_ok);
  STATIC_REQUIRE(std::is_same_v<member_schema::tables, d::type_list<aa::user_table<member>, basket_table>>);
  STATIC_REQUIRE(std::is_same_v<member_schema::app_tables, d::type_list<basket_table>>);
  STATIC_REQUIRE(std::is_same_v<member_schema::user_table_desc, aa::user_table<member>>);
  STATIC_REQUIRE(member_schema::user_refs::size == 1);
  STATIC_REQUIRE(std::is_same_v<member_schema::server_set_entries,
                                d::value_list<&member::role, &member::credits, &member::role>>);
  STATIC_REQUIRE(std::is_same_v<member_schema::server_set_members, d::value_list<&member::role, &member::credits>>);
  STATIC_REQUIRE(std::is_same_v<plain_schema::server_set_members, d::value_list<>>);
  STATIC_REQUIRE(std::is_same_v<d::table_of_row_t<member_schema, basket_item>, basket_table>);
  // An empty marker is no error, and no field.
  STATIC_REQUIRE(aa::schema_check_t<aa::schema<aa::user_table<member>, aa::server_set<>>>::is_ok);
  // A marker is not "not a table": a schema of markers only still lacks its user table.
  STATIC_REQUIRE(
      std::is_same_v<aa::schema_check_t<aa::schema<aa::server_set<&member::role>>>, aa::diag::needs_one_user_table<>>);
}

TEST_CASE("server_set.e016_names_the_member", "[server_set][schema]") {
  using core = aa::schema<aa::user_table<member>, aa::server_set<&member::role, &member::email>>;
  using other_row = aa::schema<aa::user_table<member>, basket_table, aa::server_set<&basket_item::sku>>;
  STATIC_REQUIRE(std::is_same_v<aa::schema_check_t<core>, aa::diag::server_set_not_an_app_field<&member::email>>);
  STATIC_REQUIRE(std::is_same_v<aa::schema_check_t<other_row>, aa::diag::server_set_not_an_app_field<&basket_item::sku>>);
  // Earlier checks still come first.
  using no_user = aa::schema<basket_table, aa::server_set<&member::email>>;
  STATIC_REQUIRE(std::is_same_v<aa::schema_check_t<no_user>, aa::diag::needs_one_user_table<basket_table>>);
}

TEST_CASE("server_set.is_server_set_by_snake_case_name", "[server_set]") {
  STATIC_REQUIRE(aa::detail::is_server_set<member_schema>("role"));
  STATIC_REQUIRE(aa::detail::is_server_set<member_schema>("credits"));
  STATIC_REQUIRE_FALSE(aa::detail::is_server_set<member_schema>("plan"));
  STATIC_REQUIRE_FALSE(aa::detail::is_server_set<member_schema>("bio"));
  STATIC_REQUIRE_FALSE(aa::detail::is_server_set<member_schema>("email"));
  STATIC_REQUIRE_FALSE(aa::detail::is_server_set<member_schema>("Role"));
  STATIC_REQUIRE_FALSE(aa::detail::is_server_set<member_schema>(""));
  STATIC_REQUIRE_FALSE(aa::detail::is_server_set<plain_schema>("role"));
  const std::string runtime_name = "credits";  // from a request body
  CHECK(aa::detail::is_server_set<member_schema>(runtime_name));
}

TEST_CASE("server_set.refusal_names_the_first_changed_member", "[server_set]") {
  const member before = sample_member();
  member after = before;
  CHECK_FALSE(aa::detail::server_set_refusal<member_schema>(before, after));

  // Fields outside the markers are not its business: app fields, and core fields (edit_refusal's).
  after.plan = "pro";
  after.bio = "hello";
  after.name = "Renamed";
  after.email_verified = false;
  CHECK_FALSE(aa::detail::server_set_refusal<member_schema>(before, after));

  after = before;
  after.credits = 1000;
  auto refusal = aa::detail::server_set_refusal<member_schema>(before, after);
  REQUIRE(refusal);
  CHECK(refusal->code() == "FIELD_NOT_ALLOWED");
  CHECK(refusal->message() == "credits is not allowed to be set");
  CHECK(refusal->status() == 400);

  // Both changed: the member declared first is named.
  after.role = "admin";
  refusal = aa::detail::server_set_refusal<member_schema>(before, after);
  REQUIRE(refusal);
  CHECK(refusal->message() == "role is not allowed to be set");
  using credits_first = aa::schema<aa::user_table<member>, aa::server_set<&member::credits>, aa::server_set<&member::role>>;
  refusal = aa::detail::server_set_refusal<credits_first>(before, after);
  REQUIRE(refusal);
  CHECK(refusal->message() == "credits is not allowed to be set");

  // Exactly the words edit_refusal uses for a core field.
  member core_changed = before;
  core_changed.is_anonymous = true;
  const auto core_refusal = aa::detail::edit_refusal(before, core_changed);
  REQUIRE(core_refusal);
  CHECK(core_refusal->code() == refusal->code());
  CHECK(core_refusal->message() == "is_anonymous is not allowed to be set");
  CHECK(core_refusal->status() == refusal->status());

  CHECK_FALSE(aa::detail::server_set_refusal<plain_schema>(before, after));
}

TEMPLATE_TEST_CASE("server_set.schema_with_markers_runs_on_every_storage", "[server_set]", ANONAUTH_TEST_STORAGES) {
  member_auth<TestType> auth{storages::fresh_config<TestType>("server-set")};
  auto guest = auth.sign_in_anonymous(fixtures::no_session());
  REQUIRE(guest.has_value());
  auth.template table<basket_item>().insert(basket_item{"b1", guest->user.id, "sku-1"});

  // Fields outside the markers stay the client's.
  auto edited = auth.update_user(fixtures::with_token(guest->token), [](member& u) { u.bio = "likes tea"; });
  REQUIRE(edited.has_value());
  CHECK(edited->bio == std::optional<std::string>("likes tea"));

  // The link moves the basket through the one app table; the marker is no table to migrate.
  auto up = auth.sign_up_email(fixtures::sign_up_body("member@example.com"), fixtures::with_token(guest->token));
  REQUIRE(up.has_value());
  CHECK(auth.template table<basket_item>().template find_by<&basket_item::user_id>(up->user.id).size() == 1);
  CHECK(up->user.bio == std::optional<std::string>("likes tea"));
}

// The operations refuse a client's change to a server_set member.
TEST_CASE("server_set.update_user_refuses_a_server_set_field", "[server_set]") {
  member_auth<aa::memory_storage> auth;
  auto guest = auth.sign_in_anonymous(fixtures::no_session());
  REQUIRE(guest.has_value());
  const auto request = fixtures::with_token(guest->token);

  REQUIRE_REFUSED(auth.update_user(request, [](member& u) { u.role = "admin"; }), "FIELD_NOT_ALLOWED",
                  "role is not allowed to be set", 400);
  REQUIRE_REFUSED(auth.update_user(request,
                                   [](member& u) {
                                     u.bio = "sneaky";
                                     u.credits = 1000;
                                   }),
                  "FIELD_NOT_ALLOWED", "credits is not allowed to be set", 400);
  const member stored = auth.find_user(guest->user.id).value();
  CHECK(stored.role.empty());
  CHECK(stored.credits == 0);
  CHECK_FALSE(stored.bio);
}

TEST_CASE("server_set.sign_up_init_may_not_set_one_and_the_server_may", "[server_set]") {
  member_auth<aa::memory_storage> auth;
  // A sign-up body mapped into app fields: the mapping may not grant a role.
  REQUIRE_REFUSED(auth.sign_up_email(fixtures::sign_up_body("m@example.com"), fixtures::no_session(),
                                     [](member& u) { u.role = "admin"; }),
                  "FIELD_NOT_ALLOWED", "role is not allowed to be set", 400);
  CHECK(auth.table<member>().count() == 0);  // refused before anything was stored
  auto up = auth.sign_up_email(fixtures::sign_up_body("m@example.com"), fixtures::no_session(),
                               [](member& u) { u.bio = "hello"; });
  REQUIRE(up.has_value());

  // The server's own edit sets it; core fields stay refused there too.
  auto promoted = auth.update_user_by_id(up->user.id, [](member& u) { u.role = "admin"; });
  REQUIRE(promoted.has_value());
  CHECK(auth.find_user(up->user.id)->role == "admin");
  REQUIRE_REFUSED(auth.update_user_by_id(up->user.id, [](member& u) { u.is_anonymous = true; }), "FIELD_NOT_ALLOWED",
                  "is_anonymous is not allowed to be set", 400);
  REQUIRE_REFUSED(auth.update_user_by_id("no-such-user", [](member& u) { u.role = "x"; }), "USER_NOT_FOUND",
                  "User not found", 404);
}
