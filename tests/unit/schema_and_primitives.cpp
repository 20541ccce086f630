// The static schema (intrusive and adapted rows), column names, and the primitives every
// operation relies on: the email rule, UTF-16 lengths, unbiased random strings, token hashes.
#include "catch.hpp"

#include <anonauth/anonauth.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>

namespace aa = anonauth;

namespace legacy {
// Rows of an existing codebase that cannot be edited: described from outside.
struct account_holder {
  std::string id, name, email;
  bool email_verified = false;
  std::optional<std::string> image;
  bool is_anonymous = false;
  aa::timestamp created_at, updated_at;
  int loyalty_points = 0;
};
struct order {
  std::string id;
  std::string placed_by;
  double total = 0;
};
}  // namespace legacy
BOOST_HANA_ADAPT_STRUCT(legacy::account_holder, id, name, email, email_verified, image, is_anonymous, created_at,
                        updated_at, loyalty_points);
BOOST_HANA_ADAPT_STRUCT(legacy::order, id, placed_by, total);

namespace {

struct note {
  BOOST_HANA_DEFINE_STRUCT(note, (std::string, id), (std::string, owner), (std::string, text));
};

using legacy_schema = aa::schema<aa::user_table<legacy::account_holder, "account_holders">,
                                 aa::table<"orders", legacy::order, aa::user_ref<&legacy::order::placed_by>>>;
using legacy_link = aa::link_migrations<aa::reassign<&legacy::order::placed_by>,
                                        aa::copy_fields<&legacy::account_holder::loyalty_points>>;
using legacy_auth = aa::anonymous_auth<legacy_schema, aa::link<legacy_link>,
                                       aa::password_hasher<aa::argon2id<1, 8192, aa::insecure_test_cost>>>;

/// Bytes 0, 1, ..., 255, 0, 1, ...: every value equally often.
struct counting_random {
  std::uint8_t next = 0;
  void fill(std::span<std::uint8_t> out) {
    for (auto& b : out) b = next++;
  }
};

}  // namespace

TEST_CASE("schema.column_names_come_from_hana", "[schema]") {
  STATIC_REQUIRE(aa::column_name<&note::owner>() == "owner");
  STATIC_REQUIRE(aa::column_name<&legacy::order::placed_by>() == "placed_by");
  STATIC_REQUIRE(aa::column_name<&legacy::account_holder::loyalty_points>() == "loyalty_points");
  STATIC_REQUIRE(aa::described_row<legacy::order>);
  STATIC_REQUIRE_FALSE(aa::described_row<int>);
}

TEST_CASE("schema.checks_pass_for_valid_schemas", "[schema]") {
  STATIC_REQUIRE(aa::schema_check_t<legacy_schema>::is_ok);
  STATIC_REQUIRE(aa::migration_check_t<legacy_schema, legacy_link>::is_ok);
  STATIC_REQUIRE(std::is_same_v<aa::schema_check_t<aa::schema<aa::table<"notes", note>>>,
                                aa::diag::needs_one_user_table<aa::table<"notes", note>>>);
  STATIC_REQUIRE(std::is_same_v<aa::migration_check_t<legacy_schema, aa::link_migrations<>>,
                                aa::diag::unhandled_user_reference<&legacy::order::placed_by>>);
  STATIC_REQUIRE(legacy_schema::user_table_desc::name.view() == "account_holders");
}

TEST_CASE("schema.adapted_rows_link_like_intrusive_ones", "[schema][link]") {
  legacy_auth auth;
  auto guest = auth.sign_in_anonymous({});
  REQUIRE(guest);
  REQUIRE(auth.update_user({guest->token, "", ""}, [](legacy::account_holder& u) { u.loyalty_points = 40; }));
  auth.table<legacy::order>().insert({"o1", guest->user.id, 12.5});
  auto linked = auth.sign_up_email({"Holder@Example.com", "password123", "Holder", {}}, {guest->token, "", ""});
  REQUIRE(linked);
  CHECK(linked->user.email == "holder@example.com");
  CHECK(linked->user.loyalty_points == 40);
  auto orders = auth.table<legacy::order>().find_by<&legacy::order::placed_by>(linked->user.id);
  REQUIRE(orders.size() == 1);
  CHECK(orders[0].total == 12.5);
  CHECK_FALSE(auth.find_user(guest->user.id).has_value());
}

