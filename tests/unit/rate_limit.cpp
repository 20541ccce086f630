// The rate-limit policies: aa::per_ip's and aa::credential_limits' token buckets, address and
// email keys, bounded memory, eviction, and threads.
#include "catch.hpp"
#include "threads.hpp"

#include <anonauth/policy/rate_limit.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <ratio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace aa = anonauth;
using aa::credential_operation;

namespace {

/// What try_at returns when the request was allowed.
constexpr std::int64_t allowed = -1;

/// One acquire at `ms` milliseconds of the monotonic clock: `allowed`, or the wait in milliseconds.
template <class Limiter>
std::int64_t try_at(Limiter& limiter, std::string_view ip, std::int64_t ms,
                    credential_operation op = credential_operation::anonymous_sign_in, std::string_view email = {}) {
  const aa::rate_limit_request request{op, ip, email};
  const std::optional<std::chrono::milliseconds> wait =
      limiter.acquire(request, aa::monotonic_time{std::chrono::milliseconds{ms}});
  return wait ? wait->count() : allowed;
}

/// An email sign-in naming `email` from `ip`.
template <class Limiter>
std::int64_t email_at(Limiter& limiter, std::string_view ip, std::string_view email, std::int64_t ms) {
  return try_at(limiter, ip, ms, credential_operation::email_sign_in, email);
}

/// Eleven days of uptime: any instant of a steady clock will do.
constexpr std::int64_t t0 = 1'000'000'000;

/// The n-th of 2^24 distinct IPv4 addresses, 10.0.0.0/8.
std::string flood_address(std::size_t n) {
  return "10." + std::to_string((n >> 16) & 0xff) + "." + std::to_string((n >> 8) & 0xff) + "." +
         std::to_string(n & 0xff);
}

/// An address in the /64 `subnet` of 2001:db8:7::/48: subnet / 256 picks its /56.
std::string in_48(std::size_t subnet, std::string_view host = "1") {
  char text[64];
  std::snprintf(text, sizeof(text), "2001:db8:7:%zx::%.*s", subnet & 0xffff, static_cast<int>(host.size()),
                host.data());
  return text;
}

/// One hexadecimal group.
std::string hex(std::size_t v) {
  char text[8];
  std::snprintf(text, sizeof(text), "%zx", v & 0xffff);
  return text;
}

/// A configuration with every rule off, to switch on one at a time.
aa::credential_limits_config all_off() {
  aa::credential_limits_config c;
  c.anonymous_sign_in = c.email_sign_in = c.email_sign_up = c.social_sign_in = c.per_email = c.global = {};
  return c;
}

static_assert(aa::rate_limit_policy<aa::no_rate_limit>);
static_assert(aa::rate_limit_policy<aa::per_ip<10, std::chrono::minutes>>);
static_assert(aa::rate_limit_policy<aa::credential_limits>);
static_assert(!aa::no_rate_limit::enabled);
static_assert(aa::per_ip<10, std::chrono::minutes>::enabled);
static_assert(aa::credential_limits::enabled);
static_assert(aa::per_ip<10, std::chrono::minutes>::capacity == 65536);
static_assert(aa::per_ip<1, std::chrono::seconds, 5>::capacity == 5);
static_assert(aa::per_ip<10, std::chrono::minutes>::ipv6_56_factor == 4);
static_assert(aa::per_ip<10, std::chrono::minutes>::ipv6_48_factor == 16);
// Limits run on a monotonic clock, never the wall clock.
static_assert(std::is_same_v<aa::monotonic_time::clock, std::chrono::steady_clock>);
static_assert(std::is_same_v<aa::monotonic_time::duration, std::chrono::milliseconds>);
// credential_limits is handed over by value: movable, not copyable.
static_assert(std::is_nothrow_move_constructible_v<aa::credential_limits>);
static_assert(std::is_nothrow_move_assignable_v<aa::credential_limits>);
static_assert(!std::is_copy_constructible_v<aa::credential_limits>);
static_assert(!std::is_copy_assignable_v<aa::credential_limits>);
static_assert(std::is_default_constructible_v<aa::credential_limits>);
static_assert(!std::is_convertible_v<aa::credential_limits_config, aa::credential_limits>);  // explicit
// no_rate_limit's acquire is usable in constant expressions (it reads nothing of the request).
static_assert(!aa::no_rate_limit{}.acquire(aa::rate_limit_request{}, aa::monotonic_time{}).has_value());
static_assert(noexcept(std::declval<aa::no_rate_limit&>().acquire(std::declval<const aa::rate_limit_request&>(),
                                                                  std::declval<aa::monotonic_time>())));
static_assert(aa::to_string(credential_operation::anonymous_sign_in) == "anonymous_sign_in");
static_assert(aa::to_string(credential_operation::email_sign_in) == "email_sign_in");
static_assert(aa::to_string(credential_operation::email_sign_up) == "email_sign_up");
static_assert(aa::to_string(credential_operation::social_sign_in) == "social_sign_in");

}  // namespace

TEST_CASE("rate_limit.no_rate_limit_always_allows", "[rate_limit]") {
  aa::no_rate_limit limiter;
  for (int i = 0; i < 1000; ++i) REQUIRE(try_at(limiter, "203.0.113.7", t0) == allowed);
}

TEST_CASE("rate_limit.burst_then_refused", "[rate_limit]") {
  aa::per_ip<10, std::chrono::minutes> limiter;  // one token every 6 s
  for (int i = 0; i < 10; ++i) REQUIRE(try_at(limiter, "203.0.113.7", t0) == allowed);
  CHECK(try_at(limiter, "203.0.113.7", t0) == 6000);
  // refusals take nothing, and the wait counts down with the clock
  CHECK(try_at(limiter, "203.0.113.7", t0) == 6000);
  CHECK(try_at(limiter, "203.0.113.7", t0 + 1000) == 5000);
  CHECK(try_at(limiter, "203.0.113.7", t0 + 5999) == 1);
  CHECK(limiter.tracked() == 1);
}

TEST_CASE("rate_limit.refill_gives_one_token_at_the_exact_millisecond", "[rate_limit]") {
  aa::per_ip<10, std::chrono::minutes> limiter;
  for (int i = 0; i < 10; ++i) REQUIRE(try_at(limiter, "203.0.113.7", t0) == allowed);

  CHECK(try_at(limiter, "203.0.113.7", t0 + 5999) == 1);
  CHECK(try_at(limiter, "203.0.113.7", t0 + 6000) == allowed);
  CHECK(try_at(limiter, "203.0.113.7", t0 + 6000) == 6000);  // only one came back

  // after two and a half tokens' worth of time, two are taken and half a token is left
  CHECK(try_at(limiter, "203.0.113.7", t0 + 21000) == allowed);
  CHECK(try_at(limiter, "203.0.113.7", t0 + 21000) == allowed);
  CHECK(try_at(limiter, "203.0.113.7", t0 + 21000) == 3000);
}

