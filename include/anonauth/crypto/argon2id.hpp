// anonauth/crypto/argon2id.hpp: the default password hasher (a model of
// anonauth::password_hasher_policy, policy/password_hasher.hpp), Argon2id with its cost checked
// at compile time (E120).
#pragma once

#include <anonauth/crypto/primitives.hpp>
#include <anonauth/diag/policies.hpp>

#include <sodium.h>

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace anonauth::crypto {

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
  static_assert(diag::report<diag::unless_t<OpsLimit >= Floor::ops && MemLimit >= Floor::mem &&
                                                 OpsLimit >= crypto_pwhash_OPSLIMIT_MIN &&
                                                 MemLimit >= crypto_pwhash_MEMLIMIT_MIN,
                                             diag::argon2id_cost_too_low<OpsLimit, MemLimit>>>());

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
}  // namespace anonauth
