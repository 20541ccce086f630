// anonauth/crypto/sodium_random.hpp: the default random source (a model of
// anonauth::random_policy, policy/random.hpp).
#pragma once

#include <anonauth/crypto/primitives.hpp>

#include <sodium.h>

#include <cstdint>
#include <span>

namespace anonauth::crypto {

/// The default random source: libsodium's CSPRNG.
struct sodium_random {
  sodium_random() { ensure_initialised(); }
  void fill(std::span<std::uint8_t> out) const { randombytes_buf(out.data(), out.size()); }
};

}  // namespace anonauth::crypto

namespace anonauth {
using crypto::sodium_random;
}  // namespace anonauth
