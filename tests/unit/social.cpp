// sign_in_social: creating, finding and (implicitly) linking accounts from a provider's profile.
#include "catch.hpp"
#include "fixtures.hpp"

#include <string>

using namespace fixtures;

TEST_CASE("sign_in_social.creates_a_user_with_the_providers_verification", "[social]") {
  manual_clock clock;
  default_auth auth{aa::memory_storage::config{}, clock};

  SECTION("verified by the provider") {
    auto r = auth.sign_in_social(google_profile("1234567890", "User@Email.com", true), no_session());
    REQUIRE(r.has_value());
    CHECK(r->user.email_verified);
    CHECK_FALSE(r->user.is_anonymous);
    CHECK(r->user.email == "user@email.com");
    CHECK(r->user.name == "First Last");
    CHECK(r->user.created_at == clock.now());

    auto accounts = accounts_of(auth, r->user.id);
    REQUIRE(accounts.size() == 1);
    CHECK(accounts.front().provider_id == "google");
    CHECK(accounts.front().account_id == "1234567890");
    CHECK_FALSE(accounts.front().password_hash.has_value());

    auto view = auth.get_session(r->token);
    REQUIRE(view.has_value());
    CHECK(view->user.id == r->user.id);
  }
  SECTION("not verified by the provider") {
    auto r = auth.sign_in_social(google_profile("555", "unverified@email.com", false), no_session());
    REQUIRE(r.has_value());
    CHECK_FALSE(r->user.email_verified);
    CHECK_FALSE(r->user.is_anonymous);
  }
}

TEST_CASE("sign_in_social.keeps_the_image", "[social]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto profile = google_profile("img-1", "img@email.com");
  profile.image = "https://img.example.com/p.png";
  auto r = auth.sign_in_social(profile, no_session());
  REQUIRE(r.has_value());
  CHECK(r->user.image == std::optional<std::string>("https://img.example.com/p.png"));
}

TEST_CASE("sign_in_social.same_identity_returns_the_same_user", "[social]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto first = auth.sign_in_social(google_profile("1234567890", "user@email.com"), no_session());
  auto second = auth.sign_in_social(google_profile("1234567890", "user@email.com"), no_session());
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());
  CHECK(second->user.id == first->user.id);
  CHECK(second->token != first->token);
  CHECK(user_count(auth) == 1);
  CHECK(accounts_of(auth, first->user.id).size() == 1);
}

TEST_CASE("sign_in_social.existing_email_with_unverified_profile_is_not_linked", "[social]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto existing = auth.sign_up_email(sign_up_body("owner@email.com"), no_session());
  REQUIRE(existing.has_value());

  REQUIRE_REFUSED(auth.sign_in_social(google_profile("999", "owner@email.com", false), no_session()),
                  "OAUTH_LINK_ERROR", "account not linked", 401);
  REQUIRE_REFUSED(auth.sign_in_social(google_profile("999", "OWNER@email.com", false), no_session()),
                  "OAUTH_LINK_ERROR", "account not linked", 401);
  CHECK(user_count(auth) == 1);
  CHECK(accounts_of(auth, existing->user.id).size() == 1);  // only the credential account
  CHECK_FALSE(auth.storage().read([](const auto& tx) { return tx.find_account("google", "999"); }).has_value());
}

TEST_CASE("sign_in_social.verified_email_links_to_verified_user", "[social]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto via_google = auth.sign_in_social(google_profile("g-1", "both@email.com", true), no_session());
  REQUIRE(via_google.has_value());

  aa::social_profile github{"github", "gh-7", "Both@Email.com", "Octo", std::nullopt, true};
  auto via_github = auth.sign_in_social(github, no_session());
  REQUIRE(via_github.has_value());
  CHECK(via_github->user.id == via_google->user.id);
  CHECK(user_count(auth) == 1);
  CHECK(accounts_of(auth, via_google->user.id).size() == 2);

  // and the new identity now finds the user directly
  auto again = auth.sign_in_social(github, no_session());
  REQUIRE(again.has_value());
  CHECK(again->user.id == via_google->user.id);
}

TEST_CASE("sign_in_social.invalid_profile_is_refused", "[social]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  const char* message = "Social profile needs a provider id, an account id and a valid email";

  SECTION("empty provider") {
    REQUIRE_REFUSED(auth.sign_in_social(aa::social_profile{"", "1", "a@email.com", "A", std::nullopt, true},
                                        no_session()),
                    "INVALID_SOCIAL_PROFILE", message, 400);
  }
  SECTION("empty account id") {
    REQUIRE_REFUSED(auth.sign_in_social(aa::social_profile{"google", "", "a@email.com", "A", std::nullopt, true},
                                        no_session()),
                    "INVALID_SOCIAL_PROFILE", message, 400);
  }
  SECTION("the credential provider") {
    REQUIRE_REFUSED(auth.sign_in_social(aa::social_profile{"credential", "1", "a@email.com", "A", std::nullopt, true},
                                        no_session()),
                    "INVALID_SOCIAL_PROFILE", message, 400);
  }
  SECTION("invalid email") {
    REQUIRE_REFUSED(auth.sign_in_social(google_profile("1", "not-an-email"), no_session()), "INVALID_EMAIL",
                    "Invalid email", 400);
  }
  SECTION("overlong name") {
    REQUIRE_REFUSED(auth.sign_in_social(google_profile("1", "a@email.com", true, std::string(257, 'n')), no_session()),
                    "INVALID_NAME", "Name must be 1 to 256 characters", 400);
  }
  CHECK(user_count(auth) == 0);
}
