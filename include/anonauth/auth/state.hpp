// anonauth/auth/state.hpp: what an aa::anonymous_auth holds (its storage and policy objects) and
// the steps every operation shares: ids, the write transaction, the audit sink, rate limits and
// the hashing gate. The operations (anonauth/operations/) are functions of this state.
#pragma once

#include <anonauth/audit/events.hpp>
#include <anonauth/auth/resolved.hpp>
#include <anonauth/core/error.hpp>
#include <anonauth/core/result.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/core/validate.hpp>
#include <anonauth/crypto/sodium.hpp>
#include <anonauth/diag/errors.hpp>
#include <anonauth/policy/hashing.hpp>
#include <anonauth/policy/rate_limit.hpp>

#include <algorithm>
#include <chrono>
#include <concepts>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace anonauth::detail {

/// The constructor argument of type T (moved from if it is an rvalue), or a default T.
template <class T>
T take_or_default() {
  if constexpr (std::default_initializable<T>) {
    return T{};
  } else {
    diag::report<diag::audit_sink_not_given<T>>();
    throw std::logic_error("unreachable");  // the one error above is all the compiler says
  }
}
template <class T, class First, class... Rest>
T take_or_default(First&& first, Rest&&... rest) {
  if constexpr (std::is_same_v<std::remove_cvref_t<First>, T>) return T(std::forward<First>(first));
  else return take_or_default<T>(std::forward<Rest>(rest)...);
}

template <class Resolved>
class auth_state : public Resolved {
 public:
  using typename Resolved::audit_type;
  using typename Resolved::backend_type;
  using typename Resolved::clock_type;
  using typename Resolved::email_type;
  using typename Resolved::hasher_type;
  using typename Resolved::naming_type;
  using typename Resolved::random_type;
  using typename Resolved::rate_limit_type;
  using typename Resolved::storage_config;
  using typename Resolved::user_type;
  using Resolved::audited;
  using Resolved::rate_limited;

  /// Builds the storage from its config; the policies given replace their default instances.
  template <class... Policies>
  explicit auth_state(const storage_config& config, Policies&&... policies)
      // The sink is taken first, so it need not be default-constructible; assign_policy skips it.
      : backend(config),
        audit(take_or_default<audit_type>(std::forward<Policies>(policies)...)),
        limiter(take_or_default<rate_limit_type>(std::forward<Policies>(policies)...)),
        gate(take_or_default<hashing_limits>(std::forward<Policies>(policies)...)) {
    (assign_policy(std::forward<Policies>(policies)), ...);
    // Made now, so that no sign-in pays for two hashes, and at the hasher's current cost.
    dummy_hash = hasher.hash(crypto::random_string(random, 32));
  }

  auth_state(const auth_state&) = delete;
  auth_state& operator=(const auth_state&) = delete;

  std::string new_id() { return crypto::random_string(random, 32); }

  /// Runs `fn` in a write transaction. A returned error rolls back too: it is thrown through the
  /// storage as an error_exception and caught here. A storage failure becomes `on_failure`.
  template <class T, class Fn>
  result<T> run_write(const error_code& on_failure, Fn&& fn) {
    try {
      return backend.write([&](auto& tx) -> T {
        result<T> r = fn(tx);
        if (!r) throw error_exception(r.error());
        return std::move(*r);
      });
    } catch (const error_exception& e) {
      return e.error();
    } catch (...) {
      if (!is_storage_failure()) throw;
      return on_failure;
    }
  }

  /// `read(fn)`, with a storage failure answered by `on_failure`.
  template <class T, class Fn>
  result<T> run_read(const error_code& on_failure, Fn&& fn) {
    try {
      return backend.read(std::forward<Fn>(fn));
    } catch (...) {
      if (!is_storage_failure()) throw;
      return on_failure;
    }
  }

  /// Reports an event to the sink if there is one and it takes the event (the sign-in events are
  /// optional for a sink). Without a sink no event is even built by the callers that check
  /// `audited` first.
  template <class Event>
  void report(const Event& event) {
    if constexpr (audited && std::invocable<audit_type&, const Event&>) audit(event);
    else (void)event;
  }

  /// The clock rate limits run on: the clock policy's steady_now() if it has one (a test clock),
  /// else std::chrono::steady_clock. Never the wall clock: stepping it would lock clients out.
  monotonic_time monotonic_now() const {
    if constexpr (requires { { clock.steady_now() } -> std::same_as<monotonic_time>; }) return clock.steady_now();
    else return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now());
  }

  /// TOO_MANY_REQUESTS, reported, if the rate limit refuses this operation now.
  std::optional<error> rate_refusal(credential_operation op, const request_context& request,
                                    std::string_view email = {}) {
    if constexpr (rate_limited) {
      // The email keys a bucket only once it could be valid; a longer one is refused anyway.
      std::string key = email.size() <= limits::max_email ? to_lower_ascii(email) : std::string();
      if (const auto wait = limiter.acquire(rate_limit_request{op, request.ip_address, key}, monotonic_now()))
        return refused(op, request, errors::too_many_requests, std::chrono::ceil<std::chrono::seconds>(*wait));
    } else {
      (void)op;
      (void)request;
      (void)email;
    }
    return std::nullopt;
  }

  /// A slot to hash in, or SERVER_BUSY once aa::hashing_limits' wait is over.
  result<hash_gate::permit> hashing_slot(credential_operation op, const request_context& request) {
    auto permit = gate.acquire();
    if (!permit)
      return refused(op, request, errors::server_busy,
                     std::chrono::ceil<std::chrono::seconds>(std::max(gate.max_wait(), std::chrono::milliseconds{1})));
    return permit;
  }

  backend_type backend;
  [[no_unique_address]] audit_type audit;
  [[no_unique_address]] rate_limit_type limiter{};
  [[no_unique_address]] email_type email{};
  [[no_unique_address]] naming_type naming{};
  [[no_unique_address]] hasher_type hasher{};
  [[no_unique_address]] clock_type clock{};
  [[no_unique_address]] random_type random{};
  hash_gate gate;
  std::string dummy_hash;  // what an unknown email's password is checked against

 private:
  error refused(credential_operation op, const request_context& request, const error_code& code,
                std::chrono::seconds retry_after) {
    retry_after = std::max(retry_after, std::chrono::seconds{1});
    report(events::request_refused{clock.now(), op, request.ip_address, std::string(code.code), retry_after});
    return error(code).with_retry_after(retry_after);
  }

  template <class P>
  void assign_policy(P&& p) {
    using T = std::remove_cvref_t<P>;
    if constexpr (std::is_same_v<T, email_type>) email = std::forward<P>(p);
    else if constexpr (std::is_same_v<T, naming_type>) naming = std::forward<P>(p);
    else if constexpr (std::is_same_v<T, hasher_type>) hasher = std::forward<P>(p);
    else if constexpr (std::is_same_v<T, clock_type>) clock = std::forward<P>(p);
    else if constexpr (std::is_same_v<T, random_type>) random = std::forward<P>(p);
    else if constexpr (std::is_same_v<T, audit_type> || std::is_same_v<T, rate_limit_type> ||
                       std::is_same_v<T, hashing_limits>)
      return;  // taken by the constructor
    else
      diag::report<diag::constructor_argument_not_a_policy<T>>();
  }
};

}  // namespace anonauth::detail
