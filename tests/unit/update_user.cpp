// update_user: who may call it, which fields it refuses, and what it saves.
#include "catch.hpp"
#include "fixtures.hpp"

#include <chrono>
#include <string>

using namespace fixtures;

TEST_CASE("update_user.requires_a_valid_session", "[update_user]") {
  manual_clock clock;
  default_auth auth{aa::memory_storage::config{}, clock};
  auto rename = [](user& u) { u.name = "Renamed"; };

  REQUIRE_REFUSED(auth.update_user(no_session(), rename), "UNAUTHORIZED", "Unauthorized", 401);
  REQUIRE_REFUSED(auth.update_user(with_token("neverIssuedTokenNeverIssuedToken"), rename), "UNAUTHORIZED",
                  "Unauthorized", 401);
  REQUIRE_REFUSED(auth.update_user(with_token(""), rename), "UNAUTHORIZED", "Unauthorized", 401);

  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest.has_value());
  clock.advance(std::chrono::days{7} + std::chrono::milliseconds{1});
  REQUIRE_REFUSED(auth.update_user(with_token(guest->token), rename), "UNAUTHORIZED", "Unauthorized", 401);
  CHECK(auth.find_user(guest->user.id).value().name == "Anonymous");
}

TEST_CASE("update_user.email_can_not_be_updated", "[update_user]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto real = auth.sign_up_email(sign_up_body("fixed@example.com"), no_session());
  REQUIRE(real.has_value());

  REQUIRE_REFUSED(auth.update_user(with_token(real->token), [](user& u) { u.email = "moved@example.com"; }),
                  "EMAIL_CAN_NOT_BE_UPDATED", "Email can not be updated", 400);
  // refused as a whole: the name changed alongside is not saved either
  REQUIRE_REFUSED(auth.update_user(with_token(real->token),
                                   [](user& u) {
                                     u.name = "Other";
                                     u.email = "moved@example.com";
                                   }),
                  "EMAIL_CAN_NOT_BE_UPDATED", "Email can not be updated", 400);
  auto stored = auth.find_user(real->user.id);
  REQUIRE(stored.has_value());
  CHECK(stored->email == "fixed@example.com");
  CHECK(stored->name == "Test User");
}

TEST_CASE("update_user.core_fields_are_not_allowed", "[update_user]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest.has_value());
  const auto request = with_token(guest->token);

  REQUIRE_REFUSED(auth.update_user(request, [](user& u) { u.is_anonymous = false; }), "FIELD_NOT_ALLOWED",
                  "is_anonymous is not allowed to be set", 400);
  REQUIRE_REFUSED(auth.update_user(request, [](user& u) { u.email_verified = true; }), "FIELD_NOT_ALLOWED",
                  "email_verified is not allowed to be set", 400);
  REQUIRE_REFUSED(auth.update_user(request, [](user& u) { u.id = "someone-else"; }), "FIELD_NOT_ALLOWED",
                  "id is not allowed to be set", 400);
  REQUIRE_REFUSED(auth.update_user(request, [](user& u) { u.created_at += std::chrono::hours{1}; }),
                  "FIELD_NOT_ALLOWED", "created_at is not allowed to be set", 400);
  REQUIRE_REFUSED(auth.update_user(request, [](user& u) { u.updated_at += std::chrono::hours{1}; }),
                  "FIELD_NOT_ALLOWED", "updated_at is not allowed to be set", 400);

  auto stored = auth.find_user(guest->user.id);
  REQUIRE(stored.has_value());
  CHECK(stored->is_anonymous);
  CHECK_FALSE(stored->email_verified);
  CHECK(stored->created_at == guest->user.created_at);
  CHECK(stored->updated_at == guest->user.updated_at);
  CHECK(auth.get_session(guest->token).value().user.is_anonymous);
}

TEST_CASE("update_user.no_change_is_refused", "[update_user]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest.has_value());
  REQUIRE_REFUSED(auth.update_user(with_token(guest->token), [](user&) {}), "NO_FIELDS_TO_UPDATE",
                  "No fields to update", 400);
  REQUIRE_REFUSED(auth.update_user(with_token(guest->token), [](user& u) { u.name = "Anonymous"; }),
                  "NO_FIELDS_TO_UPDATE", "No fields to update", 400);
}

TEST_CASE("update_user.saves_name_and_app_fields", "[update_user]") {
  manual_clock clock;
  default_auth auth{aa::memory_storage::config{}, clock};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest.has_value());
  const aa::timestamp created = clock.now();
  clock.advance(std::chrono::minutes{5});

  auto updated = auth.update_user(with_token(guest->token), [](user& u) {
    u.name = "Guest Who Writes";
    u.bio = "I like trains";
    u.location = "Lisbon";
    u.image = "https://img.example.com/g.png";
  });
  REQUIRE(updated.has_value());
  CHECK(updated->name == "Guest Who Writes");
  CHECK(updated->bio == std::optional<std::string>("I like trains"));
  CHECK(updated->updated_at == created + std::chrono::minutes{5});
  CHECK(updated->created_at == created);

  auto stored = auth.find_user(guest->user.id);
  REQUIRE(stored.has_value());
  CHECK(stored->name == "Guest Who Writes");
  CHECK(stored->bio == std::optional<std::string>("I like trains"));
  CHECK(stored->location == std::optional<std::string>("Lisbon"));
  CHECK(stored->image == std::optional<std::string>("https://img.example.com/g.png"));
  CHECK(stored->updated_at > stored->created_at);
  CHECK(stored->is_anonymous);

  auto view = auth.get_session(guest->token);
  REQUIRE(view.has_value());
  CHECK(view->user.bio == std::optional<std::string>("I like trains"));
}

TEST_CASE("update_user.name_limits", "[update_user]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest.has_value());
  REQUIRE_REFUSED(auth.update_user(with_token(guest->token), [](user& u) { u.name.clear(); }), "INVALID_NAME",
                  "Name must be 1 to 256 characters", 400);
  REQUIRE_REFUSED(auth.update_user(with_token(guest->token), [](user& u) { u.name = std::string(257, 'n'); }),
                  "INVALID_NAME", "Name must be 1 to 256 characters", 400);
  CHECK(auth.find_user(guest->user.id).value().name == "Anonymous");
}

TEST_CASE("update_user.edits_only_the_sessions_user", "[update_user]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto a = auth.sign_in_anonymous(no_session());
  auto b = auth.sign_in_anonymous(no_session());
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  REQUIRE(auth.update_user(with_token(a->token), [](user& u) { u.bio = "only a"; }).has_value());
  CHECK(auth.find_user(a->user.id).value().bio == std::optional<std::string>("only a"));
  CHECK_FALSE(auth.find_user(b->user.id).value().bio.has_value());
}