TEST_CASE("rate_limit.uneven_rate_keeps_fractions_of_tokens", "[rate_limit]") {
  aa::per_ip<3, std::chrono::seconds> limiter;  // a token every 333 1/3 ms
  for (int i = 0; i < 3; ++i) REQUIRE(try_at(limiter, "203.0.113.7", t0) == allowed);
  CHECK(try_at(limiter, "203.0.113.7", t0) == 334);  // rounded up
  CHECK(try_at(limiter, "203.0.113.7", t0 + 333) == 1);
  CHECK(try_at(limiter, "203.0.113.7", t0 + 334) == allowed);
  // 2/3 ms of the last one carried over: the next comes at 666 2/3 ms, so at 667
  CHECK(try_at(limiter, "203.0.113.7", t0 + 334) == 333);
  CHECK(try_at(limiter, "203.0.113.7", t0 + 666) == 1);
  CHECK(try_at(limiter, "203.0.113.7", t0 + 667) == allowed);
  // 1/3 ms carried over: the next comes at exactly 1000
  CHECK(try_at(limiter, "203.0.113.7", t0 + 999) == 1);
  CHECK(try_at(limiter, "203.0.113.7", t0 + 1000) == allowed);
  CHECK(try_at(limiter, "203.0.113.7", t0 + 1000) == 334);
}

TEST_CASE("rate_limit.fractional_millisecond_period_is_exact", "[rate_limit]") {
  // 2 per 1.5 ms: a token every 0.75 ms, 4 every 3 ms (6 if the period were cut to 1 ms, 3 if
  // it were rounded to 2)
  aa::per_ip<2, std::chrono::duration<std::int64_t, std::ratio<3, 2000>>> limiter;
  REQUIRE(try_at(limiter, "203.0.113.7", t0) == allowed);
  REQUIRE(try_at(limiter, "203.0.113.7", t0) == allowed);
  CHECK(try_at(limiter, "203.0.113.7", t0) == 1);
  CHECK(try_at(limiter, "203.0.113.7", t0 + 1) == allowed);  // due at 0.75
  CHECK(try_at(limiter, "203.0.113.7", t0 + 1) == 1);
  CHECK(try_at(limiter, "203.0.113.7", t0 + 2) == allowed);  // due at 1.5
  CHECK(try_at(limiter, "203.0.113.7", t0 + 2) == 1);
  CHECK(try_at(limiter, "203.0.113.7", t0 + 3) == allowed);  // due at 2.25
  CHECK(try_at(limiter, "203.0.113.7", t0 + 3) == allowed);  // due at 3
  CHECK(try_at(limiter, "203.0.113.7", t0 + 3) == 1);
}

TEST_CASE("rate_limit.long_idle_refills_only_to_the_burst", "[rate_limit]") {
  aa::per_ip<10, std::chrono::minutes> limiter;
  for (int i = 0; i < 10; ++i) REQUIRE(try_at(limiter, "203.0.113.7", t0) == allowed);
  const std::int64_t later = t0 + std::chrono::milliseconds{std::chrono::years{30}}.count();
  for (int i = 0; i < 10; ++i) REQUIRE(try_at(limiter, "203.0.113.7", later) == allowed);
  CHECK(try_at(limiter, "203.0.113.7", later) == 6000);
}

TEST_CASE("rate_limit.separate_ipv4_addresses_have_separate_buckets", "[rate_limit]") {
  aa::per_ip<2, std::chrono::minutes> limiter;
  REQUIRE(try_at(limiter, "203.0.113.7", t0) == allowed);
  REQUIRE(try_at(limiter, "203.0.113.7", t0) == allowed);
  REQUIRE(try_at(limiter, "203.0.113.7", t0) == 30000);

  CHECK(try_at(limiter, "203.0.113.8", t0) == allowed);
  CHECK(try_at(limiter, "203.0.113.8", t0) == allowed);
  CHECK(try_at(limiter, "203.0.113.8", t0) == 30000);
  CHECK(try_at(limiter, "198.51.100.7", t0) == allowed);
  CHECK(limiter.tracked() == 3);
}

TEST_CASE("rate_limit.per_ip_counts_every_operation_together", "[rate_limit]") {
  aa::per_ip<3, std::chrono::minutes> limiter;
  REQUIRE(try_at(limiter, "203.0.113.7", t0, credential_operation::anonymous_sign_in) == allowed);
  REQUIRE(try_at(limiter, "203.0.113.7", t0, credential_operation::email_sign_in, "a@example.com") == allowed);
  REQUIRE(try_at(limiter, "203.0.113.7", t0, credential_operation::email_sign_up, "b@example.com") == allowed);
  CHECK(try_at(limiter, "203.0.113.7", t0, credential_operation::social_sign_in) == 20000);
  CHECK(try_at(limiter, "203.0.113.7", t0, credential_operation::email_sign_in, "c@example.com") == 20000);
  CHECK(limiter.tracked() == 1);  // emails are not per_ip's business
}

TEST_CASE("rate_limit.ipv6_keys_are_its_64_56_and_48", "[rate_limit]") {
  using aa::detail::rate_limit_keys;
  const auto keys = rate_limit_keys("2001:db8:1:2:aaaa:bbbb:cccc:dddd");
  REQUIRE(keys.count == 3);
  CHECK(keys == rate_limit_keys("2001:db8:1:2::"));
  CHECK(keys == rate_limit_keys("2001:DB8:1:2:0:0:0:abcd"));
  CHECK(keys != rate_limit_keys("2001:db8:1:3::"));
  CHECK(keys != rate_limit_keys("2001:db8:1:2::1:0:0:0:0:0"));  // not an address
  // the next /64 in the /56 shares the /56 and /48 keys, not the /64 key
  const auto next = rate_limit_keys("2001:db8:1:3::");
  CHECK(next.keys[0] != keys.keys[0]);
  CHECK(next.keys[1] == keys.keys[1]);
  CHECK(next.keys[2] == keys.keys[2]);
  // 2001:db8:1:100:: is in the next /56, the same /48
  const auto other_56 = rate_limit_keys("2001:db8:1:100::");
  CHECK(other_56.keys[1] != keys.keys[1]);
  CHECK(other_56.keys[2] == keys.keys[2]);
  CHECK(rate_limit_keys("2001:db8:2::").keys[2] != keys.keys[2]);
  // the three keys of one address differ, even where the prefix bits are all zero
  for (const auto& k : {keys, rate_limit_keys("::1"), rate_limit_keys("2001:db8::")}) {
    CHECK(k.keys[0] != k.keys[1]);
    CHECK(k.keys[1] != k.keys[2]);
    CHECK(k.keys[0] != k.keys[2]);
    CHECK(aa::detail::rate_limit_key_class(k.keys[0]) == 0);
    CHECK(aa::detail::rate_limit_key_class(k.keys[1]) == 1);
    CHECK(aa::detail::rate_limit_key_class(k.keys[2]) == 2);
  }
  CHECK(aa::detail::rate_limit_key_class(rate_limit_keys("203.0.113.7").keys[0]) == 0);
  CHECK(aa::detail::rate_limit_key_class(aa::detail::unknown_rate_limit_key) == 0);
}

