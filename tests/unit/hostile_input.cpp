// Text from outside: every string an operation stores is bounded, well-formed UTF-8, free of NUL
// and (but in application free text) of control characters. A refusal names the field and the
// fault, and stores nothing. On the memory storage and on SQLite.
#include "catch.hpp"
#include "fixtures.hpp"
#include "storages.hpp"

#include <string>
#include <string_view>

using namespace fixtures;

namespace {

using namespace std::string_literals;

template <class Storage>
using hostile_auth = test_auth<aa::storage<Storage>>;

/// Bad texts, each with the fault check_text finds in it.
struct bad_text {
  std::string text;
  aa::text_fault fault;
  std::string_view says;  // in the error message
};
const bad_text bad_texts[] = {
    {"Ali\0ce"s, aa::text_fault::nul, "contains a NUL byte"},
    {"Ali\nce", aa::text_fault::control, "contains a control character"},
    {"Ali\x1b[31mce", aa::text_fault::control, "contains a control character"},
    {"Ali\x7f" "ce", aa::text_fault::control, "contains a control character"},
    {"Ali\xc2\x85" "ce", aa::text_fault::control, "contains a control character"},  // U+0085, C1
    {"Ali\xff" "ce", aa::text_fault::invalid_utf8, "is not valid UTF-8"},
    {"Ali\xc0\xa0" "ce", aa::text_fault::invalid_utf8, "is not valid UTF-8"},      // overlong space
    {"Ali\xed\xa0\x80" "ce", aa::text_fault::invalid_utf8, "is not valid UTF-8"},  // a surrogate
    {"Ali\xe2\x82", aa::text_fault::invalid_utf8, "is not valid UTF-8"},          // cut short
};

template <class Result>
void require_invalid_input(const Result& r, std::string_view field, std::string_view says) {
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == "INVALID_INPUT");
  CHECK(r.error().status() == 400);
  CHECK(r.error().message() == std::string(field) + " " + std::string(says));
}

}  // namespace

TEST_CASE("hostile_input.check_text_finds_each_fault", "[hostile_input]") {
  for (const auto& bad : bad_texts) {
    INFO(bad.says);
    CHECK(aa::check_text(bad.text, 256) == bad.fault);
  }
  CHECK(aa::check_text("Zo\xc3\xab \xe6\x9d\x8e \xf0\x9f\x8e\xae", 256) == aa::text_fault::none);  // "Zoë 李 🎮"
  CHECK(aa::check_text(std::string(257, 'a'), 256) == aa::text_fault::too_long);
  CHECK(aa::check_text(std::string(256, 'a'), 256) == aa::text_fault::none);
  CHECK(aa::check_text("line\nbreak\ttab", 256, true) == aa::text_fault::none);
  CHECK(aa::check_text("still\0no"s, 256, true) == aa::text_fault::nul);
  // The edges of UTF-8: U+10FFFF is the last code point; F4 90 is past it; F5 never starts one.
  CHECK(aa::is_valid_utf8("\xf4\x8f\xbf\xbf"));
  CHECK_FALSE(aa::is_valid_utf8("\xf4\x90\x80\x80"));
  CHECK_FALSE(aa::is_valid_utf8("\xf5\x80\x80\x80"));
  CHECK_FALSE(aa::is_valid_utf8("\x80"));
  CHECK(aa::is_valid_utf8("\xed\x9f\xbf"));  // U+D7FF, just below the surrogates
}

TEMPLATE_TEST_CASE("hostile_input.sign_up_refuses_bad_names_and_stores_nothing", "[hostile_input]",
                   ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  hostile_auth<TestType> auth{storages::fresh_config<TestType>("hostile"), clock};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest);
  for (const auto& bad : bad_texts) {
    INFO(bad.says);
    require_invalid_input(auth.sign_up_email(sign_up_body("a@example.com", bad.text), with_token(guest->token)), "name",
                          bad.says);
  }
  REQUIRE_REFUSED(auth.sign_up_email(sign_up_body("a@example.com", std::string(257, 'n')), no_session()), "INVALID_NAME",
                  "Name must be 1 to 256 characters", 400);
  CHECK(user_count(auth) == 1);
  CHECK(auth.get_session(guest->token));

  // Well-formed text of any script is kept byte for byte.
  const std::string name = "Zo\xc3\xab \xe6\x9d\x8e \xf0\x9f\x8e\xae";
  auto ok = auth.sign_up_email(sign_up_body("a@example.com", name), no_session());
  REQUIRE(ok);
  CHECK(auth.find_user(ok->user.id)->name == name);
}

