// anonauth/rate_limit/credential_limits.hpp: aa::credential_limits, limits configured at run time
// per operation, per email and over everything.
#pragma once

#include <anonauth/core/time.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/crypto/primitives.hpp>
#include <anonauth/rate_limit/bucket.hpp>
#include <anonauth/rate_limit/bucket_table.hpp>
#include <anonauth/rate_limit/keys.hpp>
#include <anonauth/rate_limit/request.hpp>
#include <anonauth/rate_limit/take_tokens.hpp>

#include <sodium.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace anonauth {

/// One limit: bursts of `max`, refilled continuously at `max` per `window`. `max == 0` switches
/// the rule off.
struct rate_rule {
  std::uint32_t max = 0;
  std::chrono::milliseconds window{0};

  friend constexpr bool operator==(const rate_rule&, const rate_rule&) = default;
};

/// aa::credential_limits' rules. The defaults: Better Auth's production limit of 3 requests per
/// 10 s per address on each /sign-in/* and /sign-up/* path, plus what Better Auth does not
/// have: a limit per email (10 sign-ins per 10 minutes naming one account, from anywhere: a
/// password guessed from many addresses gets 60 tries an hour, a user who mistypes gets 10 at
/// once) and a ceiling over everything (1000 a second).
struct credential_limits_config {
  rate_rule anonymous_sign_in{3, std::chrono::seconds{10}};  // per client address
  rate_rule email_sign_in{3, std::chrono::seconds{10}};
  rate_rule email_sign_up{3, std::chrono::seconds{10}};
  rate_rule social_sign_in{3, std::chrono::seconds{10}};
  rate_rule per_email{10, std::chrono::minutes{10}};  // email sign-ins naming one email, from all addresses together
  rate_rule global{1000, std::chrono::seconds{1}};    // every credential operation of every client: the ceiling
  std::uint32_t ipv6_56_factor = 4;   // a /56 gets this many times a /64's budget
  std::uint32_t ipv6_48_factor = 16;  // a /48 this many times
  std::size_t max_tracked = 16384;    // entries per table, allocated once

  friend constexpr bool operator==(const credential_limits_config&, const credential_limits_config&) = default;
};

/// Limits credential operations as credential_limits_config says: each operation per client
/// address (keyed and bounded as aa::per_ip: IPv6 by /64, /56 and /48 at once, a table of
/// max_tracked buckets per operation, allocated at construction), email sign-ins per email, and
/// every operation together under one ceiling. A request takes a token from each bucket that
/// applies, or from none. Emails are kept only as a keyed hash (BLAKE2b under a random key).
///
/// Movable (its state lives on the heap, so it can be handed to anonymous_auth's constructor),
/// not copyable; a moved-from limiter may only be destroyed or assigned to.
class credential_limits {
 public:
  static constexpr bool enabled = true;

  /// Better Auth's production limits (see credential_limits_config).
  credential_limits() : credential_limits(credential_limits_config{}) {}

  /// Throws std::invalid_argument for a rule with max > 0 and a window under 1 ms, a factor of
  /// 0, max_tracked 0 or above 2^30, or a rule too large for 64-bit arithmetic.
  explicit credential_limits(const credential_limits_config& config) : state_(std::make_unique<state>(config)) {}

  credential_limits(credential_limits&&) noexcept = default;
  credential_limits& operator=(credential_limits&&) noexcept = default;
  credential_limits(const credential_limits&) = delete;
  credential_limits& operator=(const credential_limits&) = delete;
  ~credential_limits() = default;

  /// Takes a token from every bucket of `request` that is switched on, at `now`: its operation's
  /// for its address (an operation outside the enumeration counts as anonymous_sign_in), its
  /// email's for an email sign-in with an email, the ceiling. std::nullopt if each had one,
  /// otherwise how long until they do. Allocates nothing.
  [[nodiscard]] std::optional<std::chrono::milliseconds> acquire(const rate_limit_request& request,
                                                                 monotonic_time now) {
    state& s = *state_;
    std::array<detail::bucket_claim, detail::max_bucket_claims> claims{};
    std::size_t count = 0;
    // Lock order: an operation's table, then the per-email table, then the ceiling.
    const auto op = static_cast<std::size_t>(request.operation);
    detail::bucket_table& by_address = s.by_operation[op < s.by_operation.size() ? op : 0];
    if (by_address.enabled()) claims[count++] = {&by_address, detail::rate_limit_keys(request.ip_address)};
    if (s.per_email.enabled() && request.operation == credential_operation::email_sign_in && !request.email.empty())
      claims[count++] = {&s.per_email, email_keys(s, request.email)};
    return detail::take_tokens(claims, count, s.global_on ? &s.global : nullptr,
                               static_cast<std::int64_t>(now.time_since_epoch().count()));
  }

  [[nodiscard]] const credential_limits_config& config() const noexcept { return state_->config; }

  /// How many buckets are remembered now, over every table.
  [[nodiscard]] std::size_t tracked() const {
    std::size_t total = state_->per_email.tracked();
    for (const detail::bucket_table& t : state_->by_operation) total += t.tracked();
    return total;
  }

 private:
  static void check(bool ok, const char* what) {
    if (!ok) throw std::invalid_argument(std::string("aa::credential_limits: ") + what);
  }

