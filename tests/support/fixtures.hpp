// Shared test fixtures: the seed application's rows and schema, a manual clock, fast password
// hashing, and small helpers around request contexts and storage inspection.
//
//   fixtures::manual_clock clock;
//   fixtures::default_auth auth{aa::memory_storage::config{}, clock};
//   auto guest = auth.sign_in_anonymous(fixtures::no_session());
//   clock.advance(std::chrono::days{8});   // the auth's copy of the clock sees it too
#pragma once

#include <anonauth/anonauth.hpp>

#include "seed.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aa = anonauth;

namespace fixtures {

// --- the seed application (seed.hpp) ----------------------------------------------------------

using seed::app_schema;
using seed::cart_item;
using seed::draft;
using seed::seed_link;
using seed::user;

// --- policies ----------------------------------------------------------------------------------

/// A clock that only moves when told to. Copies share one time, so the copy handed to an
/// anonymous_auth follows the test's `advance` calls. Its monotonic side (`steady_now`, what
/// rate limits read) moves with `advance` only: `set` steps the wall clock, as an operator or
/// NTP would, and leaves it alone.
class manual_clock {
 public:
  /// 2026-01-01T00:00:00Z: a fixed, recognisable start.
  static constexpr std::int64_t start_ms = 1'767'225'600'000;

  manual_clock()
      : now_ms_(std::make_shared<std::atomic<std::int64_t>>(start_ms)),
        steady_ms_(std::make_shared<std::atomic<std::int64_t>>(1'000'000)) {}

  [[nodiscard]] aa::timestamp now() const { return aa::timestamp{std::chrono::milliseconds{now_ms_->load()}}; }
  [[nodiscard]] aa::monotonic_time steady_now() const {
    return aa::monotonic_time{std::chrono::milliseconds{steady_ms_->load()}};
  }

  void advance(std::chrono::milliseconds by) const {
    now_ms_->fetch_add(by.count());
    steady_ms_->fetch_add(by.count());
  }
  void set(aa::timestamp to) const { now_ms_->store(to.time_since_epoch().count()); }

  [[nodiscard]] static aa::timestamp start() { return aa::timestamp{std::chrono::milliseconds{start_ms}}; }

 private:
  std::shared_ptr<std::atomic<std::int64_t>> now_ms_;
  std::shared_ptr<std::atomic<std::int64_t>> steady_ms_;
};

/// Argon2id at libsodium's minimum cost: same code path, milliseconds instead of a second.
using fast_hasher = aa::argon2id<1, 8192, aa::insecure_test_cost>;

/// The anonymous_auth option that hashes with it.
using fast_hashing = aa::password_hasher<fast_hasher>;

// --- auth types --------------------------------------------------------------------------------

/// An auth over the seed schema with the manual clock and fast hashing, linking with `Link`.
template <class Link, class... Options>
using auth_with_link = aa::anonymous_auth<app_schema, aa::link<Link>, aa::clock<manual_clock>, fast_hashing,
                                          Options...>;

/// The same with the seed's link migration.
template <class... Options>
using test_auth = auth_with_link<seed_link, Options...>;

using default_auth = test_auth<>;

// --- requests ----------------------------------------------------------------------------------

inline constexpr std::string_view test_ip = "203.0.113.7";
inline constexpr std::string_view test_user_agent = "anonauth-tests/1.0";

/// A request that carries no session.
inline aa::request_context no_session() {
  return aa::request_context{std::nullopt, std::string(test_ip), std::string(test_user_agent)};
}

/// A request that carries the session token `token`.
inline aa::request_context with_token(std::string token) {
  return aa::request_context{std::move(token), std::string(test_ip), std::string(test_user_agent)};
}

inline constexpr std::string_view test_password = "correct-horse-battery";

inline aa::email_sign_up sign_up_body(std::string email, std::string name = "Test User",
                                      std::string password = std::string(test_password)) {
  return aa::email_sign_up{std::move(email), std::move(password), std::move(name), std::nullopt};
}

inline aa::social_profile google_profile(std::string account_id, std::string email, bool email_verified = true,
                                         std::string name = "First Last") {
  return aa::social_profile{"google", std::move(account_id), std::move(email), std::move(name), std::nullopt,
                            email_verified};
}

// --- storage inspection ------------------------------------------------------------------------

/// The stored session record of a raw token, looked up by its SHA-256 hash.
template <class Auth>
std::optional<aa::session_record> stored_session(Auth& auth, std::string_view token) {
  const aa::token_hash hash = aa::crypto::hash_token(token);
  return auth.storage().read([&](const auto& tx) { return tx.find_session(hash); });
}

template <class Auth>
std::vector<aa::account> accounts_of(Auth& auth, std::string_view user_id) {
  return auth.storage().read([&](const auto& tx) { return tx.accounts_of_user(user_id); });
}

template <class Auth>
std::size_t user_count(Auth& auth) {
  return auth.template table<user>().count();
}

/// How many cart items `owner` has, and how many drafts `author` wrote.
template <class Auth>
std::size_t carts_of(Auth& auth, const std::string& owner) {
  return auth.template table<cart_item>().template find_by<&cart_item::user_id>(owner).size();
}

template <class Auth>
std::size_t drafts_of(Auth& auth, const std::string& author) {
  return auth.template table<draft>().template find_by<&draft::author_id>(author).size();
}

// --- text ----------------------------------------------------------------------------------------

inline bool is_lower_alnum(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

inline bool is_alnum(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

}  // namespace fixtures

/// Requires that an aa::result holds exactly this error. For Catch2 test bodies (the file that
/// uses it includes "catch.hpp"); a macro so that failures point at the caller's line.
#define REQUIRE_REFUSED(result_expr, code_text, message_text, status_value) \
  do {                                                                       \
    const auto& refused_ = (result_expr);                                    \
    REQUIRE_FALSE(refused_.has_value());                                     \
    CHECK(refused_.error().code() == std::string_view(code_text));           \
    CHECK(refused_.error().message() == std::string_view(message_text));     \
    CHECK(refused_.error().status() == (status_value));                      \
  } while (false)