TEST_CASE("rate_limit.ipv6_shares_a_bucket_per_64_prefix", "[rate_limit]") {
  aa::per_ip<2, std::chrono::minutes> limiter;
  REQUIRE(try_at(limiter, "2001:db8:1:2::1", t0) == allowed);
  REQUIRE(try_at(limiter, "2001:db8:1:2:ffff:ffff:ffff:ffff", t0) == allowed);  // same /64
  CHECK(try_at(limiter, "2001:DB8:1:2:0:0:0:abcd", t0) == 30000);               // same /64, other spelling
  CHECK(limiter.tracked() == 3);                                                 // its /64, /56, /48

  CHECK(try_at(limiter, "2001:db8:1:3::1", t0) == allowed);  // the next /64: its /56 holds 8
  CHECK(limiter.tracked() == 4);
  CHECK(try_at(limiter, "2001:db9:1:2::1", t0) == allowed);
  CHECK(limiter.tracked() == 7);
}

TEST_CASE("rate_limit.ipv6_56_gets_four_times_a_64", "[rate_limit][security]") {
  aa::per_ip<1, std::chrono::minutes> limiter;
  std::size_t granted = 0;
  for (std::size_t subnet = 0x4200; subnet < 0x4300; ++subnet)  // the 256 /64s of 2001:db8:7:4200::/56
    if (try_at(limiter, in_48(subnet), t0) == allowed) ++granted;
  CHECK(granted == 4);
  // a /64 of that /56 waits for the /56's next token: 4 a minute
  CHECK(try_at(limiter, in_48(0x42ff, "2"), t0) == 15000);
  CHECK(try_at(limiter, in_48(0x42ff, "2"), t0 + 15000) == allowed);
  // the next /56 of the same /48 has its own 4
  CHECK(try_at(limiter, in_48(0x4300), t0) == allowed);
}

TEST_CASE("rate_limit.ipv6_48_gets_sixteen_times_a_64", "[rate_limit][security]") {
  aa::per_ip<1, std::chrono::minutes> limiter;
  std::size_t granted = 0;
  for (std::size_t subnet = 0; subnet < 65536; ++subnet)  // every /64 of 2001:db8:7::/48
    if (try_at(limiter, in_48(subnet), t0) == allowed) ++granted;
  CHECK(granted == 16);
  CHECK(try_at(limiter, in_48(0xabcd, "9"), t0) == 3750);  // 16 a minute
  CHECK(limiter.tracked() <= limiter.capacity);
  CHECK(try_at(limiter, "2001:db8:8::1", t0) == allowed);  // the next /48
}

TEST_CASE("rate_limit.ipv6_request_takes_all_of_its_buckets_or_none", "[rate_limit][security]") {
  aa::per_ip<1, std::chrono::minutes> limiter;
  REQUIRE(try_at(limiter, in_48(0x100), t0) == allowed);
  // refused by its /64: takes nothing from its /56 or /48
  for (int i = 0; i < 100; ++i) REQUIRE(try_at(limiter, in_48(0x100), t0) == 60000);
  std::size_t granted = 1;
  for (std::size_t subnet = 0x101; subnet < 0x200; ++subnet)  // the rest of its /56: 3 more
    if (try_at(limiter, in_48(subnet), t0) == allowed) ++granted;
  CHECK(granted == 4);
  // refused by the /56: takes nothing from the /48, which still has 12 for the other /56s
  for (int i = 0; i < 100; ++i) REQUIRE(try_at(limiter, in_48(0x1ff, "2"), t0) == 15000);
  for (std::size_t subnet = 0; subnet < 65536; ++subnet)
    if (subnet / 256 != 1 && try_at(limiter, in_48(subnet), t0) == allowed) ++granted;
  CHECK(granted == 16);
}

TEST_CASE("rate_limit.wait_is_the_longest_of_the_buckets_short_of_a_token", "[rate_limit][security]") {
  aa::per_ip<1, std::chrono::minutes> limiter;
  // drain the /48 over four /56s, the /56 0x0 completely
  for (std::size_t subnet : {0x0, 0x1, 0x2, 0x3, 0x100, 0x101, 0x102, 0x103, 0x200, 0x201, 0x202, 0x203, 0x300,
                             0x301, 0x302, 0x303})
    REQUIRE(try_at(limiter, in_48(subnet), t0) == allowed);
  REQUIRE(try_at(limiter, in_48(0x400), t0) == 3750);
  // 1 s later: a fresh /64 in a fresh /56 waits for the /48 alone (a token every 3.75 s) ...
  CHECK(try_at(limiter, in_48(0x500), t0 + 1000) == 2750);
  // ... a fresh /64 in the drained /56 for the /56 (a token every 15 s), the longer wait
  CHECK(try_at(limiter, in_48(0x4), t0 + 1000) == 14000);
  // ... a drained /64 for itself
  CHECK(try_at(limiter, in_48(0x1), t0 + 1000) == 59000);
  CHECK(try_at(limiter, in_48(0x500), t0 + 3750) == allowed);
}

TEST_CASE("rate_limit.6to4_counts_as_its_ipv4_address", "[rate_limit][security]") {
  using aa::detail::rate_limit_keys;
  CHECK(rate_limit_keys("2002:c000:0201::1") == rate_limit_keys("192.0.2.1"));
  CHECK(rate_limit_keys("2002:c000:201:ffff:1:2:3:4") == rate_limit_keys("192.0.2.1"));
  CHECK(rate_limit_keys("2002:c000:0202::1") == rate_limit_keys("192.0.2.2"));
  CHECK(rate_limit_keys("2002:c000:0201::1").count == 1);

  aa::per_ip<1, std::chrono::minutes> limiter;
  std::size_t granted = 0;
  for (std::size_t x = 0; x < 65536; ++x)
    if (try_at(limiter, "2002:c000:0201:" + hex(x) + "::", t0) == allowed) ++granted;
  CHECK(granted == 1);
  CHECK(try_at(limiter, "192.0.2.1", t0) == 60000);
  CHECK(try_at(limiter, "2002:c000:0202::", t0) == allowed);  // 192.0.2.2
  CHECK(limiter.tracked() == 2);
}

