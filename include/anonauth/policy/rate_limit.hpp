// anonauth/policy/rate_limit.hpp: the rate-limit policy of anonymous sign-ins, and aa::per_ip.
//
// A rate limiter decides, per request, whether an anonymous sign-in may go ahead:
//
//   using limiter = aa::per_ip<10, std::chrono::minutes>;   // 10 a minute, bursts of 10
//   if (auto wait = limiter_instance.acquire(request, clock.now())) { /* refused: retry after *wait */ }
//
// aa::no_rate_limit (the default) allows everything. aa::per_ip keeps a token bucket per client
// address in a fixed amount of memory, allocated once at construction.
#pragma once

#include <anonauth/core/time.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/crypto/sodium.hpp>

#include <arpa/inet.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <mutex>
#include <optional>
#include <ratio>
#include <string_view>
#include <type_traits>
#include <vector>

namespace anonauth {

/// Decides whether a request may take one anonymous sign-in. `acquire(request, now)` returns
/// std::nullopt when it may (a token was taken), or how long until it may (more than zero).
/// Called concurrently from many request threads: a stateful limiter must synchronise itself.
template <class P>
concept rate_limit_policy = requires(P& p, const request_context& r, timestamp now) {
  { p.acquire(r, now) } -> std::same_as<std::optional<std::chrono::milliseconds>>;
};

/// The default: every request is allowed.
struct no_rate_limit {
  static constexpr bool enabled = false;

  [[nodiscard]] constexpr std::optional<std::chrono::milliseconds> acquire(const request_context&,
                                                                          timestamp) const noexcept {
    return std::nullopt;
  }
};

namespace detail {

/// The bucket key of an address: 16 bytes.
using rate_limit_key_type = std::array<std::uint8_t, 16>;

/// The key shared by every address that does not parse (all bytes 0xff). No real address maps
/// to it: IPv4 keys start with a zero byte and IPv6 keys end with eight.
inline constexpr rate_limit_key_type unknown_rate_limit_key = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                                               0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/// The bucket key of a textual address, exactly as inet_pton reads it (nothing is trimmed):
/// - IPv4 `a.b.c.d`: the address itself, as its IPv4-mapped IPv6 form `::ffff:a.b.c.d`;
/// - IPv4-mapped IPv6 `::ffff:a.b.c.d`: the same key as `a.b.c.d` (one client, two spellings);
/// - other IPv6: its /64 prefix, the rest zero (one host usually holds a whole /64, so a finer
///   key would give one client 2^64 buckets);
/// - IPv6 with a zone, `fe80::1%eth0`: the address without its zone (one non-empty zone);
/// - anything else, the empty string included: unknown_rate_limit_key. Unparseable addresses
///   share one bucket, so a missing or malformed address fails closed (limited together) rather
///   than open (each garbage string a fresh bucket, which would make the limit trivial to avoid).
[[nodiscard]] inline rate_limit_key_type rate_limit_key(std::string_view ip) noexcept {
  // inet_pton wants a NUL-terminated string: copy into a buffer, no allocation. The longest
  // address text is 45 characters; longer input (and an embedded NUL, which would cut the text
  // short) is not an address.
  char text[64];
  if (ip.empty() || ip.size() >= sizeof(text) || ip.find('\0') != std::string_view::npos)
    return unknown_rate_limit_key;
  ip.copy(text, ip.size());
  text[ip.size()] = '\0';

  rate_limit_key_type key{};
  unsigned char v4[4];
  if (inet_pton(AF_INET, text, v4) == 1) {
    key[10] = 0xff;
    key[11] = 0xff;
    std::memcpy(key.data() + 12, v4, 4);
    return key;
  }

  if (const std::size_t zone = ip.find('%'); zone != std::string_view::npos) {
    // strict: a zone is non-empty and there is one
    if (zone + 1 == ip.size() || ip.find('%', zone + 1) != std::string_view::npos) return unknown_rate_limit_key;
    text[zone] = '\0';  // inet_pton does not take zones
  }
  unsigned char v6[16];
  if (inet_pton(AF_INET6, text, v6) != 1) return unknown_rate_limit_key;

  static constexpr unsigned char mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(v6, mapped_prefix, sizeof(mapped_prefix)) == 0) {
    std::memcpy(key.data(), v6, 16);  // ::ffff:a.b.c.d is already the IPv4 key
    return key;
  }
  std::memcpy(key.data(), v6, 8);  // the /64 prefix
  return key;
}

template <class T>
struct is_chrono_duration : std::false_type {};
template <class Rep, class Ratio>
struct is_chrono_duration<std::chrono::duration<Rep, Ratio>> : std::true_type {};

/// One period in milliseconds, as a reduced ratio. A placeholder for a non-duration, so that
/// E119 is the only error such a Period produces.
template <class Period>
struct period_in_ms {
  using type = std::ratio<1000>;
};
template <class Rep, class Ratio>
struct period_in_ms<std::chrono::duration<Rep, Ratio>> {
  using type = std::ratio_divide<Ratio, std::milli>;
};

/// a - b for a >= b, saturated at the largest int64 (a - b overflows when b is very negative).
constexpr std::int64_t rate_limit_gap(std::int64_t a, std::int64_t b) noexcept {
  constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
  if (b < 0 && a > max + b) return max;
  return a - b;
}

/// a + b for a, b >= 0, saturated at the largest int64.
constexpr std::int64_t rate_limit_sum(std::int64_t a, std::int64_t b) noexcept {
  constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
  return a > max - b ? max : a + b;
}

}  // namespace detail

