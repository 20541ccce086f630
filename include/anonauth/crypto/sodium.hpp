// anonauth/crypto/sodium.hpp: the libsodium primitives anonauth relies on.
//
// Tokens and ids come from the CSPRNG (randombytes_buf), tokens are stored as SHA-256 digests,
// digests are compared in constant time (sodium_memcmp), passwords are hashed with Argon2id.
#pragma once

#include <anonauth/core/types.hpp>

#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <optional>
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

/// The lowest Argon2id cost aa::argon2id accepts by default: OWASP's minimum for Argon2id
/// (19 MiB of memory, 2 passes, one lane).
struct owasp_minimum_cost {
  static constexpr unsigned long long ops = 2;
  static constexpr std::size_t mem = std::size_t{19} * 1024 * 1024;
};

/// For tests only: libsodium's absolute minimum (1 pass, 8 KiB), so that a test's hash takes
/// microseconds. A password hashed at this cost falls to a GPU in seconds.
struct insecure_test_cost {
  static constexpr unsigned long long ops = crypto_pwhash_OPSLIMIT_MIN;
  static constexpr std::size_t mem = crypto_pwhash_MEMLIMIT_MIN;
};

/// Argon2id (libsodium's crypto_pwhash_str) with its cost as template arguments. The default is
/// libsodium's INTERACTIVE level (64 MiB, 2 passes); a cost below `Floor` (OWASP's minimum) is
/// E120. Tests use `argon2id<1, 8192, insecure_test_cost>` to stay fast.
template <unsigned long long OpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE,
          std::size_t MemLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE, class Floor = owasp_minimum_cost>
struct argon2id {
  static_assert(OpsLimit >= Floor::ops && MemLimit >= Floor::mem && OpsLimit >= crypto_pwhash_OPSLIMIT_MIN &&
                    MemLimit >= crypto_pwhash_MEMLIMIT_MIN,
                "[anonauth.E120] argon2id cost is below OWASP's minimum (19 MiB, 2 passes); tests may lower "
                "the floor with aa::insecure_test_cost");

  static constexpr unsigned long long ops_limit = OpsLimit;
  static constexpr std::size_t mem_limit = MemLimit;

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

  /// Whether `encoded` was made at a lower cost than this hasher's (less memory or fewer
  /// passes), or is no Argon2id string this hasher could have made: a sign-in that verified
  /// it stores a fresh hash. A higher stored cost is kept (lowering the cost weakens nothing
  /// already stored).
  [[nodiscard]] bool needs_rehash(std::string_view encoded) const {
    // $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>
    constexpr std::string_view prefix = "$argon2id$v=19$m=";
    if (encoded.substr(0, prefix.size()) != prefix) return true;
    std::string_view rest = encoded.substr(prefix.size());
    auto number = [&rest](std::string_view label) -> std::optional<unsigned long long> {
      if (!label.empty()) {
        if (rest.substr(0, label.size()) != label) return std::nullopt;
        rest.remove_prefix(label.size());
      }
      unsigned long long value = 0;
      std::size_t digits = 0;
      while (digits < rest.size() && digits < 19 && rest[digits] >= '0' && rest[digits] <= '9')
        value = value * 10 + static_cast<unsigned long long>(rest[digits++] - '0');
      if (digits == 0) return std::nullopt;
      rest.remove_prefix(digits);
      return value;
    };
    const auto kib = number("");
    const auto passes = number(",t=");
    if (!kib || !passes) return true;
    return *kib < MemLimit / 1024 || *passes < OpsLimit;
  }
};

}  // namespace anonauth::crypto

namespace anonauth {
using crypto::argon2id;
using crypto::insecure_test_cost;
using crypto::owasp_minimum_cost;
using crypto::sodium_random;
}  // namespace anonauth