TEST_CASE("rate_limit.teredo_counts_as_its_client_ipv4_address", "[rate_limit][security]") {
  using aa::detail::rate_limit_keys;
  // RFC 4380's example: server 65.54.227.120, client 192.0.2.45 (3fff:fdd2 inverted), port 40000
  CHECK(rate_limit_keys("2001:0000:4136:e378:8000:63bf:3fff:fdd2") == rate_limit_keys("192.0.2.45"));
  CHECK(rate_limit_keys("2001::4136:e378:8000:63bf:3fff:fdd2").count == 1);

  aa::per_ip<1, std::chrono::minutes> limiter;
  std::size_t granted = 0;
  // one client, 192.0.2.1 (3fff:fdfe inverted), through 65,536 servers, flags and ports
  for (std::size_t x = 0; x < 65536; ++x)
    if (try_at(limiter, "2001:0:" + hex(x) + ":" + hex(x * 7) + ":8000:" + hex(x ^ 0x1234) + ":3fff:fdfe", t0) ==
        allowed)
      ++granted;
  CHECK(granted == 1);
  CHECK(try_at(limiter, "192.0.2.1", t0) == 60000);
  CHECK(try_at(limiter, "2001:0:4136:e378:8000:63bf:3fff:fdfd", t0) == allowed);  // 192.0.2.2
  // 2001:1::/32 is not Teredo: plain IPv6
  CHECK(rate_limit_keys("2001:1::3fff:fdfe").count == 3);
}

TEST_CASE("rate_limit.nat64_counts_as_its_ipv4_address", "[rate_limit][security]") {
  using aa::detail::rate_limit_keys;
  CHECK(rate_limit_keys("64:ff9b::192.0.2.1") == rate_limit_keys("192.0.2.1"));
  CHECK(rate_limit_keys("64:ff9b::c000:201") == rate_limit_keys("192.0.2.1"));
  // only the well-known /96: the local-use 64:ff9b:1::/48 is plain IPv6
  CHECK(rate_limit_keys("64:ff9b:1::c000:201").count == 3);

  aa::per_ip<1, std::chrono::minutes> limiter;
  REQUIRE(try_at(limiter, "64:ff9b::192.0.2.1", t0) == allowed);
  CHECK(try_at(limiter, "192.0.2.1", t0) == 60000);
  CHECK(try_at(limiter, "::ffff:192.0.2.1", t0) == 60000);
  CHECK(try_at(limiter, "2002:c000:201::", t0) == 60000);
}

TEST_CASE("rate_limit.ipv4_mapped_ipv6_is_the_ipv4_address", "[rate_limit]") {
  aa::per_ip<3, std::chrono::minutes> limiter;
  REQUIRE(try_at(limiter, "203.0.113.7", t0) == allowed);
  REQUIRE(try_at(limiter, "::ffff:203.0.113.7", t0) == allowed);
  REQUIRE(try_at(limiter, "::FFFF:cb00:7107", t0) == allowed);  // the same address in hex
  CHECK(try_at(limiter, "203.0.113.7", t0) == 20000);
  CHECK(try_at(limiter, "::ffff:203.0.113.7", t0) == 20000);

  using aa::detail::rate_limit_keys;
  // mapped addresses are keyed per address, not per prefix as other IPv6 is
  CHECK(try_at(limiter, "::ffff:203.0.113.8", t0) == allowed);
  CHECK(rate_limit_keys("::ffff:203.0.113.8") == rate_limit_keys("203.0.113.8"));
  CHECK(rate_limit_keys("::ffff:203.0.113.8") != rate_limit_keys("::ffff:203.0.113.7"));
  CHECK(rate_limit_keys("203.0.113.8").count == 1);
  // IPv4-compatible (::a.b.c.d) is plain IPv6, in ::/64, not the IPv4 address
  CHECK(rate_limit_keys("::203.0.113.7") != rate_limit_keys("203.0.113.7"));
  CHECK(rate_limit_keys("::203.0.113.7") == rate_limit_keys("::1"));
}

TEST_CASE("rate_limit.zone_id_is_ignored", "[rate_limit]") {
  using aa::detail::rate_limit_keys;
  aa::detail::rate_limit_keys_type unknown;
  unknown.keys[0] = aa::detail::unknown_rate_limit_key;
  unknown.count = 1;
  CHECK(rate_limit_keys("fe80::1%eth0") == rate_limit_keys("fe80::1"));
  CHECK(rate_limit_keys("fe80::1%eth0") == rate_limit_keys("fe80::2%wlan0"));  // same /64, other zone
  CHECK(rate_limit_keys("fe80::1%3") == rate_limit_keys("fe80::1"));
  CHECK(rate_limit_keys("::ffff:203.0.113.7%eth0") == rate_limit_keys("203.0.113.7"));
  CHECK(rate_limit_keys("fe80::1%eth0") != unknown);
  // strict: an empty zone, a zone on IPv4, two zones are not addresses
  CHECK(rate_limit_keys("fe80::1%") == unknown);
  CHECK(rate_limit_keys("203.0.113.7%eth0") == unknown);
  CHECK(rate_limit_keys("%eth0") == unknown);
  CHECK(rate_limit_keys("fe80::1%eth0%eth1") == unknown);

  aa::per_ip<1, std::chrono::minutes> limiter;
  REQUIRE(try_at(limiter, "fe80::1%eth0", t0) == allowed);
  CHECK(try_at(limiter, "fe80::1", t0) == 60000);
  CHECK(try_at(limiter, "fe80::1%eth1", t0) == 60000);
}

TEST_CASE("rate_limit.unknown_addresses_share_one_bucket", "[rate_limit]") {
  using aa::detail::rate_limit_keys;
  aa::detail::rate_limit_keys_type unknown;
  unknown.keys[0] = aa::detail::unknown_rate_limit_key;
  unknown.count = 1;
  for (std::string_view bad : {"", "unknown", " 203.0.113.7", "203.0.113.7 ", "203.0.113", "256.0.0.1",
                               "203.0.113.7:8080", "[::1]", "[::1]:443", "2001:db8::1::2", "::ffff:256.0.0.1",
                               "203.0.113.7, 198.51.100.1", "2002:c000:201::1 "})
    CHECK(rate_limit_keys(bad) == unknown);
  CHECK(rate_limit_keys(std::string_view("203.0.113.7\0junk", 16)) == unknown);
  CHECK(rate_limit_keys(std::string(1000, '1')) == unknown);
  // no real address has the unknown key
  for (std::string_view good : {"0.0.0.0", "255.255.255.255", "::", "::1", "::ffff:255.255.255.255",
                                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2002:ffff:ffff::",
                                "2001::ffff:ffff:0:0"})
    for (const auto& key : rate_limit_keys(good).keys) CHECK(key != aa::detail::unknown_rate_limit_key);

  aa::per_ip<3, std::chrono::minutes> limiter;
  REQUIRE(try_at(limiter, "", t0) == allowed);
  REQUIRE(try_at(limiter, "not an address", t0) == allowed);
  REQUIRE(try_at(limiter, "203.0.113.7 ", t0) == allowed);
  CHECK(try_at(limiter, "garbage", t0) == 20000);
  CHECK(try_at(limiter, "", t0) == 20000);
  CHECK(try_at(limiter, "203.0.113.7", t0) == allowed);  // the real address is not affected
  CHECK(limiter.tracked() == 2);
}