/// A token bucket per client address (request_context::ip_address, keyed as
/// detail::rate_limit_key describes): each holds at most N tokens, starts full and refills
/// continuously at N per Period; a sign-in takes one. `aa::per_ip<10, std::chrono::minutes>`
/// allows bursts of 10 and 10 a minute after that.
///
/// At most MaxTracked addresses are remembered: memory is allocated once, at construction, and
/// never grows. The addresses are spread over `shards` shards, each with its own mutex and its
/// own share of the entries; a new address in a full shard evicts the shard's least recently
/// used one (an evicted address starts again with a full bucket). Addresses are hashed with
/// SipHash-2-4 under a random key, so a client cannot choose addresses that collide.
///
/// Arithmetic is exact, in integers: one token is `num` units where Period is num/den
/// milliseconds, and a bucket gains N * den units a millisecond. The wait returned is rounded up
/// to whole milliseconds: a token is available after exactly that long, not a millisecond before.
template <std::size_t N, class Period, std::size_t MaxTracked = 65536>
class per_ip {
  using period_ms = typename detail::period_in_ms<Period>::type;
  // Bounds for every product the bucket arithmetic forms, with room to add two of them.
  static constexpr std::int64_t arithmetic_limit = std::numeric_limits<std::int64_t>::max() / 4;

  static_assert(N > 0, "[anonauth.E119] aa::per_ip<N, Period, MaxTracked>: N, the sign-ins allowed per Period, is 0");
  static_assert(detail::is_chrono_duration<Period>::value,
                "[anonauth.E119] aa::per_ip<N, Period, MaxTracked>: Period is not a std::chrono::duration "
                "(e.g. std::chrono::minutes)");
  static_assert(period_ms::num >= period_ms::den,
                "[anonauth.E119] aa::per_ip<N, Period, MaxTracked>: Period is shorter than one millisecond");
  static_assert(MaxTracked > 0, "[anonauth.E119] aa::per_ip<N, Period, MaxTracked>: MaxTracked is 0");
  static_assert(period_ms::num <= arithmetic_limit && period_ms::den <= arithmetic_limit &&
                    N <= static_cast<std::uint64_t>(arithmetic_limit / period_ms::num) &&
                    N <= static_cast<std::uint64_t>(arithmetic_limit / period_ms::den),
                "[anonauth.E119] aa::per_ip<N, Period, MaxTracked>: N per Period, counted in milliseconds, "
                "is too large for 64-bit arithmetic");
  static_assert(MaxTracked <= (std::size_t{1} << 30),
                "[anonauth.E119] aa::per_ip<N, Period, MaxTracked>: MaxTracked is above 2^30");

