// What a careless caller or a hostile client can do, and what the library answers.
#include "catch.hpp"
#include "fixtures.hpp"

#include <stdexcept>
#include <string>

using namespace fixtures;

TEST_CASE("robustness.edit_calling_back_into_the_auth_is_refused_not_deadlocked", "[robustness]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest);
  // An edit runs under the write lock; a call back into the same auth would deadlock.
  CHECK_THROWS_AS(auth.update_user(with_token(guest->token),
                                   [&](user& u) {
                                     u.bio = "changed";
                                     (void)auth.find_user(u.id);
                                   }),
                  std::logic_error);
  // The transaction was rolled back and the lock released: the auth goes on working.
  auto unchanged = auth.find_user(guest->user.id);
  REQUIRE(unchanged);
  CHECK_FALSE(unchanged->bio.has_value());
  auto edited = auth.update_user(with_token(guest->token), [](user& u) { u.bio = "later"; });
  REQUIRE(edited);
  CHECK(edited->bio == "later");
}

TEST_CASE("robustness.oversized_sign_in_password_is_refused_without_hashing", "[robustness][email]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  REQUIRE(auth.sign_up_email(sign_up_body("big@example.com"), no_session()));
  const std::string huge(1 << 20, 'x');
  REQUIRE_REFUSED(auth.sign_in_email({"big@example.com", huge}, no_session()), "PASSWORD_TOO_LONG",
                  "Password too long", 400);
  REQUIRE_REFUSED(auth.sign_in_email({"unknown@example.com", std::string(129, 'p')}, no_session()),
                  "PASSWORD_TOO_LONG", "Password too long", 400);  // known or not: the same answer
  CHECK(auth.sign_in_email({"big@example.com", std::string(128, 'p')}, no_session()).error().code() ==
        "INVALID_EMAIL_OR_PASSWORD");
  CHECK(auth.sign_in_email({"big@example.com", std::string(test_password)}, no_session()));
}

TEST_CASE("robustness.sign_in_email_to_unknown_and_known_emails_answer_alike", "[robustness][email]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  REQUIRE(auth.sign_up_email(sign_up_body("known@example.com"), no_session()));
  auto unknown = auth.sign_in_email({"unknown@example.com", "wrong-password"}, no_session());
  auto wrong = auth.sign_in_email({"known@example.com", "wrong-password"}, no_session());
  REQUIRE_FALSE(unknown);
  REQUIRE_FALSE(wrong);
  CHECK(unknown.error().code() == wrong.error().code());
  CHECK(unknown.error().message() == wrong.error().message());
  CHECK(unknown.error().status() == wrong.error().status());
}

TEST_CASE("robustness.random_strings_refuse_impossible_alphabets", "[robustness][crypto]") {
  aa::sodium_random random;
  CHECK_THROWS_AS(aa::crypto::random_string(random, 8, ""), std::invalid_argument);
  CHECK_THROWS_AS(aa::crypto::random_string(random, 8, std::string(257, 'a')), std::invalid_argument);
  CHECK(aa::crypto::random_string(random, 8, "z") == "zzzzzzzz");
}

TEST_CASE("robustness.migrator_edit_of_the_email_aborts_the_link", "[robustness][link]") {
  struct change_email {
    void operator()(aa::link_context<user, aa::memory_storage::backend<app_schema>::writer>& ctx) const {
      ctx.update_user([](user& u) { u.email = "stolen@example.com"; });
    }
  };
  using auth_type = auth_with_link<aa::link_migrations<aa::reassign<&cart_item::user_id>,
                                                       aa::reassign<&draft::author_id>, aa::on_link<change_email>>>;
  auth_type auth{aa::memory_storage::config{}, manual_clock{}};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest);
  REQUIRE_REFUSED(auth.sign_up_email(sign_up_body("real@example.com"), with_token(guest->token)),
                  "EMAIL_CAN_NOT_BE_UPDATED", "Email can not be updated", 400);
  CHECK(user_count(auth) == 1);
  CHECK(auth.get_session(guest->token));
}