TEST_CASE("rate_limit.clock_going_back_grants_nothing", "[rate_limit]") {
  aa::per_ip<10, std::chrono::minutes> limiter;
  for (int i = 0; i < 10; ++i) REQUIRE(try_at(limiter, "203.0.113.7", t0) == allowed);

  // 50 s back: refused, and the wait counts the time until the clock is back at t0
  CHECK(try_at(limiter, "203.0.113.7", t0 - 50000) == 56000);
  // nothing was credited for the time in between
  CHECK(try_at(limiter, "203.0.113.7", t0) == 6000);
  CHECK(try_at(limiter, "203.0.113.7", t0 + 5999) == 1);
  CHECK(try_at(limiter, "203.0.113.7", t0 + 6000) == allowed);
  CHECK(try_at(limiter, "203.0.113.7", t0 + 6000) == 6000);

  // a step back of 1 ms between requests (threads that read the clock in one order and lock in
  // the other) credits that millisecond only once
  CHECK(try_at(limiter, "203.0.113.7", t0 + 11999) == 1);
  CHECK(try_at(limiter, "203.0.113.7", t0 + 11998) == 2);
  CHECK(try_at(limiter, "203.0.113.7", t0 + 11999) == 1);
  CHECK(try_at(limiter, "203.0.113.7", t0 + 12000) == allowed);
}

TEST_CASE("rate_limit.extreme_times_do_not_overflow", "[rate_limit]") {
  constexpr std::int64_t lowest = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t highest = std::numeric_limits<std::int64_t>::max();
  aa::per_ip<1, std::chrono::minutes> limiter;
  REQUIRE(try_at(limiter, "203.0.113.7", lowest) == allowed);
  CHECK(try_at(limiter, "203.0.113.7", lowest) == 60000);
  CHECK(try_at(limiter, "203.0.113.7", highest) == allowed);  // refilled, to one token only
  CHECK(try_at(limiter, "203.0.113.7", highest) == 60000);
  CHECK(try_at(limiter, "203.0.113.7", lowest) == highest);  // the wait saturates
  CHECK(try_at(limiter, "203.0.113.7", 0) > 0);

  aa::per_ip<1, std::chrono::minutes> v6;
  REQUIRE(try_at(v6, "2001:db8::1", lowest) == allowed);
  CHECK(try_at(v6, "2001:db8::1", lowest) == 60000);
  CHECK(try_at(v6, "2001:db8::1", highest) == allowed);
  CHECK(try_at(v6, "2001:db8::1", lowest) == highest);

  aa::credential_limits limits;
  REQUIRE(try_at(limits, "203.0.113.7", lowest) == allowed);
  for (int i = 0; i < 3; ++i) CHECK(try_at(limits, "203.0.113.7", highest) == allowed);
  CHECK(try_at(limits, "203.0.113.7", lowest) == highest);
}

TEST_CASE("rate_limit.flood_of_addresses_stays_within_capacity", "[rate_limit][security]") {
  using limiter_type = aa::per_ip<1, std::chrono::hours, 1024>;
  static_assert(limiter_type::shards == 16);
  // Fewer new addresses than the smallest shard holds: an address used before each such chunk
  // cannot become its shard's least recently used before the chunk ends.
  constexpr std::size_t chunk = limiter_type::capacity / limiter_type::shards / 2;
  constexpr std::int64_t hour = 3'600'000;
  limiter_type limiter;

  const std::string victim = "198.51.100.1";     // drained, and used throughout the flood
  const std::string forgotten = "198.51.100.2";  // drained, then left alone
  REQUIRE(try_at(limiter, victim, t0) == allowed);
  REQUIRE(try_at(limiter, forgotten, t0) == allowed);

  const std::size_t flood = 10 * limiter_type::capacity;
  std::size_t granted = 0;
  for (std::size_t n = 0; n < flood; ++n) {
    if (n % chunk == 0) {
      REQUIRE(try_at(limiter, victim, t0) == hour);  // still remembered, still drained
      REQUIRE(limiter.tracked() <= limiter_type::capacity);
    }
    if (try_at(limiter, flood_address(n), t0) == allowed) ++granted;
  }
  // Only while there was room, and the first address of each shard to evict (nothing had been
  // lost before it): from then on every new address evicts a drained one and starts as drained
  // as that one could still be.
  CHECK(granted == limiter_type::capacity - 2 + limiter_type::shards);
  CHECK(limiter.tracked() == limiter_type::capacity);
  CHECK(try_at(limiter, victim, t0) == hour);
  // the latest addresses are remembered, drained ...
  for (std::size_t n = flood - chunk; n < flood; ++n) CHECK(try_at(limiter, flood_address(n), t0) == hour);
  // ... the early ones and the address left alone were evicted: they come back no better off
  CHECK(try_at(limiter, flood_address(0), t0) == hour);
  CHECK(try_at(limiter, forgotten, t0) == hour);
  CHECK(try_at(limiter, "203.0.113.99", t0) == hour);  // and so does a newcomer, until it is safe
  CHECK(limiter.tracked() == limiter_type::capacity);

  // Half an hour on, every bucket evicted holds at least half a token, and so do newcomers.
  CHECK(try_at(limiter, forgotten, t0 + hour / 2) == hour / 2);
  CHECK(try_at(limiter, "203.0.113.100", t0 + hour / 2) == hour / 2);
  CHECK(try_at(limiter, victim, t0 + hour / 2) == hour / 2);
  // An hour on, everything evicted would be full again: newcomers start full.
  CHECK(try_at(limiter, "203.0.113.101", t0 + hour) == allowed);
  CHECK(try_at(limiter, flood_address(1), t0 + hour) == allowed);
}

TEST_CASE("rate_limit.evicted_address_does_not_come_back_full", "[rate_limit][security]") {
  aa::per_ip<1, std::chrono::minutes, 3> limiter;  // one shard of three entries
  static_assert(decltype(limiter)::shards == 1);
  std::size_t granted = 0;
  for (int round = 0; round < 100; ++round) {
    if (try_at(limiter, "198.51.100.1", t0) == allowed) ++granted;
    for (std::size_t n = 0; n < 10; ++n) (void)try_at(limiter, flood_address(n), t0);  // evicts it
  }
  CHECK(granted == 1);
  CHECK(limiter.tracked() == 3);
}