 public:
  static constexpr bool enabled = true;
  /// The most addresses remembered at once.
  static constexpr std::size_t capacity = MaxTracked;
  /// How many independently locked shards hold them (the LRU order is per shard).
  static constexpr std::size_t shards = MaxTracked < 16 ? MaxTracked : 16;

  per_ip() {
    crypto::ensure_initialised();
    randombytes_buf(hash_key_.data(), hash_key_.size());
    for (std::size_t i = 0; i < shards; ++i) {
      // Shard sizes differ by at most one and add up to MaxTracked.
      const std::size_t size = (i + 1) * MaxTracked / shards - i * MaxTracked / shards;
      std::size_t slots = 2;  // a power of two, at least twice the entries: probes stay short
      while (slots < 2 * size) slots *= 2;
      shards_[i].entries.resize(size);
      shards_[i].slots.assign(slots, empty);
    }
  }

  per_ip(const per_ip&) = delete;
  per_ip& operator=(const per_ip&) = delete;

  /// Takes a token from the bucket of `request.ip_address` at time `now`: std::nullopt if there
  /// was one, otherwise how long until there is. Allocates nothing.
  [[nodiscard]] std::optional<std::chrono::milliseconds> acquire(const request_context& request, timestamp now) {
    const detail::rate_limit_key_type key = detail::rate_limit_key(request.ip_address);
    std::uint64_t hash = 0;
    static_assert(crypto_shorthash_BYTES == sizeof(hash) && crypto_shorthash_KEYBYTES == 16);
    unsigned char digest[crypto_shorthash_BYTES];
    crypto_shorthash(digest, key.data(), key.size(), hash_key_.data());
    std::memcpy(&hash, digest, sizeof(hash));

    const std::int64_t now_ms = now.time_since_epoch().count();
    shard& s = shards_[static_cast<std::size_t>((hash >> 32) % shards)];
    std::lock_guard lock(s.mutex);
    entry& e = s.find_or_insert(key, hash, now_ms);

    // A clock that goes back credits nothing and `last_ms` stays put: moving it back would credit
    // the same interval twice once the clock goes forward again (request threads read the clock
    // before taking the lock, so small steps back are routine).
    if (now_ms > e.last_ms) {
      const std::int64_t elapsed = detail::rate_limit_gap(now_ms, e.last_ms);
      e.tokens = elapsed >= full_after_ms ? bucket_units : std::min(bucket_units, e.tokens + elapsed * refill_per_ms);
      e.last_ms = now_ms;
    }
    if (e.tokens >= token_units) {
      e.tokens -= token_units;
      return std::nullopt;
    }
    const std::int64_t missing = token_units - e.tokens;
    std::int64_t wait = (missing + refill_per_ms - 1) / refill_per_ms;
    if (now_ms < e.last_ms) wait = detail::rate_limit_sum(wait, detail::rate_limit_gap(e.last_ms, now_ms));
    return std::chrono::milliseconds{wait};
  }

  /// How many addresses are remembered now (at most `capacity`).
  [[nodiscard]] std::size_t tracked() const {
    std::size_t total = 0;
    for (const shard& s : shards_) {
      std::lock_guard lock(s.mutex);
      total += s.used;
    }
    return total;
  }

 private:
  // Token arithmetic in units, one token = period_ms::num units (see the class comment).
  static constexpr std::int64_t token_units = period_ms::num;
  static constexpr std::int64_t refill_per_ms = static_cast<std::int64_t>(N) * period_ms::den;
  static constexpr std::int64_t bucket_units = static_cast<std::int64_t>(N) * token_units;
  // From this many milliseconds on, an empty bucket is full again (also keeps elapsed * rate in
  // range after a long idle time).
  static constexpr std::int64_t full_after_ms = (period_ms::num + period_ms::den - 1) / period_ms::den;

