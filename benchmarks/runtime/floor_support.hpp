// What both floors (memory_floor.cpp, sqlite_floor.cpp) share: ids, tokens and digests made as
// anonauth makes them, so a floor does the same CPU work outside its storage. No anonauth code:
// a floor is what an engineer would write without the library.
#pragma once

#include <sodium.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace floor_support {

using digest = std::array<unsigned char, crypto_hash_sha256_BYTES>;

/// The user row of the benchmark schema (bench_schema.hpp), times in Unix milliseconds.
struct user_row {
  std::string id, name, email;
  bool email_verified = false;
  std::optional<std::string> image;
  bool is_anonymous = false;
  std::int64_t created_at = 0, updated_at = 0;
  std::optional<std::string> bio;
};

constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// `length` characters of [a-zA-Z0-9] from libsodium's CSPRNG, by rejection sampling (bytes at or
/// above the largest multiple of 62 are discarded, so no character is favoured).
inline std::string random_string(std::size_t length) {
  const std::size_t limit = 256 - (256 % alphabet.size());
  std::string out;
  out.reserve(length);
  std::uint8_t buffer[64];
  while (out.size() < length) {
    randombytes_buf(buffer, sizeof buffer);
    for (std::uint8_t byte : buffer) {
      if (byte >= limit) continue;
      out.push_back(alphabet[byte % alphabet.size()]);
      if (out.size() == length) break;
    }
  }
  return out;
}

/// SHA-256 of a token: what is stored instead of the token.
inline digest sha256(std::string_view s) {
  digest out{};
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(s.data()), s.size());
  return out;
}

inline std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

/// Milliseconds since the Unix epoch: every stored time.
inline std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr std::int64_t session_lifetime_ms = 7LL * 24 * 3600 * 1000;  // 7 days
constexpr std::int64_t session_update_age_ms = 24LL * 3600 * 1000;    // extended after 1 day

}  // namespace floor_support
