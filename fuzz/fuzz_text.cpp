// libFuzzer harness: the pure input rules against the slow references of fuzz/reference.hpp, on
// arbitrary bytes (the whole input, then pieces of it):
// - aa::is_valid_utf8 against a decoder written from the Unicode definition;
// - aa::utf16_length against UTF-16 units of the decoded code points (for well-formed UTF-8; for
//   other bytes, bounds only);
// - aa::check_text, with every limit and both control modes, against the rules' statement;
// - aa::is_valid_email against Better Auth's regular expression run by std::regex;
// - aa::to_lower_ascii against a table lookup;
// - the rate limiter's address keys (aa::detail::rate_limit_keys) against an address parser
//   written from RFC 4291 and inet_pton's documented forms and keys written from the header's
//   statement: IPv4, IPv4 carried in IPv6 (mapped, NAT64, 6to4, Teredo), the /64, /56 and /48 of
//   other IPv6, zones, the unknown key; and each key's rate class (rate_limit_key_class).
//   Besides the input's text, addresses built from its bytes (embedding prefixes, near misses
//   of them, every textual form) reach the mappings that random text rarely spells.
// Any disagreement aborts with the input.
#include "common.hpp"

#include <anonauth/policy/rate_limit.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

std::string keys_text(const std::vector<reference::rate_limit_key>& keys) {
  std::string out = "{";
  for (const auto& key : keys) out += (out.size() > 1 ? ", " : "") + key_text(key);
  return out + "}";
}

std::vector<reference::rate_limit_key> keys_vector(const aa::detail::rate_limit_keys_type& k) {
  std::vector<reference::rate_limit_key> out;
  for (std::size_t i = 0; i < k.count && i < k.keys.size(); ++i) out.push_back(k.keys[i]);
  return out;
}

void check_keys(std::string_view s) {
  const std::string shown = printable(s);
  const auto got = aa::detail::rate_limit_keys(s);
  FUZZ_REQUIRE(got.count == 1 || got.count == 3, "rate_limit_keys(" + shown + ").count = " + std::to_string(got.count));
  const auto want = reference::keys_of(s);
  FUZZ_REQUIRE(keys_vector(got) == want,
               "rate_limit_keys(" + shown + ") = " + keys_text(keys_vector(got)) + ", expected " + keys_text(want));
  // The table picks a bucket's rate by its key alone: a key's class must be its position.
  for (std::size_t i = 0; i < got.count; ++i)
    FUZZ_REQUIRE(aa::detail::rate_limit_key_class(got.keys[i]) == (got.count == 3 ? i : 0),
                 "rate_limit_key_class(" + key_text(got.keys[i]) + ") of key " + std::to_string(i) + " of " + shown);
  // Keys past count are left zero, so that defaulted operator== compares only what counts.
  for (std::size_t i = got.count; i < got.keys.size(); ++i)
    FUZZ_REQUIRE(got.keys[i] == reference::rate_limit_key{}, "rate_limit_keys(" + shown + "): key past count");
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

  check_keys(s);
}

/// 16 address bytes from the input: under one of the prefixes that carry IPv4 (or a near miss
/// of one, a prefix bit flipped), or arbitrary.
std::array<std::uint8_t, 16> address_bytes(FuzzedDataProvider& in) {
  struct prefix {
    std::array<std::uint8_t, 16> bytes;
    std::size_t bits;
  };
  static const std::array<prefix, 4> prefixes{{
      {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF}, 96},  // ::ffff:0:0/96
      {{0, 0x64, 0xFF, 0x9B}, 96},                        // 64:ff9b::/96
      {{0x20, 0x02}, 16},                                 // 2002::/16
      {{0x20, 0x01, 0, 0}, 32},                           // 2001:0::/32
  }};
  std::array<std::uint8_t, 16> bytes{};
  for (auto& b : bytes) b = in.ConsumeIntegral<std::uint8_t>();
  const std::size_t kind = in.ConsumeIntegralInRange<std::size_t>(0, 2 * prefixes.size() + 1);
  if (kind >= 2 * prefixes.size()) return bytes;  // arbitrary
  const prefix& p = prefixes[kind / 2];
  for (std::size_t bit = 0; bit < p.bits; ++bit) {
    const auto mask = static_cast<std::uint8_t>(0x80u >> (bit % 8));
    bytes[bit / 8] = static_cast<std::uint8_t>((bytes[bit / 8] & ~mask) | (p.bytes[bit / 8] & mask));
  }
  if (kind % 2 == 1) {  // a near miss
    const std::size_t bit = in.ConsumeIntegralInRange<std::size_t>(0, p.bits - 1);
    bytes[bit / 8] = static_cast<std::uint8_t>(bytes[bit / 8] ^ (0x80u >> (bit % 8)));
  }
  return bytes;
}