  static constexpr std::uint32_t empty = std::numeric_limits<std::uint32_t>::max();

  struct entry {
    detail::rate_limit_key_type key{};
    std::uint64_t hash = 0;
    std::int64_t tokens = 0;
    std::int64_t last_ms = 0;
    std::uint32_t newer = empty;  // LRU neighbours: towards the most and the least recently used
    std::uint32_t older = empty;
  };

  // One shard: `entries` is a fixed array whose first `used` are live; `slots` is an
  // open-addressed (linear probing) index of them by hash; `newest`/`oldest` end the LRU list.
  // Aligned to its own cache lines, so threads on different shards do not contend.
  struct alignas(64) shard {
    mutable std::mutex mutex;
    std::vector<entry> entries;
    std::vector<std::uint32_t> slots;
    std::size_t used = 0;
    std::uint32_t newest = empty;
    std::uint32_t oldest = empty;

    [[nodiscard]] std::size_t home(std::uint64_t hash) const noexcept {
      return static_cast<std::size_t>(hash) & (slots.size() - 1);
    }

    entry& find_or_insert(const detail::rate_limit_key_type& key, std::uint64_t hash, std::int64_t now_ms) {
      std::size_t i = home(hash);
      for (; slots[i] != empty; i = (i + 1) & (slots.size() - 1)) {
        entry& e = entries[slots[i]];
        if (e.hash == hash && e.key == key) {
          touch(slots[i]);
          return e;
        }
      }
      std::uint32_t index;
      if (used < entries.size()) {
        index = static_cast<std::uint32_t>(used++);
      } else {
        index = oldest;  // full: the least recently used address makes room
        unindex(index);
        unlink(index);
        // Removing it may have shifted the free slot found above: look again.
        for (i = home(hash); slots[i] != empty;) i = (i + 1) & (slots.size() - 1);
      }
      slots[i] = index;
      entries[index] = entry{key, hash, bucket_units, now_ms, empty, empty};
      push_newest(index);
      return entries[index];
    }

    void touch(std::uint32_t index) noexcept {
      if (newest == index) return;
      unlink(index);
      push_newest(index);
    }

    void push_newest(std::uint32_t index) noexcept {
      entries[index].older = newest;
      entries[index].newer = empty;
      if (newest != empty) entries[newest].newer = index;
      newest = index;
      if (oldest == empty) oldest = index;
    }

    void unlink(std::uint32_t index) noexcept {
      entry& e = entries[index];
      if (e.newer != empty) entries[e.newer].older = e.older;
      else newest = e.older;
      if (e.older != empty) entries[e.older].newer = e.newer;
      else oldest = e.newer;
      e.newer = e.older = empty;
    }

    // Removes an entry from `slots` by backward shifting, so no tombstones accumulate and every
    // lookup stays a short probe.
    void unindex(std::uint32_t index) noexcept {
      const std::size_t mask = slots.size() - 1;
      std::size_t hole = home(entries[index].hash);
      while (slots[hole] != index) hole = (hole + 1) & mask;
      slots[hole] = empty;
      for (std::size_t j = (hole + 1) & mask; slots[j] != empty; j = (j + 1) & mask) {
        const std::size_t k = home(entries[slots[j]].hash);
        // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
        const bool stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
        if (stays) continue;
        slots[hole] = slots[j];
        slots[j] = empty;
        hole = j;
      }
    }
  };

  std::array<unsigned char, crypto_shorthash_KEYBYTES> hash_key_{};
  std::array<shard, shards> shards_{};
};

static_assert(rate_limit_policy<no_rate_limit>);
static_assert(rate_limit_policy<per_ip<1, std::chrono::seconds, 1>>);

}  // namespace anonauth