TEST_CASE("rate_limit.new_bucket_starts_with_what_an_evicted_one_holds_at_least", "[rate_limit][security]") {
  aa::per_ip<10, std::chrono::minutes, 3> limiter;  // one shard of three; a token every 6 s
  for (int i = 0; i < 10; ++i) REQUIRE(try_at(limiter, "198.51.100.1", t0) == allowed);  // A: drained
  REQUIRE(try_at(limiter, "198.51.100.2", t0) == allowed);                                // B: 9 left
  REQUIRE(try_at(limiter, "198.51.100.3", t0) == allowed);                                // C: 9 left
  // D is new: nothing was lost before it, so it starts full, then evicts A, drained
  CHECK(try_at(limiter, "198.51.100.4", t0) == allowed);
  // F, newer still, starts as drained as A may still be, and evicts B (9 left)
  CHECK(try_at(limiter, "198.51.100.6", t0) == 6000);
  // 30 s on: E evicts C, full again (lossless); A, had it stayed, would hold 5 tokens by now,
  // so E starts with 5
  for (int i = 0; i < 5; ++i) CHECK(try_at(limiter, "198.51.100.5", t0 + 30000) == allowed);
  CHECK(try_at(limiter, "198.51.100.5", t0 + 30000) == 6000);
  // A comes back (evicting D, full again) with exactly what it would have had: 5
  for (int i = 0; i < 5; ++i) CHECK(try_at(limiter, "198.51.100.1", t0 + 30000) == allowed);
  CHECK(try_at(limiter, "198.51.100.1", t0 + 30000) == 6000);
}

TEST_CASE("rate_limit.idle_full_table_costs_newcomers_nothing", "[rate_limit]") {
  // Tables never shrink: once full, every newcomer evicts. Entries refilled to the brim carry
  // nothing, so evicting them lets newcomers start full.
  aa::per_ip<2, std::chrono::minutes, 5> limiter;  // one shard of five; a token every 30 s
  static_assert(decltype(limiter)::shards == 1);
  for (std::size_t n = 0; n < 1000; ++n) (void)try_at(limiter, flood_address(n), t0 + static_cast<std::int64_t>(n));
  REQUIRE(limiter.tracked() == 5);
  // a minute after the last of them, every entry is full again, and so is anything evicted
  const std::int64_t later = t0 + 1000 + 60000;
  for (int n = 0; n < 5; ++n) {
    const std::string newcomer = "172.16.0." + std::to_string(n);
    CHECK(try_at(limiter, newcomer, later) == allowed);
    CHECK(try_at(limiter, newcomer, later) == allowed);
  }
  // the sixth is new too; it evicts the first newcomer, drained, so the seventh starts drained
  CHECK(try_at(limiter, "172.16.0.5", later) == allowed);
  CHECK(try_at(limiter, "172.16.0.5", later) == allowed);
  CHECK(try_at(limiter, "172.16.0.6", later) == 30000);
  CHECK(try_at(limiter, "172.16.0.0", later) == 30000);
}

TEST_CASE("rate_limit.tiny_capacity_evicts_least_recently_used", "[rate_limit]") {
  aa::per_ip<1, std::chrono::hours, 1> limiter;  // one shard of one entry
  static_assert(decltype(limiter)::shards == 1);
  REQUIRE(try_at(limiter, "203.0.113.1", t0) == allowed);
  REQUIRE(try_at(limiter, "203.0.113.1", t0) == 3'600'000);
  CHECK(try_at(limiter, "203.0.113.2", t0) == allowed);  // new: starts full; evicts .1, drained
  CHECK(limiter.tracked() == 1);
  CHECK(try_at(limiter, "203.0.113.1", t0) == 3'600'000);  // evicted: no fresh bucket
  CHECK(try_at(limiter, "203.0.113.4", t0) == 3'600'000);  // and no newcomer gets one either
  CHECK(try_at(limiter, "203.0.113.1", t0 + 3'600'000) == allowed);
  CHECK(try_at(limiter, "203.0.113.3", t0 + 7'200'000) == allowed);  // evicts .1, full again

  aa::per_ip<1, std::chrono::hours, 2> pair;  // one shard of two entries
  std::size_t granted = 0;
  for (std::size_t n = 0; n < 100; ++n) {
    if (try_at(pair, flood_address(n), t0) == allowed) ++granted;
    REQUIRE(pair.tracked() <= 2);
  }
  CHECK(granted == 3);  // two while there was room, one that evicted before anything was lost

  // Too small for one IPv6 client's three buckets: those left out count as evicted, so its
  // other /64s get nothing.
  aa::per_ip<1, std::chrono::hours, 1> v6;
  REQUIRE(try_at(v6, "2001:db8::1", t0) == allowed);
  CHECK(try_at(v6, "2001:db8::1", t0) == 3'600'000);
  CHECK(try_at(v6, "2001:db8:0:1::1", t0) > 0);
  CHECK(v6.tracked() == 1);
}

TEST_CASE("rate_limit.credential_limits_defaults_are_better_auths", "[rate_limit]") {
  const aa::credential_limits_config c;
  for (const aa::rate_rule& rule : {c.anonymous_sign_in, c.email_sign_in, c.email_sign_up, c.social_sign_in}) {
    CHECK(rule.max == 3);
    CHECK(rule.window == std::chrono::seconds{10});
  }
  CHECK(c.per_email == aa::rate_rule{10, std::chrono::minutes{10}});
  CHECK(c.global == aa::rate_rule{1000, std::chrono::seconds{1}});
  CHECK(c.ipv6_56_factor == 4);
  CHECK(c.ipv6_48_factor == 16);
  CHECK(c.max_tracked == 16384);

  aa::credential_limits limits;
  CHECK(limits.config() == c);
  CHECK(limits.tracked() == 0);
  // 3 per 10 s for each operation, separately
  for (credential_operation op : {credential_operation::anonymous_sign_in, credential_operation::email_sign_in,
                                  credential_operation::email_sign_up, credential_operation::social_sign_in}) {
    INFO(aa::to_string(op));
    const bool by_email = op == credential_operation::email_sign_in || op == credential_operation::email_sign_up;
    const std::string_view email = by_email ? "someone@example.com" : "";
    for (int i = 0; i < 3; ++i) REQUIRE(try_at(limits, "203.0.113.7", t0, op, email) == allowed);
    CHECK(try_at(limits, "203.0.113.7", t0, op, email) == 3334);  // 10 s / 3, rounded up
    CHECK(try_at(limits, "203.0.113.7", t0 + 3333, op, email) == 1);
    CHECK(try_at(limits, "203.0.113.7", t0 + 3334, op, email) == allowed);
  }
  CHECK(limits.tracked() == 5);  // four operations' buckets of the address, one email's
  // IPv6: a /48 gets 48 per 10 s for anonymous sign-ins
  std::size_t granted = 0;
  for (std::size_t subnet = 0; subnet < 4096; ++subnet)
    if (try_at(limits, in_48(subnet), t0) == allowed) ++granted;
  CHECK(granted == 48);
}

