// sign_in_anonymous: the guest it creates, its synthetic email and name, and when it refuses.
// Ports Better Auth's anon.test.ts #1, #8-#14 and the email/name gaps listed after its table.
#include "catch.hpp"
#include "fixtures.hpp"

#include <regex>
#include <set>
#include <string>

using namespace fixtures;

namespace {

// --- naming policies -----------------------------------------------------------------------------

struct i_am_anonymous_name {
  std::string generate(aa::generation_context&) const { return "i-am-anonymous"; }
};

struct empty_name {
  std::string generate(aa::generation_context&) const { return ""; }
};

struct overlong_name {
  std::string generate(aa::generation_context&) const { return std::string(257, 'n'); }
};

// --- email policies ------------------------------------------------------------------------------

/// A lower-case UUID v4 look-alike, as crypto.randomUUID() gives.
template <class Ctx>
std::string uuid_like(Ctx& ctx) {
  constexpr std::string_view hex = "0123456789abcdef";
  return ctx.random_string(8, hex) + "-" + ctx.random_string(4, hex) + "-4" + ctx.random_string(3, hex) + "-a" +
         ctx.random_string(3, hex) + "-" + ctx.random_string(12, hex);
}

struct custom_uuid_email {
  std::string generate(aa::generation_context& ctx) const { return "custom-" + uuid_like(ctx) + "@example.com"; }
};

/// Stands in for upstream's async generator: a template member, and it reads the request.
struct templated_email {
  template <class Ctx>
  std::string generate(Ctx& ctx) const {
    const std::string tag = ctx.request().user_agent.empty() ? "none" : "ua";
    return "async-" + uuid_like(ctx) + "@" + tag + ".example.com";
  }
};

struct not_an_email {
  std::string generate(aa::generation_context&) const { return "not-an-email"; }
};

struct still_not_an_email {
  std::string generate(aa::generation_context&) const { return "still-not-an-email"; }
};

struct localhost_email {
  std::string generate(aa::generation_context&) const { return "user@localhost"; }
};

struct empty_email {
  std::string generate(aa::generation_context&) const { return ""; }
};

struct mixed_case_email {
  std::string generate(aa::generation_context& ctx) const {
    return "Custom-" + ctx.random_string(6, "ABCDEF") + "@Example.COM";
  }
};

struct constant_email {
  std::string generate(aa::generation_context&) const { return "same@example.com"; }
};

const std::regex default_email_format{R"(^temp@[a-z0-9]{32}\.com$)"};

}  // namespace

TEST_CASE("sign_in_anonymous.creates_a_guest_with_a_session", "[sign_in]") {
  manual_clock clock;
  default_auth auth{aa::memory_storage::config{}, clock};

  auto signed_in = auth.sign_in_anonymous(no_session());
  REQUIRE(signed_in.has_value());
  const auto& guest = signed_in->user;
  CHECK(guest.is_anonymous);
  CHECK_FALSE(guest.email_verified);
  CHECK(guest.name == "Anonymous");
  CHECK_FALSE(guest.image.has_value());
  CHECK(guest.id.size() == 32);
  CHECK(guest.created_at == clock.now());
  CHECK(guest.updated_at == clock.now());

  CHECK(signed_in->session.user_id == guest.id);
  CHECK(signed_in->session.ip_address == test_ip);
  CHECK(signed_in->session.user_agent == test_user_agent);
  CHECK(signed_in->session.created_at == clock.now());

  // upstream #1 / #13: get-session with the returned token finds the anonymous user
  auto view = auth.get_session(signed_in->token);
  REQUIRE(view.has_value());
  CHECK(view->user.id == guest.id);
  CHECK(view->user.is_anonymous);
  CHECK(view->session.id == signed_in->session.id);

  auto stored = auth.find_user(guest.id);
  REQUIRE(stored.has_value());
  CHECK(stored->email == guest.email);
  CHECK(stored->is_anonymous);
  CHECK(user_count(auth) == 1);
}

TEST_CASE("sign_in_anonymous.default_email_is_temp_at_random_dot_com", "[sign_in][email]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto first = auth.sign_in_anonymous(no_session());
  auto second = auth.sign_in_anonymous(no_session());
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());
  CHECK(std::regex_match(first->user.email, default_email_format));
  CHECK(std::regex_match(second->user.email, default_email_format));
  CHECK(first->user.email != second->user.email);
}

TEST_CASE("sign_in_anonymous.domain_email_is_temp_dash_random_at_domain", "[sign_in][email]") {
  test_auth<aa::email<aa::domain_email<"guest.example.com">>> auth{aa::memory_storage::config{}, manual_clock{}};
  auto r = auth.sign_in_anonymous(no_session());
  REQUIRE(r.has_value());
  CHECK(std::regex_match(r->user.email, std::regex(R"(^temp-[a-z0-9]{32}@guest\.example\.com$)")));
}