/// `bytes` as text in one of IPv6's forms (RFC 4291, 2.2): groups with or without leading zeros
/// in either case, one run of zero groups written "::" or not, the last 32 bits in dotted decimal
/// or not.
std::string address_text(FuzzedDataProvider& in, const std::array<std::uint8_t, 16>& bytes) {
  static constexpr char lower[] = "0123456789abcdef";
  static constexpr char upper[] = "0123456789ABCDEF";
  std::array<unsigned, 8> g{};
  for (std::size_t i = 0; i < 8; ++i) g[i] = unsigned{bytes[2 * i]} << 8 | bytes[2 * i + 1];
  const bool dotted = in.ConsumeBool();
  const std::size_t groups = dotted ? 6 : 8;
  // The zero run to compress: one of the runs, chosen by the input (none if it says so).
  std::size_t run_start = groups, run_end = groups;
  std::vector<std::pair<std::size_t, std::size_t>> runs;
  for (std::size_t i = 0; i < groups;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < groups && g[j] == 0) ++j;
    runs.emplace_back(i, j);
    i = j;
  }
  if (!runs.empty()) {
    const std::size_t pick = in.ConsumeIntegralInRange<std::size_t>(0, runs.size());
    if (pick < runs.size()) {
      run_start = runs[pick].first;
      // Part of a run may be compressed too (at least one group).
      run_end = run_start + in.ConsumeIntegralInRange<std::size_t>(1, runs[pick].second - run_start);
    }
  }
  const char* digits = in.ConsumeBool() ? lower : upper;
  const bool padded = in.ConsumeBool();
  std::string out;
  for (std::size_t i = 0; i < groups; ++i) {
    if (i == run_start) {
      out += "::";
      i = run_end - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::string hex;
    for (int shift = 12; shift >= 0; shift -= 4) hex += digits[(g[i] >> shift) & 0xF];
    if (!padded) hex.erase(0, std::min(hex.find_first_not_of('0'), std::size_t{3}));
    out += hex;
  }
  if (dotted) {
    if (!out.empty() && out.back() != ':') out += ':';
    for (std::size_t i = 12; i < 16; ++i) out += std::to_string(bytes[i]) + (i < 15 ? "." : "");
  }
  return out;
}

/// An address built from the input, as text: IPv6 (see address_text), sometimes with a zone
/// (a bad one too), or IPv4. The reference parser must read an IPv6 one as its bytes, and the
/// library must key it as the reference does.
void check_built_address(FuzzedDataProvider& in) {
  const auto bytes = address_bytes(in);
  if (in.ConsumeIntegralInRange(0, 7) == 0) {
    const std::string v4 = std::to_string(bytes[0]) + "." + std::to_string(bytes[1]) + "." + std::to_string(bytes[2]) +
                           "." + std::to_string(bytes[3]);
    FUZZ_REQUIRE(reference::parse_ipv4(v4).has_value(), "reference::parse_ipv4(" + v4 + ") refused a built address");
    check_keys(v4);
    return;
  }
  const std::string address = address_text(in, bytes);
  const auto parsed = reference::parse_ipv6(address);
  FUZZ_REQUIRE(parsed && *parsed == bytes, "reference::parse_ipv6(" + address + ") misread a built address");
  std::string text = address;
  switch (in.ConsumeIntegralInRange(0, 7)) {
    case 0: text += "%eth0"; break;
    case 1: text += "%" + in.ConsumeRandomLengthString(8); break;  // empty, or with another %, too
    case 2: text += "%1%2"; break;
    default: break;
  }
  check_keys(text);
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
    // The same bytes again, read as the parts of built addresses.
    FuzzedDataProvider parts(data, size);
    for (int i = 0; i < 8 && parts.remaining_bytes() > 0; ++i) check_built_address(parts);
  });
}
