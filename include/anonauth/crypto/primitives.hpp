// anonauth/crypto/primitives.hpp: the libsodium primitives anonauth relies on.
//
// Tokens and ids come from the CSPRNG (randombytes_buf), tokens are stored as SHA-256 digests,
// digests are compared in constant time (sodium_memcmp). This folder holds anonauth's use of
// libsodium: these primitives and the sodium-backed policy models (sodium_random.hpp,
// argon2id.hpp).
#pragma once

#include <anonauth/core/types.hpp>

#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace anonauth::crypto {

/// Initialises libsodium once per process; thread-safe, cheap after the first call.
inline void ensure_initialised() {
  static const bool ready = [] {
    if (sodium_init() < 0) throw std::runtime_error("anonauth: libsodium failed to initialise");
    return true;
  }();
  (void)ready;
}

inline constexpr std::string_view alphanumeric_alphabet =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
inline constexpr std::string_view lower_alphanumeric_alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

/// `length` characters drawn uniformly from `alphabet` (at most 256 symbols) with rejection
/// sampling, so no symbol is favoured (Better Auth's generateId does the same).
template <class Random>
std::string random_string(Random& random, std::size_t length, std::string_view alphabet = alphanumeric_alphabet) {
  const std::size_t symbols = alphabet.size();
  if (symbols == 0 || symbols > 256) throw std::invalid_argument("anonauth: an alphabet has 1 to 256 symbols");
  const std::size_t limit = 256 - (256 % symbols);  // bytes at or above it are discarded
  std::string out;
  out.reserve(length);
  std::uint8_t buffer[64];
  while (out.size() < length) {
    random.fill(std::span<std::uint8_t>(buffer));
    for (std::uint8_t byte : buffer) {
      if (byte >= limit) continue;
      out.push_back(alphabet[byte % symbols]);
      if (out.size() == length) break;
    }
  }
  return out;
}

/// SHA-256 of a token: what storage keeps instead of the token.
inline token_hash hash_token(std::string_view token) {
  token_hash out{};
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return out;
}

/// Constant-time equality of two digests.
inline bool equal_digests(const token_hash& a, const token_hash& b) noexcept {
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace anonauth::crypto