TEST_CASE("sign_in_anonymous.domain_email_is_lower_cased", "[sign_in][email]") {
  test_auth<aa::email<aa::domain_email<"Guest.Example.COM">>> auth{aa::memory_storage::config{}, manual_clock{}};
  auto r = auth.sign_in_anonymous(no_session());
  REQUIRE(r.has_value());
  CHECK(std::regex_match(r->user.email, std::regex(R"(^temp-[a-z0-9]{32}@guest\.example\.com$)")));
}

TEST_CASE("sign_in_anonymous.runtime_domain_email_from_the_constructor", "[sign_in][email]") {
  test_auth<aa::email<aa::runtime_domain_email>> auth{aa::memory_storage::config{}, manual_clock{},
                                                      aa::runtime_domain_email{"guests.example.org"}};
  auto r = auth.sign_in_anonymous(no_session());
  REQUIRE(r.has_value());
  CHECK(std::regex_match(r->user.email, std::regex(R"(^temp-[a-z0-9]{32}@guests\.example\.org$)")));
}

TEST_CASE("sign_in_anonymous.runtime_domain_email_is_validated", "[sign_in][email]") {
  test_auth<aa::email<aa::runtime_domain_email>> auth{aa::memory_storage::config{}, manual_clock{},
                                                      aa::runtime_domain_email{"localhost"}};
  REQUIRE_REFUSED(auth.sign_in_anonymous(no_session()), "INVALID_EMAIL_FORMAT",
                  "Email was not generated in a valid format", 400);
  CHECK(user_count(auth) == 0);
}

TEST_CASE("sign_in_anonymous.generate_name", "[sign_in][name]") {  // upstream #8
  test_auth<aa::naming<i_am_anonymous_name>> auth{aa::memory_storage::config{}, manual_clock{}};
  auto r = auth.sign_in_anonymous(no_session());
  REQUIRE(r.has_value());
  CHECK(r->user.name == "i-am-anonymous");
  CHECK(auth.find_user(r->user.id).value().name == "i-am-anonymous");
}

TEST_CASE("sign_in_anonymous.empty_generated_name_falls_back_to_Anonymous", "[sign_in][name]") {
  test_auth<aa::naming<empty_name>> auth{aa::memory_storage::config{}, manual_clock{}};
  auto r = auth.sign_in_anonymous(no_session());
  REQUIRE(r.has_value());
  CHECK(r->user.name == "Anonymous");
}

TEST_CASE("sign_in_anonymous.random_name_policy", "[sign_in][name]") {
  test_auth<aa::naming<aa::random_name<"Guest-", 8>>> auth{aa::memory_storage::config{}, manual_clock{}};
  auto first = auth.sign_in_anonymous(no_session());
  auto second = auth.sign_in_anonymous(no_session());
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());
  const std::regex format{R"(^Guest-[0-9a-z]{8}$)"};
  CHECK(std::regex_match(first->user.name, format));
  CHECK(std::regex_match(second->user.name, format));
  CHECK(first->user.name != second->user.name);
}

TEST_CASE("sign_in_anonymous.overlong_generated_name_is_refused", "[sign_in][name]") {
  test_auth<aa::naming<overlong_name>> auth{aa::memory_storage::config{}, manual_clock{}};
  REQUIRE_REFUSED(auth.sign_in_anonymous(no_session()), "INVALID_NAME", "Name must be 1 to 256 characters", 400);
  CHECK(user_count(auth) == 0);
}

TEST_CASE("sign_in_anonymous.custom_email_generator", "[sign_in][email]") {  // upstream #9
  test_auth<aa::email<custom_uuid_email>> auth{aa::memory_storage::config{}, manual_clock{}};
  auto r = auth.sign_in_anonymous(no_session());
  REQUIRE(r.has_value());
  CHECK(std::regex_match(r->user.email, std::regex(R"(^custom-[a-f0-9-]+@example\.com$)")));
}

TEST_CASE("sign_in_anonymous.custom_email_generator_with_template_member", "[sign_in][email]") {  // upstream #10
  test_auth<aa::email<templated_email>> auth{aa::memory_storage::config{}, manual_clock{}};
  auto r = auth.sign_in_anonymous(no_session());
  REQUIRE(r.has_value());
  CHECK(std::regex_match(r->user.email, std::regex(R"(^async-[a-f0-9-]+@ua\.example\.com$)")));
}

TEST_CASE("sign_in_anonymous.invalid_generated_email_is_refused", "[sign_in][email]") {  // upstream #11, #12
  SECTION("not-an-email") {
    test_auth<aa::email<not_an_email>> auth{aa::memory_storage::config{}, manual_clock{}};
    REQUIRE_REFUSED(auth.sign_in_anonymous(no_session()), "INVALID_EMAIL_FORMAT",
                    "Email was not generated in a valid format", 400);
    CHECK(user_count(auth) == 0);
  }
  SECTION("still-not-an-email") {
    test_auth<aa::email<still_not_an_email>> auth{aa::memory_storage::config{}, manual_clock{}};
    REQUIRE_REFUSED(auth.sign_in_anonymous(no_session()), "INVALID_EMAIL_FORMAT",
                    "Email was not generated in a valid format", 400);
    CHECK(user_count(auth) == 0);
  }
  SECTION("no top-level domain") {
    test_auth<aa::email<localhost_email>> auth{aa::memory_storage::config{}, manual_clock{}};
    REQUIRE_REFUSED(auth.sign_in_anonymous(no_session()), "INVALID_EMAIL_FORMAT",
                    "Email was not generated in a valid format", 400);
    CHECK(user_count(auth) == 0);
  }
}