  /// The table of a rule: none if it is off; `factors` times its budget for IPv6 /56 and /48.
  static detail::bucket_table make_table(const rate_rule& rule, std::uint32_t factor_56, std::uint32_t factor_48,
                                         std::size_t capacity) {
    if (rule.max == 0) return {};
    const auto window = static_cast<std::int64_t>(rule.window.count());
    const std::uint64_t max = rule.max;
    return detail::bucket_table(capacity, {detail::make_bucket_rate(max, window, 1),
                                           detail::make_bucket_rate(max * factor_56, window, 1),
                                           detail::make_bucket_rate(max * factor_48, window, 1)});
  }

  static void check_rule(const rate_rule& rule, std::uint64_t factor, const char* window_error,
                         const char* size_error) {
    if (rule.max == 0) return;
    check(rule.window.count() >= 1, window_error);
    check(detail::bucket_rate_fits(std::uint64_t{rule.max} * factor, static_cast<std::int64_t>(rule.window.count()), 1),
          size_error);
  }

  static const credential_limits_config& validated(const credential_limits_config& c) {
    check(c.ipv6_56_factor > 0, "ipv6_56_factor is 0");
    check(c.ipv6_48_factor > 0, "ipv6_48_factor is 0");
    check(c.max_tracked > 0, "max_tracked is 0");
    check(c.max_tracked <= (std::size_t{1} << 30), "max_tracked is above 2^30");
    const std::uint64_t factor = std::max(c.ipv6_56_factor, c.ipv6_48_factor);
    check_rule(c.anonymous_sign_in, factor, "anonymous_sign_in.window is under 1 ms",
               "anonymous_sign_in is too large for 64-bit arithmetic");
    check_rule(c.email_sign_in, factor, "email_sign_in.window is under 1 ms",
               "email_sign_in is too large for 64-bit arithmetic");
    check_rule(c.email_sign_up, factor, "email_sign_up.window is under 1 ms",
               "email_sign_up is too large for 64-bit arithmetic");
    check_rule(c.social_sign_in, factor, "social_sign_in.window is under 1 ms",
               "social_sign_in is too large for 64-bit arithmetic");
    check_rule(c.per_email, 1, "per_email.window is under 1 ms", "per_email is too large for 64-bit arithmetic");
    check_rule(c.global, 1, "global.window is under 1 ms", "global is too large for 64-bit arithmetic");
    return c;
  }

  struct state {
    credential_limits_config config;
    std::array<detail::bucket_table, 4> by_operation;  // by credential_operation
    detail::bucket_table per_email;
    detail::ceiling_bucket global;
    bool global_on = false;
    std::array<unsigned char, crypto_generichash_KEYBYTES> email_key{};

    explicit state(const credential_limits_config& c) : config(validated(c)) {
      const auto f56 = config.ipv6_56_factor;
      const auto f48 = config.ipv6_48_factor;
      by_operation[0] = make_table(config.anonymous_sign_in, f56, f48, config.max_tracked);
      by_operation[1] = make_table(config.email_sign_in, f56, f48, config.max_tracked);
      by_operation[2] = make_table(config.email_sign_up, f56, f48, config.max_tracked);
      by_operation[3] = make_table(config.social_sign_in, f56, f48, config.max_tracked);
      per_email = make_table(config.per_email, 1, 1, config.max_tracked);  // one rate for every key
      if (config.global.max > 0) {
        global_on = true;
        const auto window = static_cast<std::int64_t>(config.global.window.count());
        global.rate = detail::make_bucket_rate(config.global.max, window, 1);
        global.state.tokens = global.rate.bucket_units;
      }
      crypto::ensure_initialised();
      randombytes_buf(email_key.data(), email_key.size());
    }
  };
  static_assert(static_cast<std::size_t>(credential_operation::anonymous_sign_in) == 0 &&
                static_cast<std::size_t>(credential_operation::email_sign_in) == 1 &&
                static_cast<std::size_t>(credential_operation::email_sign_up) == 2 &&
                static_cast<std::size_t>(credential_operation::social_sign_in) == 3);

  /// The key of an email: 16 bytes of BLAKE2b under the limiter's random key, of the email with
  /// ASCII letters lower-cased (the caller's lower-casing, made sure of), so no email is kept.
  static detail::rate_limit_keys_type email_keys(const state& s, std::string_view email) noexcept {
    static_assert(crypto_generichash_BYTES_MIN <= 16 && sizeof(detail::rate_limit_key_type) == 16);
    crypto_generichash_state h;
    crypto_generichash_init(&h, s.email_key.data(), s.email_key.size(), 16);
    unsigned char chunk[64];
    for (std::size_t at = 0; at < email.size(); at += sizeof(chunk)) {
      const std::size_t n = std::min(sizeof(chunk), email.size() - at);
      for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(email[at + i]);
        chunk[i] = c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c - 'A' + 'a') : c;
      }
      crypto_generichash_update(&h, chunk, n);
    }
    detail::rate_limit_keys_type k;
    k.count = 1;
    crypto_generichash_final(&h, k.keys[0].data(), 16);
    return k;
  }

  std::unique_ptr<state> state_;
};

}  // namespace anonauth
