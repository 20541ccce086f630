// anonauth/http/cookies.hpp: reading, writing and signing cookies as Better Auth (better-call) does.
//
// Better Auth's session cookie holds `encodeURIComponent(token + "." + base64(HMAC-SHA256(secret,
// token)))`. A server that is to read the cookies Better Auth's browser client sends back, and
// set cookies it accepts, needs the same parser, serialiser and signature:
//
//   aa::http::cookie_signer signer(secret);
//   res.add_header("Set-Cookie", aa::http::set_cookie_value(
//       "better-auth.session_token", aa::http::percent_encode_component(signer.sign(token)),
//       {.max_age = std::chrono::days(7)}));
//   // ... on a later request:
//   if (auto raw = aa::http::find_cookie(req, "better-auth.session_token"))
//     if (auto token = signer.verify(aa::http::decode_cookie_value(*raw))) ...  // *token is the token
#pragma once

#include <anonauth/crypto/sodium.hpp>
#include <anonauth/http/message.hpp>
#include <anonauth/http/url.hpp>

#include <sodium.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace anonauth::http {

namespace detail {

/// ASCII whitespace, what JavaScript's String.prototype.trim removes from a header that holds
/// only ASCII (it would also remove U+00A0 and other Unicode spaces).
constexpr bool is_cookie_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
constexpr std::string_view trim_cookie_space(std::string_view s) noexcept {
  while (!s.empty() && is_cookie_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_cookie_space(s.back())) s.remove_suffix(1);
  return s;
}

/// better-call's parseCookies loop: calls `f(name, value)` for each `name=value` piece of a
/// Cookie header, in order, until `f` returns true. A piece without '=' is skipped; name and
/// value are trimmed; a value starting with '"' loses its first and last character (JavaScript's
/// `slice(1, -1)`, whether or not the last one is a quote). Returns whether `f` stopped it.
template <class F>
bool for_each_cookie(std::string_view s, F&& f) {
  std::size_t index = 0;
  while (index < s.size()) {
    const auto eq = s.find('=', index);
    if (eq == std::string_view::npos) break;
    auto end = s.find(';', index);
    if (end == std::string_view::npos) {
      end = s.size();
    } else if (end < eq) {
      // The pieces before this '=' have no '=' of their own: skip to the last ';' before it.
      index = s.rfind(';', eq - 1) + 1;
      continue;
    }
    const std::string_view name = trim_cookie_space(s.substr(index, eq - index));
    std::string_view value = trim_cookie_space(s.substr(eq + 1, end - eq - 1));
    if (!value.empty() && value.front() == '"') value = value.substr(1, value.size() >= 2 ? value.size() - 2 : 0);
    if (f(name, value)) return true;
    index = end + 1;
  }
  return false;
}

/// Refuses what would let a cookie's text break out of its Set-Cookie line or attribute.
inline void check_cookie_text(std::string_view what, std::string_view text, bool allow_equals = true) {
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x1F || b == 0x7F || c == ';' || (!allow_equals && c == '='))
      throw std::invalid_argument("anonauth: cookie " + std::string(what) + " \"" + std::string(text) +
                                  "\" contains a control character, ';'" + (allow_equals ? "" : " or '='"));
  }
}

}  // namespace detail

// ---- Reading cookies ----------------------------------------------------------------------

/// The cookies of one Cookie header value as (name, raw value) pairs, in order, as better-call's
/// parseCookies reads them (see detail::for_each_cookie); a repeated name keeps its first
/// value only, as there. Values are not percent-decoded (see decode_cookie_value). The views
/// point into `header`.
inline std::vector<std::pair<std::string_view, std::string_view>> parse_cookie_header(std::string_view header) {
  std::vector<std::pair<std::string_view, std::string_view>> cookies;
  std::unordered_set<std::string_view> seen;
  detail::for_each_cookie(header, [&](std::string_view name, std::string_view value) {
    if (seen.insert(name).second) cookies.emplace_back(name, value);
    return false;
  });
  return cookies;
}