TEST_CASE("rate_limit.credential_limits_ceiling_holds_across_addresses", "[rate_limit][security]") {
  aa::credential_limits_config c;
  c.global = {5, std::chrono::seconds{1}};
  c.anonymous_sign_in = {1, std::chrono::minutes{1}};
  aa::credential_limits limits(c);

  REQUIRE(try_at(limits, "198.51.100.1", t0) == allowed);  // 4 left in the ceiling
  // refused by its address: takes nothing from the ceiling
  for (int i = 0; i < 100; ++i) REQUIRE(try_at(limits, "198.51.100.1", t0) == 60000);
  std::size_t granted = 1;
  for (std::size_t n = 0; n < 1000; ++n)
    if (try_at(limits, flood_address(n), t0) == allowed) ++granted;
  CHECK(granted == 5);
  // every operation counts against the ceiling
  CHECK(try_at(limits, "203.0.113.7", t0, credential_operation::social_sign_in) == 200);
  CHECK(try_at(limits, "203.0.113.7", t0, credential_operation::email_sign_up, "x@example.com") == 200);
  // refused by the ceiling: takes nothing from the address's bucket
  CHECK(try_at(limits, "203.0.113.8", t0) == 200);
  CHECK(try_at(limits, "203.0.113.8", t0 + 200) == allowed);
  // the longest wait wins: the address's
  CHECK(try_at(limits, "203.0.113.8", t0 + 400) == 59800);
}

TEST_CASE("rate_limit.credential_limits_per_email_across_addresses", "[rate_limit][security]") {
  aa::credential_limits limits;  // 10 sign-ins per 10 minutes naming one email
  std::size_t granted = 0;
  for (std::size_t n = 0; n < 500; ++n)
    if (email_at(limits, flood_address(n), "victim@example.com", t0) == allowed) ++granted;
  CHECK(granted == 10);
  CHECK(email_at(limits, "203.0.113.7", "victim@example.com", t0) == 60000);  // a token a minute
  CHECK(email_at(limits, "203.0.113.7", "VICTIM@Example.COM", t0) == 60000);  // one email, any case
  for (std::size_t n = 0; n < 500; ++n) REQUIRE(email_at(limits, in_48(n), "victim@example.com", t0) == 60000);
  // other emails, sign-ups and the other operations are not affected
  CHECK(email_at(limits, "203.0.113.7", "other@example.com", t0) == allowed);
  CHECK(try_at(limits, "203.0.113.7", t0, credential_operation::email_sign_up, "victim@example.com") == allowed);
  CHECK(try_at(limits, "203.0.113.7", t0, credential_operation::anonymous_sign_in) == allowed);
  // refused by the email: takes nothing from the address (of its 3, other@ took one)
  CHECK(email_at(limits, "203.0.113.7", "third@example.com", t0) == allowed);
  CHECK(email_at(limits, "203.0.113.7", "fourth@example.com", t0) == allowed);
  CHECK(email_at(limits, "203.0.113.7", "fifth@example.com", t0) == 3334);
  CHECK(email_at(limits, "203.0.113.7", "victim@example.com", t0 + 60000) == allowed);
  CHECK(email_at(limits, "203.0.113.8", "victim@example.com", t0 + 60000) == 60000);
  // an email sign-in without an email has no email bucket
  CHECK(email_at(limits, "203.0.113.10", "", t0) == allowed);
}

TEST_CASE("rate_limit.credential_limits_evicted_address_does_not_come_back_full", "[rate_limit][security]") {
  aa::credential_limits_config c = all_off();
  c.anonymous_sign_in = {1, std::chrono::minutes{1}};
  c.max_tracked = 3;
  aa::credential_limits limits(c);
  std::size_t granted = 0;
  for (int round = 0; round < 100; ++round) {
    if (try_at(limits, "198.51.100.1", t0) == allowed) ++granted;
    for (std::size_t n = 0; n < 10; ++n) (void)try_at(limits, flood_address(n), t0);
  }
  CHECK(granted == 1);
  CHECK(limits.tracked() == 3);
}

TEST_CASE("rate_limit.credential_limits_rules_switched_off", "[rate_limit]") {
  SECTION("all off: everything goes") {
    aa::credential_limits limits(all_off());
    for (std::size_t n = 0; n < 2000; ++n) {
      REQUIRE(try_at(limits, "203.0.113.7", t0) == allowed);
      REQUIRE(email_at(limits, "203.0.113.7", "victim@example.com", t0) == allowed);
    }
    CHECK(limits.tracked() == 0);
  }
  SECTION("one operation off, the others on") {
    aa::credential_limits_config c;
    c.anonymous_sign_in.max = 0;
    aa::credential_limits limits(c);
    for (int i = 0; i < 100; ++i) REQUIRE(try_at(limits, "203.0.113.7", t0) == allowed);
    for (int i = 0; i < 3; ++i)
      REQUIRE(try_at(limits, "203.0.113.7", t0, credential_operation::social_sign_in) == allowed);
    CHECK(try_at(limits, "203.0.113.7", t0, credential_operation::social_sign_in) == 3334);
  }
  SECTION("per-address rules off: the email and the ceiling still hold") {
    aa::credential_limits_config c = all_off();
    c.per_email = {2, std::chrono::minutes{1}};
    c.global = {5, std::chrono::minutes{1}};
    aa::credential_limits limits(c);
    CHECK(email_at(limits, "203.0.113.7", "a@example.com", t0) == allowed);
    CHECK(email_at(limits, "203.0.113.7", "a@example.com", t0) == allowed);
    CHECK(email_at(limits, "203.0.113.7", "a@example.com", t0) == 30000);
    CHECK(try_at(limits, "203.0.113.7", t0) == allowed);
    CHECK(try_at(limits, "203.0.113.7", t0) == allowed);
    CHECK(try_at(limits, "203.0.113.7", t0) == allowed);
    CHECK(try_at(limits, "203.0.113.7", t0) == 12000);
    CHECK(limits.tracked() == 1);
  }
}

