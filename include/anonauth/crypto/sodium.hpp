// anonauth/crypto/sodium.hpp: the libsodium primitives anonauth relies on.
//
// Tokens and ids come from the CSPRNG (randombytes_buf), tokens are stored as SHA-256 digests,
// digests are compared in constant time (sodium_memcmp), passwords are hashed with Argon2id.
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

/// The default random source: libsodium's CSPRNG.
struct sodium_random {
  sodium_random() { ensure_initialised(); }
  void fill(std::span<std::uint8_t> out) const { randombytes_buf(out.data(), out.size()); }
};

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

/// Argon2id (libsodium's crypto_pwhash_str) with its cost as template arguments. The default is
/// libsodium's INTERACTIVE level; tests use `argon2id<1, 8192>` to stay fast.
template <unsigned long long OpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE,
          std::size_t MemLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE>
struct argon2id {
  static_assert(OpsLimit >= crypto_pwhash_OPSLIMIT_MIN && MemLimit >= crypto_pwhash_MEMLIMIT_MIN,
                "[anonauth.E120] argon2id cost is below libsodium's minimum");

  argon2id() { ensure_initialised(); }

  /// An encoded Argon2id string (algorithm, cost and salt included).
  [[nodiscard]] std::string hash(std::string_view password) const {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), OpsLimit, MemLimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
      throw std::runtime_error("anonauth: Argon2id hashing ran out of memory");
    return std::string(out);
  }

  /// Whether `password` matches `encoded`; runs in time independent of where they differ.
  [[nodiscard]] bool verify(std::string_view encoded, std::string_view password) const {
    std::string terminated(encoded);  // crypto_pwhash_str_verify wants a NUL-terminated string
    return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
  }
};

}  // namespace anonauth::crypto

namespace anonauth {
using crypto::argon2id;
using crypto::sodium_random;
}  // namespace anonauth
