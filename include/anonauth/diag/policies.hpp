// anonauth/diag/policies.hpp: diagnostics of the policies given to aa::anonymous_auth, E110-E122.
//
// One per policy concept, checked in the host's class body; the built-in models check their own
// parameters with the same codes (aa::per_ip: E119, aa::argon2id: E120). docs/errors.md explains
// each code.
#pragma once

#include <anonauth/diag/report.hpp>

#include <cstddef>

namespace anonauth::diag {

template <class T>
struct not_a_storage_policy : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E110] the type given to aa::storage<> does not model anonauth::storage_policy: "
                  "static_assert(anonauth::storage_policy<S>) makes the compiler name the missing function "
                  "(docs/writing-a-storage.md)");
  }
};
template <class T>
struct not_an_email_policy : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E111] the type given to aa::email<> does not model anonauth::email_policy: it needs "
                  "std::string generate(ctx)");
  }
};
template <class T>
struct not_a_naming_policy : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E112] the type given to aa::naming<> does not model anonauth::naming_policy: it needs "
                  "std::string generate(ctx)");
  }
};
template <class T>
struct not_link_migrations : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E113] the type given to aa::link<> is not an aa::link_migrations<...>");
  }
};
template <class T>
struct not_a_password_hasher : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E114] the type given to aa::password_hasher<> does not model "
                  "anonauth::password_hasher_policy: it needs hash(password) -> std::string and "
                  "verify(encoded, password) -> bool");
  }
};
template <unsigned long long OpsLimit, std::size_t MemLimit>
struct argon2id_cost_too_low : failure {
  static constexpr void fire() {
    static_assert(dependent_false_v<OpsLimit, MemLimit>,
                  "[anonauth.E120] aa::argon2id<OpsLimit, MemLimit> is below OWASP's minimum cost for Argon2id "
                  "(2 passes, 19 MiB = 19922944 bytes): use aa::argon2id<> (64 MiB, 2 passes), or in tests only "
                  "aa::argon2id<1, 8192, aa::insecure_test_cost>");
  }
};
template <class T>
struct not_a_clock : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E115] the type given to aa::clock<> does not model anonauth::clock_policy: it needs "
                  "now() -> aa::timestamp");
  }
};
template <class T>
struct not_a_random_source : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E116] the type given to aa::random<> does not model anonauth::random_policy: it needs "
                  "fill(std::span<std::uint8_t>)");
  }
};
template <class T>
struct not_a_session_policy : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E118] the type given to aa::sessions<> does not model anonauth::session_policy: it needs "
                  "static constexpr lifetime > 0 and 0 <= update_age <= lifetime, convertible to std::chrono::seconds");
  }
};
template <class T>
struct not_a_rate_limit_policy : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E119] the type given to aa::rate_limit<> does not model anonauth::rate_limit_policy: it "
                  "needs a default constructor and acquire(const aa::rate_limit_request&, aa::monotonic_time) -> "
                  "std::optional<std::chrono::milliseconds>");
  }
};
// aa::per_ip<N, Period, MaxTracked> checks its own arguments (rate_limit/per_ip.hpp); the
// culprits are the three arguments.
template <std::size_t N, class Period, std::size_t MaxTracked>
struct per_ip_without_budget : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<value<N>, Period, value<MaxTracked>>,
                  "[anonauth.E119] aa::per_ip<N, Period, MaxTracked>: N, the sign-ins allowed per Period, is 0");
  }
};
template <std::size_t N, class Period, std::size_t MaxTracked>
struct per_ip_period_not_a_duration : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<value<N>, Period, value<MaxTracked>>,
                  "[anonauth.E119] aa::per_ip<N, Period, MaxTracked>: Period is not a std::chrono::duration "
                  "(e.g. std::chrono::minutes)");
  }
};
template <std::size_t N, class Period, std::size_t MaxTracked>
struct per_ip_period_under_a_millisecond : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<value<N>, Period, value<MaxTracked>>,
                  "[anonauth.E119] aa::per_ip<N, Period, MaxTracked>: Period is shorter than one millisecond");
  }
};
template <std::size_t N, class Period, std::size_t MaxTracked>
struct per_ip_tracks_nothing : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<value<N>, Period, value<MaxTracked>>,
                  "[anonauth.E119] aa::per_ip<N, Period, MaxTracked>: MaxTracked is 0");
  }
};
template <std::size_t N, class Period, std::size_t MaxTracked>
struct per_ip_budget_too_large : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<value<N>, Period, value<MaxTracked>>,
                  "[anonauth.E119] aa::per_ip<N, Period, MaxTracked>: N per Period, counted in milliseconds, "
                  "is too large for 64-bit arithmetic");
  }
};
template <std::size_t N, class Period, std::size_t MaxTracked>
struct per_ip_tracks_too_many : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<value<N>, Period, value<MaxTracked>>,
                  "[anonauth.E119] aa::per_ip<N, Period, MaxTracked>: MaxTracked is above 2^30");
  }
};
template <class T>
struct not_an_audit_sink : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E121] the type given to aa::audit<> does not model anonauth::audit_sink: it needs to be "
                  "move-constructible and callable with every event of anonauth/audit/events.hpp");
  }
};
template <class T>
struct not_a_sign_up_mode : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E122] aa::on_sign_up<> takes aa::create_and_migrate (the default) or "
                  "aa::promote_in_place");
  }
};
template <class T>
struct not_a_custom_migrator : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E117] the type given to aa::on_link<> is not default-constructible or not callable as "
                  "m(ctx) with an aa::link_context");
  }
};

template <class T>
struct audit_sink_not_given : failure {
  static constexpr void fire() {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E121] this audit sink has no default constructor: pass one to the constructor, "
                  "e.g. auth_type auth{config, aa::json_lines_file{\"audit.jsonl\"}}");
  }
};

}  // namespace anonauth::diag