TEST_CASE("primitives.email_rule_matches_better_auth", "[validate]") {
  for (const char* good : {"a@b.co", "user.name+tag@example.com", "o'brien@mail.example.org", "x_y-z@sub-1.example.io",
                           "UPPER@EXAMPLE.COM", "custom-0f8fad5b-d9cb-469f-a165-70867728950e@example.com"}) {
    INFO(good);
    CHECK(aa::is_valid_email(good));
  }
  for (const char* bad : {"", "not-an-email", "still-not-an-email", "user@localhost", ".lead@example.com",
                          "two..dots@example.com", "trail.@example.com", "quote'@example.com", "@example.com",
                          "user@-example.com", "user@example.c", "user@example.c0m", "user@exa_mple.com",
                          "user@http://localhost:3000", "user@example..com", "us er@example.com", "a@b@c.com"}) {
    INFO(bad);
    CHECK_FALSE(aa::is_valid_email(bad));
  }
}

TEST_CASE("primitives.utf16_length_counts_like_javascript", "[validate]") {
  CHECK(aa::utf16_length("password") == 8);
  CHECK(aa::utf16_length("\xC3\xA9t\xC3\xA9") == 3);            // "été"
  CHECK(aa::utf16_length("\xE2\x82\xAC") == 1);                 // "€"
  CHECK(aa::utf16_length("\xF0\x9F\x98\x80\xF0\x9F\x98\x80") == 4);  // two emoji, surrogate pairs
  CHECK(aa::utf16_length("\xFF\xFE") == 2);                     // invalid bytes count one each
  CHECK(aa::utf16_length("\xC3" "A") == 2);                      // a lead byte without its continuation
  CHECK(aa::utf16_length("\xE0\x80\x80") == 3);                 // overlong: three invalid bytes
  CHECK(aa::utf16_length("\xF0" "abc") == 4);
}

TEST_CASE("primitives.random_strings_are_unbiased", "[crypto]") {
  counting_random source;
  // 248 accepted byte values per 256 (62 * 4): each symbol appears exactly 4 times per cycle.
  const std::string s = aa::crypto::random_string(source, 62 * 4 * 10);
  std::map<char, int> counts;
  for (char c : s) ++counts[c];
  REQUIRE(counts.size() == 62);
  for (const auto& [c, n] : counts) {
    INFO(c);
    CHECK(n == 40);
  }
}

TEST_CASE("primitives.token_hash_is_sha256", "[crypto]") {
  // SHA-256("abc") from FIPS 180-2.
  const std::array<std::uint8_t, 32> expected{0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
                                              0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
                                              0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
  CHECK(aa::crypto::hash_token("abc") == expected);
  CHECK(aa::crypto::equal_digests(aa::crypto::hash_token("abc"), expected));
  CHECK_FALSE(aa::crypto::equal_digests(aa::crypto::hash_token("abd"), expected));
}

TEST_CASE("primitives.argon2id_hashes_and_verifies", "[crypto]") {
  aa::argon2id<1, 8192, aa::insecure_test_cost> hasher;
  const std::string encoded = hasher.hash("correct horse");
  CHECK(encoded.rfind("$argon2id$", 0) == 0);
  CHECK(encoded.find("correct horse") == std::string::npos);
  CHECK(hasher.verify(encoded, "correct horse"));
  CHECK_FALSE(hasher.verify(encoded, "correct horsE"));
  CHECK_FALSE(hasher.verify("not a hash", "correct horse"));
  CHECK(hasher.hash("correct horse") != encoded);  // salted
}
