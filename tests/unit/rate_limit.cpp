// The rate-limit policy: aa::per_ip's token buckets, address keys, bounded memory and threads.
#include "catch.hpp"
#include "threads.hpp"

#include <anonauth/policy/rate_limit.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <ratio>
#include <string>
#include <string_view>
#include <utility>

namespace aa = anonauth;

namespace {

/// What try_at returns when the request was allowed.
constexpr std::int64_t allowed = -1;

/// One acquire for `ip` at `ms` milliseconds: `allowed`, or the wait in milliseconds.
template <class Limiter>
std::int64_t try_at(Limiter& limiter, std::string_view ip, std::int64_t ms) {
  const aa::request_context request{std::nullopt, std::string(ip), "rate-limit-tests/1.0"};
  const std::optional<std::chrono::milliseconds> wait =
      limiter.acquire(request, aa::timestamp{std::chrono::milliseconds{ms}});
  return wait ? wait->count() : allowed;
}

/// 2026-01-01T00:00:00Z.
constexpr std::int64_t t0 = 1'767'225'600'000;

/// The n-th of 2^24 distinct IPv4 addresses, 10.0.0.0/8.
std::string flood_address(std::size_t n) {
  return "10." + std::to_string((n >> 16) & 0xff) + "." + std::to_string((n >> 8) & 0xff) + "." +
         std::to_string(n & 0xff);
}

static_assert(aa::rate_limit_policy<aa::no_rate_limit>);
static_assert(aa::rate_limit_policy<aa::per_ip<10, std::chrono::minutes>>);
static_assert(!aa::no_rate_limit::enabled);
static_assert(aa::per_ip<10, std::chrono::minutes>::enabled);
static_assert(aa::per_ip<10, std::chrono::minutes>::capacity == 65536);
static_assert(aa::per_ip<1, std::chrono::seconds, 5>::capacity == 5);
// no_rate_limit's acquire is usable in constant expressions (it reads nothing of the request).
const aa::request_context any_request;
static_assert(!aa::no_rate_limit{}.acquire(any_request, aa::timestamp{}).has_value());
static_assert(noexcept(std::declval<aa::no_rate_limit&>().acquire(any_request, std::declval<aa::timestamp>())));

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

TEST_CASE("rate_limit.ipv6_shares_a_bucket_per_64_prefix", "[rate_limit]") {
  aa::per_ip<2, std::chrono::minutes> limiter;
  REQUIRE(try_at(limiter, "2001:db8:1:2::1", t0) == allowed);
  REQUIRE(try_at(limiter, "2001:db8:1:2:ffff:ffff:ffff:ffff", t0) == allowed);  // same /64
  CHECK(try_at(limiter, "2001:DB8:1:2:0:0:0:abcd", t0) == 30000);               // same /64, other spelling

  CHECK(try_at(limiter, "2001:db8:1:3::1", t0) == allowed);  // the next /64
  CHECK(try_at(limiter, "2001:db9:1:2::1", t0) == allowed);
  CHECK(limiter.tracked() == 3);

  const auto key = aa::detail::rate_limit_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd");
  CHECK(key == aa::detail::rate_limit_key("2001:db8:1:2::"));
  CHECK(key != aa::detail::rate_limit_key("2001:db8:1:2::1:0:0:0:0:0"));  // not an address
  CHECK(key != aa::detail::rate_limit_key("2001:db8:1:3::"));
  CHECK(key != aa::detail::rate_limit_key("2001:db8:0:2::"));
}

TEST_CASE("rate_limit.ipv4_mapped_ipv6_is_the_ipv4_address", "[rate_limit]") {
  aa::per_ip<3, std::chrono::minutes> limiter;
  REQUIRE(try_at(limiter, "203.0.113.7", t0) == allowed);
  REQUIRE(try_at(limiter, "::ffff:203.0.113.7", t0) == allowed);
  REQUIRE(try_at(limiter, "::FFFF:cb00:7107", t0) == allowed);  // the same address in hex
  CHECK(try_at(limiter, "203.0.113.7", t0) == 20000);
  CHECK(try_at(limiter, "::ffff:203.0.113.7", t0) == 20000);

  // mapped addresses are keyed per address, not per /64 as other IPv6 is
  CHECK(try_at(limiter, "::ffff:203.0.113.8", t0) == allowed);
  CHECK(aa::detail::rate_limit_key("::ffff:203.0.113.8") == aa::detail::rate_limit_key("203.0.113.8"));
  CHECK(aa::detail::rate_limit_key("::ffff:203.0.113.8") != aa::detail::rate_limit_key("::ffff:203.0.113.7"));
  // IPv4-compatible (::a.b.c.d) is plain IPv6, in ::/64, not the IPv4 address
  CHECK(aa::detail::rate_limit_key("::203.0.113.7") != aa::detail::rate_limit_key("203.0.113.7"));
  CHECK(aa::detail::rate_limit_key("::203.0.113.7") == aa::detail::rate_limit_key("::1"));
}

TEST_CASE("rate_limit.zone_id_is_ignored", "[rate_limit]") {
  using aa::detail::rate_limit_key;
  CHECK(rate_limit_key("fe80::1%eth0") == rate_limit_key("fe80::1"));
  CHECK(rate_limit_key("fe80::1%eth0") == rate_limit_key("fe80::2%wlan0"));  // same /64, other zone
  CHECK(rate_limit_key("fe80::1%3") == rate_limit_key("fe80::1"));
  CHECK(rate_limit_key("::ffff:203.0.113.7%eth0") == rate_limit_key("203.0.113.7"));
  CHECK(rate_limit_key("fe80::1%eth0") != aa::detail::unknown_rate_limit_key);
  // strict: an empty zone, a zone on IPv4, two zones are not addresses
  CHECK(rate_limit_key("fe80::1%") == aa::detail::unknown_rate_limit_key);
  CHECK(rate_limit_key("203.0.113.7%eth0") == aa::detail::unknown_rate_limit_key);
  CHECK(rate_limit_key("%eth0") == aa::detail::unknown_rate_limit_key);
  CHECK(rate_limit_key("fe80::1%eth0%eth1") == aa::detail::unknown_rate_limit_key);

  aa::per_ip<1, std::chrono::minutes> limiter;
  REQUIRE(try_at(limiter, "fe80::1%eth0", t0) == allowed);
  CHECK(try_at(limiter, "fe80::1", t0) == 60000);
  CHECK(try_at(limiter, "fe80::1%eth1", t0) == 60000);
}

TEST_CASE("rate_limit.unknown_addresses_share_one_bucket", "[rate_limit]") {
  using aa::detail::rate_limit_key;
  using aa::detail::unknown_rate_limit_key;
  for (std::string_view bad : {"", "unknown", " 203.0.113.7", "203.0.113.7 ", "203.0.113", "256.0.0.1",
                               "203.0.113.7:8080", "[::1]", "[::1]:443", "2001:db8::1::2", "::ffff:256.0.0.1",
                               "203.0.113.7, 198.51.100.1"})
    CHECK(rate_limit_key(bad) == unknown_rate_limit_key);
  CHECK(rate_limit_key(std::string_view("203.0.113.7\0junk", 16)) == unknown_rate_limit_key);
  CHECK(rate_limit_key(std::string(1000, '1')) == unknown_rate_limit_key);
  // no real address has the unknown key
  for (std::string_view good : {"0.0.0.0", "255.255.255.255", "::", "::1", "::ffff:255.255.255.255",
                                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"})
    CHECK(rate_limit_key(good) != unknown_rate_limit_key);

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
}

TEST_CASE("rate_limit.flood_of_addresses_stays_within_capacity", "[rate_limit][security]") {
  using limiter_type = aa::per_ip<1, std::chrono::hours, 1024>;
  static_assert(limiter_type::shards == 16);
  // Fewer new addresses than the smallest shard holds: an address used before each such chunk
  // cannot become its shard's least recently used before the chunk ends.
  constexpr std::size_t chunk = limiter_type::capacity / limiter_type::shards / 2;
  limiter_type limiter;

  const std::string victim = "198.51.100.1";     // drained, and used throughout the flood
  const std::string forgotten = "198.51.100.2";  // drained, then left alone
  REQUIRE(try_at(limiter, victim, t0) == allowed);
  REQUIRE(try_at(limiter, forgotten, t0) == allowed);

  const std::size_t flood = 10 * limiter_type::capacity;
  for (std::size_t n = 0; n < flood; ++n) {
    if (n % chunk == 0) {
      REQUIRE(try_at(limiter, victim, t0) == 3'600'000);  // still remembered, still drained
      REQUIRE(limiter.tracked() <= limiter_type::capacity);
    }
    REQUIRE(try_at(limiter, flood_address(n), t0) == allowed);
  }

  CHECK(limiter.tracked() == limiter_type::capacity);
  CHECK(try_at(limiter, victim, t0) == 3'600'000);
  // the latest addresses are remembered (drained) ...
  for (std::size_t n = flood - chunk; n < flood; ++n) CHECK(try_at(limiter, flood_address(n), t0) == 3'600'000);
  // ... the early ones and the address left alone were evicted and start again with a full bucket
  CHECK(try_at(limiter, flood_address(0), t0) == allowed);
  CHECK(try_at(limiter, forgotten, t0) == allowed);
  CHECK(limiter.tracked() == limiter_type::capacity);
}

TEST_CASE("rate_limit.tiny_capacity_evicts_least_recently_used", "[rate_limit]") {
  aa::per_ip<1, std::chrono::hours, 1> limiter;  // one shard of one entry
  static_assert(decltype(limiter)::shards == 1);
  REQUIRE(try_at(limiter, "203.0.113.1", t0) == allowed);
  REQUIRE(try_at(limiter, "203.0.113.1", t0) == 3'600'000);
  REQUIRE(try_at(limiter, "203.0.113.2", t0) == allowed);  // evicts .1
  CHECK(limiter.tracked() == 1);
  CHECK(try_at(limiter, "203.0.113.1", t0) == allowed);  // a fresh bucket; evicts .2
  CHECK(try_at(limiter, "203.0.113.1", t0) == 3'600'000);

  aa::per_ip<1, std::chrono::hours, 2> pair;  // two shards of one entry each
  for (std::size_t n = 0; n < 100; ++n) {
    REQUIRE(try_at(pair, flood_address(n), t0) == allowed);
    REQUIRE(pair.tracked() <= 2);
  }
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