/// The raw value of the first cookie called `name` (compared exactly) over every Cookie header
/// of the request, in order: what better-call sees once Node has joined repeated Cookie lines
/// with "; " (HTTP/2 sends one line per cookie). The view points into `req`.
inline std::optional<std::string_view> find_cookie(const request& req, std::string_view name) {
  std::optional<std::string_view> found;
  for (const auto& h : req.headers) {
    if (!iequals(h.name, "cookie")) continue;
    const bool stop = detail::for_each_cookie(h.value, [&](std::string_view n, std::string_view value) {
      if (n != name) return false;
      found = value;
      return true;
    });
    if (stop) break;
  }
  return found;
}

/// better-call's tryDecode: a value with a '%' is decodeURIComponent'ed, and kept as it came if
/// that fails; one without '%' is kept.
inline std::string decode_cookie_value(std::string_view raw) {
  if (raw.find('%') == std::string_view::npos) return std::string(raw);
  if (auto decoded = percent_decode(raw)) return std::move(*decoded);
  return std::string(raw);
}

// ---- Writing cookies ----------------------------------------------------------------------

/// The attributes of a Set-Cookie line; the defaults are those of Better Auth's session cookie
/// over http. An empty `domain` or `path` or `same_site` is left out.
struct cookie_attributes {
  /// Absent: a session cookie (gone when the browser closes). Zero expires the cookie.
  std::optional<std::chrono::seconds> max_age;
  std::string domain;
  std::string path = "/";
  bool http_only = true;
  bool secure = false;
  /// "Lax", "Strict" or "None"; its first letter is upper-cased on output, as better-call does.
  std::string same_site = "Lax";
  bool partitioned = false;
};

/// The 400 days that RFC 6265bis caps a cookie's lifetime at; better-call refuses more.
inline constexpr std::chrono::seconds max_cookie_age{34'560'000};

/// The text of one Set-Cookie header: `name=value; Max-Age=N; Domain=D; Path=P; HttpOnly;
/// Secure; SameSite=S; Partitioned`, in that order, each part only when set, as better-call's
/// serializer writes it. `value` is written as given: encode it first (percent_encode_component).
/// better-call's name-prefix rules apply: a `__Secure-` name (any letter case) forces Secure; a
/// `__Host-` name forces Secure, Path=/ and no Domain; SameSite=None (any case) or Partitioned
/// force Secure, since browsers drop such cookies without it.
/// Throws std::invalid_argument when max_age is over 400 days (better-call throws too) or
/// negative (better-call silently leaves Max-Age out, turning the cookie into a session cookie),
/// and when a part holds a control character or ';' (or the name is empty or holds '='), which
/// better-call does not check.
inline std::string set_cookie_value(std::string_view name, std::string_view value, const cookie_attributes& attributes) {
  if (name.empty()) throw std::invalid_argument("anonauth: a cookie needs a name");
  detail::check_cookie_text("name", name, false);
  detail::check_cookie_text("value", value);
  detail::check_cookie_text("domain", attributes.domain);
  detail::check_cookie_text("path", attributes.path);
  detail::check_cookie_text("SameSite", attributes.same_site);

  std::string domain = attributes.domain, path = attributes.path;
  bool secure = attributes.secure;
  const std::string lower_name = detail::ascii_lower(name);
  if (lower_name.starts_with("__host-")) {
    secure = true;
    path = "/";
    domain.clear();
  } else if (lower_name.starts_with("__secure-")) {
    secure = true;
  }
  if (attributes.partitioned || detail::iequals_ascii(attributes.same_site, "none")) secure = true;

  std::string out;
  out.reserve(name.size() + value.size() + 96);
  out.append(name).append("=").append(value);
  if (attributes.max_age) {
    const auto seconds = *attributes.max_age;
    if (seconds < std::chrono::seconds::zero())
      throw std::invalid_argument("anonauth: a cookie's Max-Age cannot be negative (use 0 to expire it)");
    if (seconds > max_cookie_age)
      throw std::invalid_argument("anonauth: a cookie's Max-Age cannot exceed 400 days (34560000 seconds)");
    out.append("; Max-Age=").append(std::to_string(seconds.count()));
  }
  if (!domain.empty()) out.append("; Domain=").append(domain);
  if (!path.empty()) out.append("; Path=").append(path);
  if (attributes.http_only) out.append("; HttpOnly");
  if (secure) out.append("; Secure");
  if (!attributes.same_site.empty()) {
    out.append("; SameSite=");
    char first = attributes.same_site[0];
    if (first >= 'a' && first <= 'z') first = static_cast<char>(first - 'a' + 'A');
    out.push_back(first);
    out.append(std::string_view(attributes.same_site).substr(1));
  }
  if (attributes.partitioned) out.append("; Partitioned");
  return out;
}