TEST_CASE("sign_in_anonymous.empty_custom_email_falls_back_to_default", "[sign_in][email]") {
  test_auth<aa::email<empty_email>> auth{aa::memory_storage::config{}, manual_clock{}};
  auto r = auth.sign_in_anonymous(no_session());
  REQUIRE(r.has_value());
  CHECK(std::regex_match(r->user.email, default_email_format));
}

TEST_CASE("sign_in_anonymous.custom_email_is_lower_cased", "[sign_in][email]") {
  test_auth<aa::email<mixed_case_email>> auth{aa::memory_storage::config{}, manual_clock{}};
  auto r = auth.sign_in_anonymous(no_session());
  REQUIRE(r.has_value());
  CHECK(std::regex_match(r->user.email, std::regex(R"(^custom-[a-f]{6}@example\.com$)")));
  auto stored = auth.find_user(r->user.id);
  REQUIRE(stored.has_value());
  CHECK(stored->email == r->user.email);
}

TEST_CASE("sign_in_anonymous.duplicate_custom_email_fails_to_create_user", "[sign_in][email]") {
  test_auth<aa::email<constant_email>> auth{aa::memory_storage::config{}, manual_clock{}};
  auto first = auth.sign_in_anonymous(no_session());
  REQUIRE(first.has_value());
  REQUIRE_REFUSED(auth.sign_in_anonymous(no_session()), "FAILED_TO_CREATE_USER", "Failed to create user", 500);
  CHECK(user_count(auth) == 1);
  CHECK(auth.get_session(first->token).has_value());
}

TEST_CASE("sign_in_anonymous.second_anonymous_sign_in_is_refused", "[sign_in]") {  // upstream #14
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto first = auth.sign_in_anonymous(no_session());
  REQUIRE(first.has_value());
  REQUIRE(auth.get_session(first->token).value().user.is_anonymous);

  REQUIRE_REFUSED(auth.sign_in_anonymous(with_token(first->token)),
                  "ANONYMOUS_USERS_CANNOT_SIGN_IN_AGAIN_ANONYMOUSLY",
                  "Anonymous users cannot sign in again anonymously", 400);
  CHECK(user_count(auth) == 1);
  CHECK(auth.get_session(first->token).has_value());
}

TEST_CASE("sign_in_anonymous.real_user_session_does_not_block", "[sign_in]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  auto real = auth.sign_up_email(sign_up_body("real@example.com"), no_session());
  REQUIRE(real.has_value());

  auto guest = auth.sign_in_anonymous(with_token(real->token));
  REQUIRE(guest.has_value());
  CHECK(guest->user.is_anonymous);
  CHECK(guest->user.id != real->user.id);
  CHECK(guest->token != real->token);
  CHECK(user_count(auth) == 2);

  // the real user and its session are untouched
  auto real_view = auth.get_session(real->token);
  REQUIRE(real_view.has_value());
  CHECK(real_view->user.id == real->user.id);
  CHECK_FALSE(real_view->user.is_anonymous);
}

TEST_CASE("sign_in_anonymous.expired_or_unknown_session_does_not_block", "[sign_in]") {
  manual_clock clock;
  default_auth auth{aa::memory_storage::config{}, clock};
  auto first = auth.sign_in_anonymous(no_session());
  REQUIRE(first.has_value());

  SECTION("unknown token") {
    auto r = auth.sign_in_anonymous(with_token("thisTokenWasNeverIssuedByTheAuth0"));
    REQUIRE(r.has_value());
    CHECK(r->user.id != first->user.id);
  }
  SECTION("expired session") {
    clock.advance(std::chrono::days{7} + std::chrono::milliseconds{1});
    auto r = auth.sign_in_anonymous(with_token(first->token));
    REQUIRE(r.has_value());
    CHECK(r->user.id != first->user.id);
    CHECK(r->user.is_anonymous);
  }
}

TEST_CASE("sign_in_anonymous.guests_get_distinct_ids_and_emails", "[sign_in]") {
  default_auth auth{aa::memory_storage::config{}, manual_clock{}};
  std::set<std::string> ids, emails;
  for (int i = 0; i < 50; ++i) {
    auto r = auth.sign_in_anonymous(no_session());
    REQUIRE(r.has_value());
    CHECK(is_alnum(r->user.id));
    ids.insert(r->user.id);
    emails.insert(r->user.email);
  }
  CHECK(ids.size() == 50);
  CHECK(emails.size() == 50);
  CHECK(user_count(auth) == 50);
}
