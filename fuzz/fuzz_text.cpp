// libFuzzer harness: the pure input rules against the slow references of fuzz/reference.hpp, on
// arbitrary bytes (the whole input, then pieces of it):
// - aa::is_valid_utf8 against a decoder written from the Unicode definition;
// - aa::utf16_length against UTF-16 units of the decoded code points (for well-formed UTF-8; for
//   other bytes, bounds only);
// - aa::check_text, with every limit and both control modes, against the rules' statement;
// - aa::is_valid_email against Better Auth's regular expression run by std::regex;
// - aa::to_lower_ascii against a table lookup;
// - the rate limiter's address keys (aa::detail::rate_limit_key) against an address parser
//   written from RFC 4291 and inet_pton's documented forms.
// Any disagreement aborts with the input.
#include "common.hpp"

#include <anonauth/policy/rate_limit.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace fuzz;

std::string key_text(const std::array<std::uint8_t, 16>& key) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (auto b : key) {
    out += hex[b >> 4];
    out += hex[b & 0xF];
  }
  return out;
}

void check(std::string_view s, std::size_t max_bytes) {
  const std::string shown = printable(s);

  const auto code_points = reference::decode_utf8(s);
  FUZZ_REQUIRE(aa::is_valid_utf8(s) == code_points.has_value(),
               "is_valid_utf8(" + shown + ") = " + (aa::is_valid_utf8(s) ? "true" : "false"));

  const std::size_t units = aa::utf16_length(s);
  if (code_points) {
    FUZZ_REQUIRE(units == reference::utf16_units(*code_points),
                 "utf16_length(" + shown + ") = " + std::to_string(units) + ", expected " +
                     std::to_string(reference::utf16_units(*code_points)));
  } else {
    // Every byte counts one unit at most, and every four bytes at least one.
    FUZZ_REQUIRE(units <= s.size() && 4 * units >= s.size(), "utf16_length(" + shown + ") = " + std::to_string(units));
  }

  for (const bool allow_control : {false, true}) {
    for (const std::size_t limit : {max_bytes, s.size(), s.size() == 0 ? std::size_t{0} : s.size() - 1,
                                    std::string_view::npos}) {
      const auto got = aa::check_text(s, limit, allow_control);
      const auto want = reference::check_text(s, limit, allow_control);
      FUZZ_REQUIRE(got == want, "check_text(" + shown + ", " + std::to_string(limit) + ", " +
                                    (allow_control ? "true" : "false") + ") = " + std::to_string(int(got)) +
                                    ", expected " + std::to_string(int(want)));
    }
  }

  if (s.size() <= 400) {
    const bool got = aa::is_valid_email(s);
    FUZZ_REQUIRE(got == reference::is_valid_email(s), "is_valid_email(" + shown + ") = " + (got ? "true" : "false"));
  }

  FUZZ_REQUIRE(aa::to_lower_ascii(s) == reference::lower_ascii(s), "to_lower_ascii(" + shown + ")");

  const auto got_key = aa::detail::rate_limit_key(s);
  const auto want_key = reference::key_of(s);
  FUZZ_REQUIRE(got_key == want_key,
               "rate_limit_key(" + shown + ") = " + key_text(got_key) + ", expected " + key_text(want_key));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz::guarded([&] {
    const std::string_view whole(reinterpret_cast<const char*>(data), size);
    check(whole, 64);
    // Pieces split at '\n': many short strings per input, as a seed file lists them.
    FuzzedDataProvider in(data, size);
    std::string_view rest = whole;
    while (!rest.empty()) {
      const std::size_t end = rest.find('\n');
      check(rest.substr(0, end), in.ConsumeIntegralInRange<std::size_t>(0, 300));
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
    }
  });
}