// ---- Signed cookies -----------------------------------------------------------------------

/// Better Auth's cookie signature: `value + "." + base64(HMAC-SHA256(secret, value))`, the key
/// being the bytes of the secret string (any length; HMAC hashes keys over 64 bytes).
///
/// verify() mirrors better-call's getSignedCookie on the already decoded cookie value: it splits
/// at the last '.', which must not be the first character; the signature must be 44 characters
/// ending in '=' and 43 standard base64 characters before it, whose 32 bytes must equal the MAC
/// (compared in constant time). As JavaScript's atob does, the two unused low bits of the last
/// base64 character are ignored. Anything else is nullopt; verify() never throws.
class cookie_signer {
 public:
  /// Throws std::invalid_argument for an empty secret.
  explicit cookie_signer(std::string_view secret) {
    if (secret.empty()) throw std::invalid_argument("anonauth: the cookie secret cannot be empty");
    crypto::ensure_initialised();
    // Keyed once: each MAC starts from a copy of this state instead of re-hashing the key.
    crypto_auth_hmacsha256_init(&keyed_, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  }
  cookie_signer(const cookie_signer&) = default;
  cookie_signer& operator=(const cookie_signer&) = default;
  ~cookie_signer() { sodium_memzero(&keyed_, sizeof keyed_); }

  /// `value + "." + signature`, the signature 44 characters of standard base64 with padding.
  [[nodiscard]] std::string sign(std::string_view value) const {
    const auto digest = mac(value);
    char base64[signature_length + 1];
    sodium_bin2base64(base64, sizeof base64, digest.data(), digest.size(), sodium_base64_VARIANT_ORIGINAL);
    std::string out;
    out.reserve(value.size() + 1 + signature_length);
    out.append(value).append(".").append(base64, signature_length);
    return out;
  }

  /// The value that `signed_value` signs, if its signature is right.
  [[nodiscard]] std::optional<std::string> verify(std::string_view signed_value) const noexcept {
    try {
      const auto dot = signed_value.rfind('.');
      if (dot == std::string_view::npos || dot == 0) return std::nullopt;
      const std::string_view value = signed_value.substr(0, dot);
      const std::string_view signature = signed_value.substr(dot + 1);
      if (signature.size() != signature_length || signature.back() != '=') return std::nullopt;
      char canonical[signature_length];
      for (std::size_t i = 0; i < signature_length; ++i) canonical[i] = signature[i];
      // Clear the padding bits of the last data character, so that libsodium's strict decoder
      // accepts what atob accepts; the MAC check below is what decides.
      const int last = base64_value(canonical[signature_length - 2]);
      if (last < 0) return std::nullopt;
      canonical[signature_length - 2] = base64_alphabet[static_cast<std::size_t>(last & ~3)];
      std::array<unsigned char, crypto_auth_hmacsha256_BYTES> given{};
      std::size_t length = 0;
      if (sodium_base642bin(given.data(), given.size(), canonical, signature_length, nullptr, &length, nullptr,
                            sodium_base64_VARIANT_ORIGINAL) != 0 ||
          length != given.size())
        return std::nullopt;
      const auto expected = mac(value);
      if (sodium_memcmp(given.data(), expected.data(), expected.size()) != 0) return std::nullopt;
      return std::string(value);
    } catch (...) {  // only std::bad_alloc can get here
      return std::nullopt;
    }
  }

 private:
  static constexpr std::size_t signature_length = 44;  // base64 of 32 bytes, one '=' of padding
  static constexpr std::string_view base64_alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  static constexpr int base64_value(char c) noexcept {
    const auto i = base64_alphabet.find(c);
    return i == std::string_view::npos ? -1 : static_cast<int>(i);
  }

  [[nodiscard]] std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac(std::string_view value) const noexcept {
    crypto_auth_hmacsha256_state state = keyed_;
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(value.data()), value.size());
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> out{};
    crypto_auth_hmacsha256_final(&state, out.data());
    sodium_memzero(&state, sizeof state);
    return out;
  }

  crypto_auth_hmacsha256_state keyed_{};
};

}  // namespace anonauth::http
