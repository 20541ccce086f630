// sign_up_email and sign_in_email: input rules, Better Auth's error codes, password storage.
#include "catch.hpp"
#include "fixtures.hpp"

#include <string>

using namespace fixtures;

namespace {

/// `count` copies of a UTF-8 sequence.
std::string repeat(std::string_view piece, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out.append(piece);
  return out;
}

constexpr std::string_view grinning = "\xF0\x9F\x98\x80";  // U+1F600: 4 bytes, 2 UTF-16 units
constexpr std::string_view e_acute = "\xC3\xA9";           // U+00E9: 2 bytes, 1 UTF-16 unit
constexpr std::string_view euro = "\xE2\x82\xAC";          // U+20AC: 3 bytes, 1 UTF-16 unit

}  // namespace

TEST_CASE("sign_up_email.creates_a_real_user_with_a_session", "[sign_up][email_password]") {
  manual_clock clock;
  default_auth auth{aa::memory_storage::config{}, clock};
  aa::email_sign_up body{"Jane.Doe@Example.COM", std::string(test_password), "Jane Doe", "https://img.example.com/j.png"};
  auto r = auth.sign_up_email(body, no_session());
  REQUIRE(r.has_value());
  CHECK_FALSE(r->user.is_anonymous);
  CHECK_FALSE(r->user.email_verified);
  CHECK(r->user.email == "jane.doe@example.com");
  CHECK(r->user.name == "Jane Doe");
  CHECK(r->user.image == std::optional<std::string>("https://img.example.com/j.png"));
  CHECK(r->user.created_at == clock.now());
  CHECK(r->session.user_id == r->user.id);

  auto view = auth.get_session(r->token);
  REQUIRE(view.has_value());
  CHECK(view->user.id == r->user.id);
  CHECK(view->user.email == "jane.doe@example.com");
  CHECK_FALSE(view->user.is_anonymous);
}

TEST_CASE("sign_up_email.invalid_email_is_refused", "[sign_up][email_password]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  for (const char* email : {"", "no-at-sign", "a@b", "user@localhost", "user@@example.com", ".lead@example.com",
                            "two..dots@example.com", "user@exa mple.com", "user@example.c0m"}) {
    CAPTURE(email);
    REQUIRE_REFUSED(auth.sign_up_email(sign_up_body(email), no_session()), "INVALID_EMAIL", "Invalid email", 400);
  }
  CHECK(user_count(auth) == 0);
}

TEST_CASE("sign_up_email.password_length_limits", "[sign_up][email_password]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  int n = 0;
  auto sign_up = [&](std::string password) {
    return auth.sign_up_email(sign_up_body("user" + std::to_string(++n) + "@example.com", "User", std::move(password)),
                              no_session());
  };

  REQUIRE_REFUSED(sign_up(std::string(7, 'p')), "PASSWORD_TOO_SHORT", "Password too short", 400);
  REQUIRE_REFUSED(sign_up(std::string(129, 'p')), "PASSWORD_TOO_LONG", "Password too long", 400);
  REQUIRE_REFUSED(sign_up(""), "PASSWORD_TOO_SHORT", "Password too short", 400);
  CHECK(user_count(auth) == 0);

  CHECK(sign_up(std::string(8, 'p')).has_value());
  CHECK(sign_up(std::string(128, 'p')).has_value());
  CHECK(user_count(auth) == 2);
}

TEST_CASE("sign_up_email.password_length_counts_utf16_units", "[sign_up][email_password]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  int n = 0;
  auto sign_up = [&](std::string password) {
    return auth.sign_up_email(sign_up_body("utf" + std::to_string(++n) + "@example.com", "User", std::move(password)),
                              no_session());
  };

  // 4 emoji: 16 bytes but 8 UTF-16 units, like JavaScript's string.length
  CHECK(sign_up(repeat(grinning, 4)).has_value());
  // 3 emoji + 1 ASCII: 7 units
  REQUIRE_REFUSED(sign_up(repeat(grinning, 3) + "x"), "PASSWORD_TOO_SHORT", "Password too short", 400);
  // 7 two-byte characters: 14 bytes, 7 units
  REQUIRE_REFUSED(sign_up(repeat(e_acute, 7)), "PASSWORD_TOO_SHORT", "Password too short", 400);
  // 8 three-byte characters: 24 bytes, 8 units
  CHECK(sign_up(repeat(euro, 8)).has_value());
  // 64 emoji: 256 bytes, 128 units
  CHECK(sign_up(repeat(grinning, 64)).has_value());
  // 65 emoji: 130 units
  REQUIRE_REFUSED(sign_up(repeat(grinning, 65)), "PASSWORD_TOO_LONG", "Password too long", 400);
  // 100 two-byte characters: 200 bytes but 100 units
  CHECK(sign_up(repeat(e_acute, 100)).has_value());
  CHECK(user_count(auth) == 4);
}