TEMPLATE_TEST_CASE("hostile_input.images_passwords_and_requests", "[hostile_input]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  hostile_auth<TestType> auth{storages::fresh_config<TestType>("hostile"), clock};

  auto body = sign_up_body("img@example.com");
  body.image = "https://example.com/\x01.png";
  require_invalid_input(auth.sign_up_email(body, no_session()), "image", "contains a control character");
  body.image = "https://example.com/" + std::string(2048, 'x');
  require_invalid_input(auth.sign_up_email(body, no_session()), "image", "is longer than 2048 bytes");

  require_invalid_input(auth.sign_up_email(sign_up_body("pw@example.com", "Name", "password\0tail"s), no_session()),
                        "password", "contains a NUL byte");
  require_invalid_input(auth.sign_up_email(sign_up_body("pw@example.com", "Name", "pass\xffword"), no_session()),
                        "password", "is not valid UTF-8");
  // At sign-in, such a password is simply wrong: no stored password can hold it.
  REQUIRE_REFUSED(auth.sign_in_email({"pw@example.com", "password\0tail"s}, no_session()), "INVALID_EMAIL_OR_PASSWORD",
                  "Invalid email or password", 401);

  aa::request_context request = no_session();
  request.user_agent = "Mozilla/5.0\r\nX-Injected: 1";
  require_invalid_input(auth.sign_in_anonymous(request), "user_agent", "contains a control character");
  request.user_agent = std::string(1025, 'u');
  require_invalid_input(auth.sign_in_anonymous(request), "user_agent", "is longer than 1024 bytes");
  request.user_agent = std::string(1024, 'u');
  CHECK(auth.sign_in_anonymous(request));
  request.ip_address = "203.0.113.7\n";
  require_invalid_input(auth.sign_up_email(sign_up_body("ip@example.com"), request), "ip_address",
                        "contains a control character");
  request.ip_address = std::string(65, '1');
  require_invalid_input(auth.sign_in_anonymous(request), "ip_address", "is longer than 64 bytes");
  CHECK(user_count(auth) == 1);
}

TEMPLATE_TEST_CASE("hostile_input.social_profiles", "[hostile_input]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  hostile_auth<TestType> auth{storages::fresh_config<TestType>("hostile"), clock};
  auto profile = google_profile("g-1", "s@example.com");
  profile.provider_id = "goo\0gle"s;
  require_invalid_input(auth.sign_in_social(profile, no_session()), "provider_id", "contains a NUL byte");
  profile = google_profile(std::string(256, '7'), "s@example.com");
  require_invalid_input(auth.sign_in_social(profile, no_session()), "account_id", "is longer than 255 bytes");
  profile = google_profile("g-1", "s@example.com", true, "Evil\xe2\x80");
  require_invalid_input(auth.sign_in_social(profile, no_session()), "name", "is not valid UTF-8");
  CHECK(user_count(auth) == 0);
}

TEMPLATE_TEST_CASE("hostile_input.update_user_checks_every_text_field", "[hostile_input]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  hostile_auth<TestType> auth{storages::fresh_config<TestType>("hostile"), clock};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest);
  const auto request = with_token(guest->token);

  require_invalid_input(auth.update_user(request, [](user& u) { u.bio = "hi\0there"s; }), "bio", "contains a NUL byte");
  require_invalid_input(auth.update_user(request, [](user& u) { u.location = "\xc3"; }), "location", "is not valid UTF-8");
  require_invalid_input(auth.update_user(request, [](user& u) { u.bio = std::string(65537, 'b'); }), "bio",
                        "is longer than 65536 bytes");
  require_invalid_input(auth.update_user(request, [](user& u) { u.image = "x\ty"; }), "image",
                        "contains a control character");
  require_invalid_input(auth.update_user(request, [](user& u) { u.name = "tab\there"; }), "name",
                        "contains a control character");
  CHECK(boost::hana::equal(*auth.find_user(guest->user.id), guest->user));

  // Free text of the application may hold line breaks and tabs.
  auto edited = auth.update_user(request, [](user& u) { u.bio = "line one\nline two\tend"; });
  REQUIRE(edited);
  CHECK(auth.find_user(guest->user.id)->bio == std::optional<std::string>("line one\nline two\tend"));
}

TEMPLATE_TEST_CASE("hostile_input.tokens_of_any_bytes_open_nothing", "[hostile_input]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  hostile_auth<TestType> auth{storages::fresh_config<TestType>("hostile"), clock};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest);
  for (const std::string& token : {guest->token + "\0"s, "\0"s + guest->token, std::string(513, 'a'),
                                   std::string("\xff\xfe", 2), guest->token.substr(0, 31)}) {
    CHECK_FALSE(auth.get_session(token));
    REQUIRE_REFUSED(auth.delete_anonymous_user(with_token(token)), "UNAUTHORIZED", "Unauthorized", 401);
  }
  CHECK(auth.get_session(guest->token));
}
