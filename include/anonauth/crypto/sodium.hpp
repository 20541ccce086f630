// anonauth/crypto/sodium.hpp: everything anonauth takes from libsodium. The primitives are in
// crypto/primitives.hpp, the default random source in crypto/sodium_random.hpp, the default
// password hasher in crypto/argon2id.hpp.
#pragma once

#include <anonauth/crypto/argon2id.hpp>
#include <anonauth/crypto/primitives.hpp>
#include <anonauth/crypto/sodium_random.hpp>
