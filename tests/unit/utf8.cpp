// The one UTF-8 decoder (core/utf8.hpp): what is well formed, how far an ill-formed sequence
// reaches, and what replacing it gives. Every text check of the library stands on these.
#include "catch.hpp"

#include <anonauth/core/utf8.hpp>

#include <string>
#include <string_view>

namespace aa = anonauth;

namespace {

constexpr std::string_view fffd = "\xEF\xBF\xBD";

/// The sequence at the start of `s`.
constexpr aa::utf8_sequence first(std::string_view s) { return aa::scan_utf8(s, 0); }

}  // namespace

TEST_CASE("utf8.well_formed_sequences_of_every_length", "[utf8]") {
  STATIC_REQUIRE(first("A").length == 1);
  STATIC_REQUIRE(first("A").valid);
  for (std::string_view s : {"\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xED\x9F\xBF", "\xEE\x80\x80", "\xEF\xBF\xBF",
                             "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF"}) {
    CAPTURE(s);
    CHECK(first(s).valid);
    CHECK(first(s).length == s.size());
    CHECK(aa::utf8_sequence_length(s, 0) == s.size());
    CHECK(aa::is_valid_utf8(s));
    CHECK(aa::replace_invalid_utf8(s) == s);
  }
}

TEST_CASE("utf8.overlong_forms_are_ill_formed", "[utf8]") {
  CHECK_FALSE(first("\xC0\x80").valid);  // NUL in two bytes
  CHECK(first("\xC0\x80").length == 1);   // C0 starts nothing: the continuation byte is its own
  CHECK_FALSE(first("\xC1\xBF").valid);
  CHECK_FALSE(first("\xE0\x9F\xBF").valid);  // U+07FF in three bytes
  CHECK(first("\xE0\x9F\xBF").length == 1);
  CHECK_FALSE(first("\xF0\x8F\xBF\xBF").valid);  // U+FFFF in four bytes
  CHECK(aa::replace_invalid_utf8("\xC0\x80") == std::string(fffd) + std::string(fffd));
  CHECK(aa::replace_invalid_utf8("\xE0\x80\x80") ==
        std::string(fffd) + std::string(fffd) + std::string(fffd));
}

TEST_CASE("utf8.surrogates_are_ill_formed", "[utf8]") {
  CHECK(aa::is_valid_utf8("\xED\x9F\xBF"));        // U+D7FF, just below
  CHECK_FALSE(aa::is_valid_utf8("\xED\xA0\x80"));  // U+D800
  CHECK_FALSE(aa::is_valid_utf8("\xED\xBF\xBF"));  // U+DFFF
  CHECK(first("\xED\xA0\x80").length == 1);
  CHECK(aa::is_valid_utf8("\xEE\x80\x80"));  // U+E000, just above
  CHECK(aa::utf8_sequence_length("\xED\xA0\x80", 0) == 0);
}

TEST_CASE("utf8.truncated_sequences_are_one_replacement", "[utf8]") {
  CHECK_FALSE(first("\xE2\x82").valid);
  CHECK(first("\xE2\x82").length == 2);             // cut short by the end
  CHECK(first("\xF0\x9F\x98" "A").length == 3);     // cut short by ASCII
  CHECK(aa::replace_invalid_utf8("\xE2\x82") == fffd);
  CHECK(aa::replace_invalid_utf8("\xE2\x82" "A") == std::string(fffd) + "A");
  CHECK(aa::replace_invalid_utf8("\xF0\x9F\x98") == fffd);
  CHECK(aa::replace_invalid_utf8("a\xC3") == "a" + std::string(fffd));
  CHECK(aa::replace_invalid_utf8("\x80" "b") == std::string(fffd) + "b");  // a lone continuation byte
}

TEST_CASE("utf8.above_u10ffff_is_ill_formed", "[utf8]") {
  CHECK(aa::is_valid_utf8("\xF4\x8F\xBF\xBF"));        // U+10FFFF
  CHECK_FALSE(aa::is_valid_utf8("\xF4\x90\x80\x80"));  // U+110000
  CHECK(first("\xF4\x90\x80\x80").length == 1);
  for (std::string_view lead : {"\xF5", "\xF8", "\xFE", "\xFF"}) {
    CAPTURE(lead);
    CHECK_FALSE(first(lead).valid);
    CHECK(first(lead).length == 1);
  }
  CHECK(aa::replace_invalid_utf8("\xF5\x80\x80\x80") ==
        std::string(fffd) + std::string(fffd) + std::string(fffd) + std::string(fffd));
}

TEST_CASE("utf8.replacement_keeps_what_is_well_formed", "[utf8]") {
  CHECK(aa::replace_invalid_utf8("") == "");
  CHECK(aa::replace_invalid_utf8("\xEF\xBB\xBF" "bom") == "\xEF\xBB\xBF" "bom");  // a BOM is kept
  CHECK(aa::replace_invalid_utf8("caf\xC3\xA9 \xFF na\xC3\xAFve") ==
        "caf\xC3\xA9 " + std::string(fffd) + " na\xC3\xAFve");
  STATIC_REQUIRE(aa::is_valid_utf8("plain ascii"));
  STATIC_REQUIRE_FALSE(aa::is_valid_utf8("\xC3"));
}
