// anonauth/policy/crypto.hpp: the password hasher, clock, session and random source concepts,
// and Better Auth's session policy. Each concept now has its header (policy/password_hasher.hpp,
// clock.hpp, session.hpp, random.hpp), the session model is in sessions/better_auth.hpp.
#pragma once

#include <anonauth/policy/clock.hpp>
#include <anonauth/policy/password_hasher.hpp>
#include <anonauth/policy/random.hpp>
#include <anonauth/policy/session.hpp>
#include <anonauth/sessions/better_auth.hpp>