TEST_CASE("rate_limit.credential_limits_config_validation", "[rate_limit]") {
  const auto rejects = [](auto change) {
    aa::credential_limits_config c;
    change(c);
    try {
      aa::credential_limits limits(c);
    } catch (const std::invalid_argument& e) {
      return std::string_view(e.what()).starts_with("aa::credential_limits: ");
    }
    return false;
  };
  CHECK(rejects([](auto& c) { c.anonymous_sign_in.window = std::chrono::milliseconds{0}; }));
  CHECK(rejects([](auto& c) { c.email_sign_in.window = std::chrono::milliseconds{-1}; }));
  CHECK(rejects([](auto& c) { c.email_sign_up.window = std::chrono::milliseconds{0}; }));
  CHECK(rejects([](auto& c) { c.social_sign_in.window = std::chrono::milliseconds{0}; }));
  CHECK(rejects([](auto& c) { c.per_email.window = std::chrono::milliseconds{0}; }));
  CHECK(rejects([](auto& c) { c.global.window = std::chrono::milliseconds{0}; }));
  CHECK(rejects([](auto& c) { c.ipv6_56_factor = 0; }));
  CHECK(rejects([](auto& c) { c.ipv6_48_factor = 0; }));
  CHECK(rejects([](auto& c) { c.max_tracked = 0; }));
  CHECK(rejects([](auto& c) { c.max_tracked = (std::size_t{1} << 30) + 1; }));
  CHECK(rejects([](auto& c) {
    c.global = {std::numeric_limits<std::uint32_t>::max(), std::chrono::milliseconds::max()};
  }));
  CHECK(rejects([](auto& c) {  // fits alone, not times the /48 factor
    c.anonymous_sign_in = {std::numeric_limits<std::uint32_t>::max(), std::chrono::milliseconds{1LL << 27}};
  }));
  // a rule switched off needs no window; the smallest valid values are taken
  CHECK_FALSE(rejects([](auto& c) { c.anonymous_sign_in = {0, std::chrono::milliseconds{0}}; }));
  CHECK_FALSE(rejects([](auto& c) { c.global = {0, std::chrono::milliseconds{-5}}; }));
  CHECK_FALSE(rejects([](auto& c) {
    c.anonymous_sign_in = {1, std::chrono::milliseconds{1}};
    c.ipv6_56_factor = c.ipv6_48_factor = 1;
    c.max_tracked = 1;
  }));
  CHECK_FALSE(rejects([](auto& c) {
    c.anonymous_sign_in = {std::numeric_limits<std::uint32_t>::max(), std::chrono::milliseconds{1LL << 20}};
  }));

  aa::credential_limits_config c;
  c.anonymous_sign_in = {7, std::chrono::seconds{3}};
  c.max_tracked = 100;
  const aa::credential_limits limits(c);
  CHECK(limits.config() == c);
}

TEST_CASE("rate_limit.credential_limits_moves_its_state", "[rate_limit]") {
  aa::credential_limits_config c = all_off();
  c.anonymous_sign_in = {1, std::chrono::minutes{1}};
  aa::credential_limits first(c);
  REQUIRE(try_at(first, "203.0.113.7", t0) == allowed);
  aa::credential_limits second(std::move(first));
  CHECK(try_at(second, "203.0.113.7", t0) == 60000);
  CHECK(second.config() == c);
  aa::credential_limits third;
  third = std::move(second);
  CHECK(try_at(third, "203.0.113.7", t0) == 60000);
  CHECK(third.tracked() == 1);
}

TEST_CASE("rate_limit.threads_share_one_budget", "[rate_limit][threads]") {
  constexpr std::size_t budget = 2000;
  constexpr std::size_t threads = 4;
  aa::per_ip<budget, std::chrono::minutes> limiter;  // 60000 ms / 2000: a token every 30 ms

  std::atomic<std::size_t> granted{0};
  std::atomic<std::size_t> wrong_waits{0};
  test_threads::run_together(threads, [&](std::size_t) {
    for (std::size_t i = 0; i < budget; ++i) {
      const std::int64_t result = try_at(limiter, "203.0.113.7", t0);  // a frozen clock
      if (result == allowed) granted.fetch_add(1);
      else if (result != 30) wrong_waits.fetch_add(1);
    }
  });
  CHECK(granted.load() == budget);
  CHECK(wrong_waits.load() == 0);
  CHECK(limiter.tracked() == 1);
}

TEST_CASE("rate_limit.threads_on_separate_addresses_each_get_a_budget", "[rate_limit][threads]") {
  constexpr std::size_t budget = 50;
  constexpr std::size_t threads = 4;
  constexpr std::size_t addresses_per_thread = 64;
  aa::per_ip<budget, std::chrono::minutes> limiter;

  std::atomic<std::size_t> granted{0};
  test_threads::run_together(threads, [&](std::size_t t) {
    for (std::size_t round = 0; round < 2 * budget; ++round)
      for (std::size_t a = 0; a < addresses_per_thread; ++a)
        if (try_at(limiter, flood_address(t * addresses_per_thread + a), t0) == allowed) granted.fetch_add(1);
  });
  CHECK(granted.load() == threads * addresses_per_thread * budget);
  CHECK(limiter.tracked() == threads * addresses_per_thread);
}

TEST_CASE("rate_limit.threads_in_one_48_share_its_budget", "[rate_limit][threads][security]") {
  constexpr std::size_t budget = 5;
  constexpr std::size_t threads = 4;
  aa::per_ip<budget, std::chrono::minutes> limiter;  // a /48: 80, a /56: 20

  std::atomic<std::size_t> granted{0};
  test_threads::run_together(threads, [&](std::size_t t) {
    for (std::size_t i = 0; i < 2000; ++i)  // spread over the /64s of 16 /56s
      if (try_at(limiter, in_48((i % 16) * 256 + ((i / 16) * threads + t) % 256), t0) == allowed)
        granted.fetch_add(1);
  });
  CHECK(granted.load() == 16 * budget);
}

TEST_CASE("rate_limit.threads_under_the_ceiling_and_one_email", "[rate_limit][threads][security]") {
  constexpr std::size_t threads = 4;
  aa::credential_limits_config c;
  c.anonymous_sign_in = c.email_sign_in = {1000, std::chrono::minutes{1}};
  c.per_email = {50, std::chrono::minutes{1}};
  c.global = {300, std::chrono::minutes{1}};
  aa::credential_limits limits(c);

  std::atomic<std::size_t> granted{0};
  std::atomic<std::size_t> email_granted{0};
  test_threads::run_together(threads, [&](std::size_t t) {
    for (std::size_t i = 0; i < 500; ++i) {
      const std::string ip = flood_address(t * 1000 + i);
      if (t % 2 == 0) {  // email sign-ins naming one email: the operation's table, the email's, the ceiling
        if (email_at(limits, ip, "victim@example.com", t0) == allowed) {
          granted.fetch_add(1);
          email_granted.fetch_add(1);
        }
      } else if (try_at(limits, ip, t0) == allowed) {  // the operation's table, the ceiling
        granted.fetch_add(1);
      }
    }
  });
  CHECK(granted.load() == 300);
  CHECK(email_granted.load() <= 50);
}