TEST_CASE("sign_up_email.duplicate_email_is_refused_case_insensitively", "[sign_up][email_password]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto first = auth.sign_up_email(sign_up_body("taken@example.com"), no_session());
  REQUIRE(first.has_value());

  REQUIRE_REFUSED(auth.sign_up_email(sign_up_body("taken@example.com"), no_session()),
                  "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "User already exists. Use another email.", 422);
  REQUIRE_REFUSED(auth.sign_up_email(sign_up_body("TAKEN@Example.Com"), no_session()),
                  "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "User already exists. Use another email.", 422);
  CHECK(user_count(auth) == 1);
  CHECK(accounts_of(auth, first->user.id).size() == 1);
}

TEST_CASE("sign_up_email.name_limits", "[sign_up][email_password]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  REQUIRE_REFUSED(auth.sign_up_email(sign_up_body("empty@example.com", ""), no_session()), "INVALID_NAME",
                  "Name must be 1 to 256 characters", 400);
  REQUIRE_REFUSED(auth.sign_up_email(sign_up_body("long@example.com", std::string(257, 'n')), no_session()),
                  "INVALID_NAME", "Name must be 1 to 256 characters", 400);
  CHECK(user_count(auth) == 0);

  auto max = auth.sign_up_email(sign_up_body("max@example.com", std::string(256, 'n')), no_session());
  REQUIRE(max.has_value());
  CHECK(max->user.name.size() == 256);
}

TEST_CASE("sign_up_email.password_is_stored_only_as_argon2id", "[sign_up][email_password][security]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto r = auth.sign_up_email(sign_up_body("hash@example.com"), no_session());
  REQUIRE(r.has_value());

  auto accounts = accounts_of(auth, r->user.id);
  REQUIRE(accounts.size() == 1);
  const aa::account& credential = accounts.front();
  CHECK(credential.provider_id == "credential");
  CHECK(credential.account_id == r->user.id);
  CHECK(credential.user_id == r->user.id);
  REQUIRE(credential.password_hash.has_value());
  const std::string& stored = *credential.password_hash;
  CHECK(stored.rfind("$argon2id$", 0) == 0);
  CHECK(stored != test_password);
  CHECK(stored.find(test_password) == std::string::npos);

  // the same password hashed again gets another salt
  auto other = auth.sign_up_email(sign_up_body("hash2@example.com"), no_session());
  REQUIRE(other.has_value());
  auto other_accounts = accounts_of(auth, other->user.id);
  REQUIRE(other_accounts.size() == 1);
  REQUIRE(other_accounts.front().password_hash.has_value());
  CHECK(*other_accounts.front().password_hash != stored);
}

TEST_CASE("sign_in_email.signs_in_with_the_right_password", "[sign_in_email][email_password]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto up = auth.sign_up_email(sign_up_body("login@example.com"), no_session());
  REQUIRE(up.has_value());

  auto in = auth.sign_in_email(aa::email_sign_in{"Login@EXAMPLE.com", std::string(test_password)}, no_session());
  REQUIRE(in.has_value());
  CHECK(in->user.id == up->user.id);
  CHECK(in->token != up->token);
  CHECK(in->session.id != up->session.id);
  CHECK(in->session.user_id == up->user.id);

  // both sessions are valid
  CHECK(auth.get_session(up->token).value().user.id == up->user.id);
  CHECK(auth.get_session(in->token).value().user.id == up->user.id);
  CHECK(user_count(auth) == 1);
}

TEST_CASE("sign_in_email.wrong_password_or_unknown_email", "[sign_in_email][email_password]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  REQUIRE(auth.sign_up_email(sign_up_body("known@example.com"), no_session()).has_value());

  REQUIRE_REFUSED(auth.sign_in_email(aa::email_sign_in{"known@example.com", "wrong-password"}, no_session()),
                  "INVALID_EMAIL_OR_PASSWORD", "Invalid email or password", 401);
  REQUIRE_REFUSED(auth.sign_in_email(aa::email_sign_in{"known@example.com", ""}, no_session()),
                  "INVALID_EMAIL_OR_PASSWORD", "Invalid email or password", 401);
  REQUIRE_REFUSED(auth.sign_in_email(aa::email_sign_in{"unknown@example.com", std::string(test_password)},
                                     no_session()),
                  "INVALID_EMAIL_OR_PASSWORD", "Invalid email or password", 401);
  REQUIRE_REFUSED(auth.sign_in_email(aa::email_sign_in{"not-an-email", std::string(test_password)}, no_session()),
                  "INVALID_EMAIL", "Invalid email", 400);
}

TEST_CASE("sign_in_email.guest_cannot_sign_in_with_its_synthetic_email", "[sign_in_email][email_password]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest.has_value());
  CHECK(accounts_of(auth, guest->user.id).empty());  // Better Auth: anonymous users get no account row
  REQUIRE_REFUSED(auth.sign_in_email(aa::email_sign_in{guest->user.email, std::string(test_password)}, no_session()),
                  "INVALID_EMAIL_OR_PASSWORD", "Invalid email or password", 401);
  CHECK(auth.find_user(guest->user.id).has_value());
}

TEST_CASE("sign_up_email.then_sign_in_with_multibyte_password", "[sign_in_email][email_password]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  const std::string password = repeat(grinning, 4);
  REQUIRE(auth.sign_up_email(sign_up_body("emoji@example.com", "Emoji", password), no_session()).has_value());
  CHECK(auth.sign_in_email(aa::email_sign_in{"emoji@example.com", password}, no_session()).has_value());
  REQUIRE_REFUSED(auth.sign_in_email(aa::email_sign_in{"emoji@example.com", repeat(grinning, 3)}, no_session()),
                  "INVALID_EMAIL_OR_PASSWORD", "Invalid email or password", 401);
}
