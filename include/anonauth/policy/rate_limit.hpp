// anonauth/policy/rate_limit.hpp: the rate-limit policy of credential operations, aa::per_ip and
// aa::credential_limits.
//
// A rate limiter decides, per request, whether a sign-in or sign-up may go ahead:
//
//   aa::credential_limits limits;  // Better Auth's production limits, plus a per-email and a global one
//   const aa::rate_limit_request request{aa::credential_operation::anonymous_sign_in, ip_address, {}};
//   if (auto wait = limits.acquire(request, now)) { /* refused: retry after *wait */ }
//
// aa::no_rate_limit (the default) allows everything. aa::per_ip<N, Period> is a budget fixed at
// compile time, per client, every operation together; aa::credential_limits is configured at run
// time, per operation, per email and over everything. Both keep their token buckets in memory
// allocated once, at construction, and run on a monotonic clock.
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
#include <memory>
#include <mutex>
#include <optional>
#include <ratio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace anonauth {

// credential_operation and its to_string are in core/types.hpp: audit events name them too.

/// One request, as a rate limiter sees it.
struct rate_limit_request {
  credential_operation operation = credential_operation::anonymous_sign_in;
  std::string_view ip_address;  // request_context::ip_address as given (the socket's, or the trusted proxy header's)
  std::string_view email;       // lower-cased; email sign-in and sign-up only, empty otherwise
};

/// Decides whether a request may go ahead. `acquire(request, now)` returns std::nullopt when it
/// may (its tokens were taken), or how long until it may (more than zero). Called concurrently
/// from many request threads: a stateful limiter must synchronise itself.
template <class P>
concept rate_limit_policy = requires(P& p, const rate_limit_request& r, monotonic_time now) {
  { p.acquire(r, now) } -> std::same_as<std::optional<std::chrono::milliseconds>>;
};

/// The default: every request is allowed.
struct no_rate_limit {
  static constexpr bool enabled = false;

  [[nodiscard]] constexpr std::optional<std::chrono::milliseconds> acquire(const rate_limit_request&,
                                                                          monotonic_time) const noexcept {
    return std::nullopt;
  }
};

namespace detail {

/// One bucket key: 16 bytes.
using rate_limit_key_type = std::array<std::uint8_t, 16>;

/// The key shared by every address that does not parse (all bytes 0xff). No real address maps
/// to it: IPv4 keys start with a zero byte, IPv6 prefix keys have zeros in bytes 8 to 14.
inline constexpr rate_limit_key_type unknown_rate_limit_key = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                                               0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/// The bucket keys of one address, finest first: one, or three for IPv6 (its /64, /56, /48).
struct rate_limit_keys_type {
  std::array<rate_limit_key_type, 3> keys{};
  std::size_t count = 0;

  friend constexpr bool operator==(const rate_limit_keys_type&, const rate_limit_keys_type&) = default;
};

/// The key of an IPv4 address: its IPv4-mapped IPv6 form, ::ffff:a.b.c.d.
[[nodiscard]] inline rate_limit_keys_type ipv4_rate_limit_keys(const unsigned char* v4) noexcept {
  rate_limit_keys_type k;
  k.count = 1;
  k.keys[0][10] = 0xff;
  k.keys[0][11] = 0xff;
  std::memcpy(k.keys[0].data() + 12, v4, 4);
  return k;
}

/// The bucket keys of a textual address, exactly as inet_pton reads it (nothing is trimmed):
/// - IPv4 `a.b.c.d`: one key, the address;
/// - IPv6 that carries its client's IPv4 address counts as that address: IPv4-mapped
///   `::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d` (RFC 6052), 6to4 `2002:AABB:CCDD::/48` (RFC 3056)
///   and Teredo `2001:0::/32`, whose last 32 bits are the client's address inverted (RFC 4380).
///   Otherwise one IPv4 client would get a fresh bucket for every value of the other bits;
/// - other IPv6: three keys, its /64, /56 and /48 prefixes (the prefix bits, zeros, and the
///   prefix length in the last byte, so the three differ). One host usually holds a whole /64
///   and one customer a /56 or a /48: a key per address, or per /64 alone, would give one client
///   2^64, or 65,536, buckets;
/// - IPv6 with a zone, `fe80::1%eth0`: the address without its zone (one non-empty zone);
/// - anything else, the empty string included: unknown_rate_limit_key. Unparseable addresses
///   share one bucket, so a missing or malformed address fails closed (limited together) rather
///   than open (each garbage string a fresh bucket, which would make the limit trivial to avoid).
[[nodiscard]] inline rate_limit_keys_type rate_limit_keys(std::string_view ip) noexcept {
  rate_limit_keys_type unknown;
  unknown.keys[0] = unknown_rate_limit_key;
  unknown.count = 1;

  // inet_pton wants a NUL-terminated string: copy into a buffer, no allocation. The longest
  // address text is 45 characters; longer input (and an embedded NUL, which would cut the text
  // short) is not an address.
  char text[64];
  if (ip.empty() || ip.size() >= sizeof(text) || ip.find('\0') != std::string_view::npos) return unknown;
  ip.copy(text, ip.size());
  text[ip.size()] = '\0';

  unsigned char v4[4];
  if (inet_pton(AF_INET, text, v4) == 1) return ipv4_rate_limit_keys(v4);

  if (const std::size_t zone = ip.find('%'); zone != std::string_view::npos) {
    // strict: a zone is non-empty and there is one
    if (zone + 1 == ip.size() || ip.find('%', zone + 1) != std::string_view::npos) return unknown;
    text[zone] = '\0';  // inet_pton does not take zones
  }
  unsigned char v6[16];
  if (inet_pton(AF_INET6, text, v6) != 1) return unknown;

  static constexpr unsigned char mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static constexpr unsigned char nat64_prefix[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(v6, mapped_prefix, 12) == 0 || std::memcmp(v6, nat64_prefix, 12) == 0)
    return ipv4_rate_limit_keys(v6 + 12);
  if (v6[0] == 0x20 && v6[1] == 0x02) return ipv4_rate_limit_keys(v6 + 2);  // 6to4
  if (v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0 && v6[3] == 0) {         // Teredo
    unsigned char client[4];
    for (std::size_t i = 0; i < 4; ++i) client[i] = static_cast<unsigned char>(v6[12 + i] ^ 0xffu);
    return ipv4_rate_limit_keys(client);
  }

  rate_limit_keys_type k;
  k.count = 3;
  static constexpr std::uint8_t prefix_bits[3] = {64, 56, 48};
  for (std::size_t i = 0; i < 3; ++i) {
    std::memcpy(k.keys[i].data(), v6, prefix_bits[i] / 8);
    k.keys[i][15] = prefix_bits[i];
  }
  return k;
}

/// Which rate a key's bucket has: 0 for one address (IPv4, an IPv6 /64, unknown), 1 for an IPv6
/// /56, 2 for a /48 (the position of the key in rate_limit_keys_type).
[[nodiscard]] constexpr std::size_t rate_limit_key_class(const rate_limit_key_type& key) noexcept {
  for (std::size_t i = 8; i < 15; ++i)
    if (key[i] != 0) return 0;
  return key[15] == 56 ? 1 : key[15] == 48 ? 2 : 0;
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

/// a + b for b >= 0, saturated at the largest int64.
constexpr std::int64_t rate_limit_sum(std::int64_t a, std::int64_t b) noexcept {
  constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
  return a > max - b ? max : a + b;
}

/// The bound of every factor in the bucket arithmetic, so that three of their products add up
/// without overflow.
inline constexpr std::int64_t rate_limit_arithmetic_limit = std::numeric_limits<std::int64_t>::max() / 4;

/// Whether `tokens` per period of num/den milliseconds keeps within rate_limit_arithmetic_limit.
constexpr bool bucket_rate_fits(std::uint64_t tokens, std::int64_t num, std::int64_t den) noexcept {
  constexpr auto limit = static_cast<std::uint64_t>(rate_limit_arithmetic_limit);
  if (num <= 0 || den <= 0 || static_cast<std::uint64_t>(num) > limit || static_cast<std::uint64_t>(den) > limit)
    return false;
  return tokens <= limit / static_cast<std::uint64_t>(num) && tokens <= limit / static_cast<std::uint64_t>(den);
}

/// A bucket's rate, in exact integers: a token is `token_units` units, the bucket holds
/// `bucket_units` and gains `refill_per_ms` units a millisecond. For T tokens per period of
/// num/den milliseconds that is num, T * num and T * den: T tokens per period, with no rounding.
struct bucket_rate {
  std::int64_t token_units = 1;
  std::int64_t refill_per_ms = 1;
  std::int64_t bucket_units = 1;
  std::int64_t full_after_ms = 1;  // an empty bucket is full again after this long (also keeps
                                   // elapsed * refill_per_ms in range after a long idle time)
};

/// The rate of `tokens` per num/den milliseconds; bucket_rate_fits(tokens, num, den) must hold.
constexpr bucket_rate make_bucket_rate(std::uint64_t tokens, std::int64_t num, std::int64_t den) noexcept {
  const auto t = static_cast<std::int64_t>(tokens);
  return {num, t * den, t * num, (num + den - 1) / den};
}

/// A token bucket: its units, counted at `last_ms`.
struct bucket {
  std::int64_t tokens = 0;
  std::int64_t last_ms = 0;
};

/// Credits the bucket with the time from last_ms to now. A clock that goes back credits nothing
/// and last_ms stays put: moving it back would credit the same interval twice once the clock
/// goes forward again (request threads read the clock before taking the lock, so small steps
/// back are routine).
constexpr void refill(bucket& b, const bucket_rate& r, std::int64_t now) noexcept {
  if (now <= b.last_ms) return;
  const std::int64_t elapsed = rate_limit_gap(now, b.last_ms);
  b.tokens = elapsed >= r.full_after_ms ? r.bucket_units
                                        : std::min(r.bucket_units, b.tokens + elapsed * r.refill_per_ms);
  b.last_ms = now;
}

/// How long until a refilled bucket holds a token at `now`: 0 if it does, else at least 1,
/// rounded up (a token is there after exactly that long, not a millisecond before).
constexpr std::int64_t wait_for_token(const bucket& b, const bucket_rate& r, std::int64_t now) noexcept {
  if (b.tokens >= r.token_units) return 0;
  std::int64_t wait = (r.token_units - b.tokens + r.refill_per_ms - 1) / r.refill_per_ms;
  if (now < b.last_ms) wait = rate_limit_sum(wait, rate_limit_gap(b.last_ms, now));
  return wait;
}

/// When a refilled bucket that is not full will be, if nothing is taken from it.
constexpr std::int64_t full_at(const bucket& b, const bucket_rate& r) noexcept {
  return rate_limit_sum(b.last_ms, (r.bucket_units - b.tokens + r.refill_per_ms - 1) / r.refill_per_ms);
}

/// The units a bucket that is not in its table starts with at `now`, when every bucket the
/// table has dropped is full from `lossy_until` on: the least such a bucket can hold now, were
/// it one of them. Full once nothing dropped can still be short of tokens; empty right after a
/// drained bucket was dropped.
constexpr std::int64_t starting_tokens(const bucket_rate& r, std::int64_t lossy_until, std::int64_t now) noexcept {
  if (now >= lossy_until) return r.bucket_units;
  const std::int64_t gap = rate_limit_gap(lossy_until, now);
  if (gap >= r.full_after_ms) return 0;
  return std::max<std::int64_t>(0, r.bucket_units - gap * r.refill_per_ms);
}

/// A fixed number of token buckets, by key: allocated once, never grown. The entries are spread
/// over shards, each with its own mutex and its own share of the entries, and a new key in a
/// full shard evicts that shard's least recently used one. Keys are hashed with SipHash-2-4
/// under a random key, so a client cannot choose keys that collide.
///
/// Eviction forgets a bucket, and a forgotten client must not come back with more tokens than it
/// had: each shard remembers `lossy_until`, when every bucket it dropped short of tokens is full
/// again, and a key new to the shard starts with starting_tokens() (full while nothing was lost,
/// so an idle table of old, refilled entries costs newcomers nothing; empty under a flood).
class bucket_table {
 public:
  /// Rates by rate_limit_key_class: one address, an IPv6 /56, an IPv6 /48.
  using rates_type = std::array<bucket_rate, 3>;
  static constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

  /// How many shards a table of `capacity` entries has: up to 16, of at least 3 entries each
  /// when capacity allows, so that one IPv6 client's three buckets fit in its shard.
  static constexpr std::size_t shard_count_for(std::size_t capacity) noexcept {
    return std::clamp<std::size_t>(capacity / 3, 1, 16);
  }

  struct entry {
    rate_limit_key_type key{};
    std::uint64_t hash = 0;
    bucket state;
    std::uint32_t newer = none;  // LRU neighbours: towards the most and the least recently used
    std::uint32_t older = none;
  };

  // One shard: `entries` is a fixed array whose first `used` are live; `slots` is an
  // open-addressed (linear probing) index of them by hash; `newest`/`oldest` end the LRU list.
  // Aligned to its own cache lines, so threads on different shards do not contend. Every member
  // function is called with `mutex` held.
  struct alignas(64) shard {
    mutable std::mutex mutex;
    std::vector<entry> entries;
    std::vector<std::uint32_t> slots;
    std::size_t used = 0;
    std::uint32_t newest = none;
    std::uint32_t oldest = none;
    std::int64_t lossy_until = std::numeric_limits<std::int64_t>::min();

    [[nodiscard]] std::size_t home(std::uint64_t hash) const noexcept {
      return static_cast<std::size_t>(hash) & (slots.size() - 1);
    }

    /// The entry of `key`, made the most recently used; `none` if there is none.
    [[nodiscard]] std::uint32_t find(const rate_limit_key_type& key, std::uint64_t hash) noexcept {
      for (std::size_t i = home(hash); slots[i] != none; i = (i + 1) & (slots.size() - 1)) {
        const entry& e = entries[slots[i]];
        if (e.hash == hash && e.key == key) {
          touch(slots[i]);
          return slots[i];
        }
      }
      return none;
    }

    /// Records that a bucket, refilled, is forgotten.
    void drop(const bucket& b, const bucket_rate& r) noexcept {
      if (b.tokens < r.bucket_units) lossy_until = std::max(lossy_until, full_at(b, r));
    }

    /// Adds `key` (not in the shard) with `state`, evicting the least recently used entry if the
    /// shard is full, but none of `pinned` (the request's other entries here, all more recently
    /// used than any other). Returns the new entry, or `none` if only pinned entries could make
    /// room: then the state is dropped instead.
    std::uint32_t insert(const rate_limit_key_type& key, std::uint64_t hash, const bucket& state,
                         const bucket_rate& rate, const rates_type& rates, const std::uint32_t* pinned,
                         std::size_t pinned_count, std::int64_t now) noexcept {
      std::uint32_t index;
      if (used < entries.size()) {
        index = static_cast<std::uint32_t>(used++);
      } else {
        index = oldest;
        if (std::find(pinned, pinned + pinned_count, index) != pinned + pinned_count) {
          drop(state, rate);
          return none;
        }
        bucket evicted = entries[index].state;
        const bucket_rate& evicted_rate = rates[rate_limit_key_class(entries[index].key)];
        refill(evicted, evicted_rate, now);
        drop(evicted, evicted_rate);
        unindex(index);
        unlink(index);
      }
      std::size_t i = home(hash);
      while (slots[i] != none) i = (i + 1) & (slots.size() - 1);
      slots[i] = index;
      entries[index] = entry{key, hash, state, none, none};
      push_newest(index);
      return index;
    }

    void touch(std::uint32_t index) noexcept {
      if (newest == index) return;
      unlink(index);
      push_newest(index);
    }

    void push_newest(std::uint32_t index) noexcept {
      entries[index].older = newest;
      entries[index].newer = none;
      if (newest != none) entries[newest].newer = index;
      newest = index;
      if (oldest == none) oldest = index;
    }

    void unlink(std::uint32_t index) noexcept {
      entry& e = entries[index];
      if (e.newer != none) entries[e.newer].older = e.older;
      else newest = e.older;
      if (e.older != none) entries[e.older].newer = e.newer;
      else oldest = e.newer;
      e.newer = e.older = none;
    }

    // Removes an entry from `slots` by backward shifting, so no tombstones accumulate and every
    // lookup stays a short probe.
    void unindex(std::uint32_t index) noexcept {
      const std::size_t mask = slots.size() - 1;
      std::size_t hole = home(entries[index].hash);
      while (slots[hole] != index) hole = (hole + 1) & mask;
      slots[hole] = none;
      for (std::size_t j = (hole + 1) & mask; slots[j] != none; j = (j + 1) & mask) {
        const std::size_t k = home(entries[slots[j]].hash);
        // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
        const bool stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
        if (stays) continue;
        slots[hole] = slots[j];
        slots[j] = none;
        hole = j;
      }
    }
  };

  /// No table: a rule that is switched off.
  bucket_table() = default;

  bucket_table(std::size_t capacity, const rates_type& rates)
      : shards_(std::make_unique<shard[]>(shard_count_for(capacity))),
        shard_count_(shard_count_for(capacity)),
        capacity_(capacity),
        rates_(rates) {
    crypto::ensure_initialised();
    randombytes_buf(hash_key_.data(), hash_key_.size());
    for (std::size_t i = 0; i < shard_count_; ++i) {
      // Shard sizes differ by at most one and add up to capacity.
      const std::size_t size = (i + 1) * capacity / shard_count_ - i * capacity / shard_count_;
      std::size_t slots = 2;  // a power of two, at least twice the entries: probes stay short
      while (slots < 2 * size) slots *= 2;
      shards_[i].entries.resize(size);
      shards_[i].slots.assign(slots, none);
    }
  }

  [[nodiscard]] bool enabled() const noexcept { return shard_count_ > 0; }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  [[nodiscard]] const rates_type& rates() const noexcept { return rates_; }

  [[nodiscard]] std::uint64_t hash(const rate_limit_key_type& key) const noexcept {
    static_assert(crypto_shorthash_BYTES == sizeof(std::uint64_t) && crypto_shorthash_KEYBYTES == 16);
    unsigned char digest[crypto_shorthash_BYTES];
    crypto_shorthash(digest, key.data(), key.size(), hash_key_.data());
    std::uint64_t h = 0;
    std::memcpy(&h, digest, sizeof(h));
    return h;
  }

  /// The shard of a key hash. All keys of one address go to the shard of the widest one, so a
  /// request locks one shard per table, and a client varying its /64 within one /48 churns only
  /// that shard.
  [[nodiscard]] shard& shard_of(std::uint64_t widest_hash) const noexcept {
    return shards_[static_cast<std::size_t>((widest_hash >> 32) % shard_count_)];
  }

  /// How many buckets are remembered now (at most capacity()).
  [[nodiscard]] std::size_t tracked() const {
    std::size_t total = 0;
    for (std::size_t i = 0; i < shard_count_; ++i) {
      std::lock_guard lock(shards_[i].mutex);
      total += shards_[i].used;
    }
    return total;
  }

 private:
  std::unique_ptr<shard[]> shards_;
  std::size_t shard_count_ = 0;
  std::size_t capacity_ = 0;
  rates_type rates_{};
  std::array<unsigned char, crypto_shorthash_KEYBYTES> hash_key_{};
};

/// A bucket outside any table, with a mutex of its own: a ceiling over every request.
struct ceiling_bucket {
  std::mutex mutex;
  bucket state{0, std::numeric_limits<std::int64_t>::min()};  // set full by its owner
  bucket_rate rate;
};

/// The buckets a request takes from one table: the keys of its address, or of its email.
struct bucket_claim {
  bucket_table* table = nullptr;
  rate_limit_keys_type keys;
};

/// At most this many tables per request: its address's, its email's.
inline constexpr std::size_t max_bucket_claims = 2;

/// Takes one token from every bucket of `claims[0, count)` and from `ceiling` (if not null) at
/// `now`, or from none of them: std::nullopt if each had one, else the longest wait of those
/// that had none. Buckets new to their table are added when the request is allowed, or when
/// they start short of a token (what they record is when the retry may succeed); a new full
/// bucket of a refused request is not stored, since not storing it loses nothing.
///
/// Locks the shard of each claim in order, then the ceiling: claims must name distinct tables,
/// in one order that every caller follows, so that no two requests wait on each other.
inline std::optional<std::chrono::milliseconds> take_tokens(const std::array<bucket_claim, max_bucket_claims>& claims,
                                                            std::size_t count, ceiling_bucket* ceiling,
                                                            std::int64_t now) {
  struct pending {
    bucket_table::shard* shard = nullptr;
    std::array<std::uint64_t, 3> hash{};
    std::array<std::uint32_t, 3> index{};
    std::array<bucket, 3> state{};
  };
  std::array<pending, max_bucket_claims> p;
  for (std::size_t c = 0; c < count; ++c) {
    const bucket_claim& claim = claims[c];
    for (std::size_t i = 0; i < claim.keys.count; ++i) p[c].hash[i] = claim.table->hash(claim.keys.keys[i]);
    p[c].shard = &claim.table->shard_of(p[c].hash[claim.keys.count - 1]);
  }

  std::array<std::unique_lock<std::mutex>, max_bucket_claims + 1> locks;
  for (std::size_t c = 0; c < count; ++c) locks[c] = std::unique_lock(p[c].shard->mutex);
  if (ceiling) locks[count] = std::unique_lock(ceiling->mutex);

  // Count each bucket's tokens now. Refilling a stored bucket changes nothing it would answer.
  std::int64_t wait = 0;
  for (std::size_t c = 0; c < count; ++c) {
    bucket_table::shard& s = *p[c].shard;
    for (std::size_t i = 0; i < claims[c].keys.count; ++i) {
      const bucket_rate& r = claims[c].table->rates()[i];
      p[c].index[i] = s.find(claims[c].keys.keys[i], p[c].hash[i]);
      if (p[c].index[i] != bucket_table::none) {
        refill(s.entries[p[c].index[i]].state, r, now);
        p[c].state[i] = s.entries[p[c].index[i]].state;
      } else {
        p[c].state[i] = bucket{starting_tokens(r, s.lossy_until, now), now};
      }
      wait = std::max(wait, wait_for_token(p[c].state[i], r, now));
    }
  }
  if (ceiling) {
    refill(ceiling->state, ceiling->rate, now);
    wait = std::max(wait, wait_for_token(ceiling->state, ceiling->rate, now));
  }
  const bool allowed = wait == 0;

  // All or nothing.
  for (std::size_t c = 0; c < count; ++c) {
    bucket_table::shard& s = *p[c].shard;
    const bucket_table::rates_type& rates = claims[c].table->rates();
    std::array<std::uint32_t, 3> pinned{};
    std::size_t pinned_count = 0;
    for (std::size_t i = 0; i < claims[c].keys.count; ++i)
      if (p[c].index[i] != bucket_table::none) pinned[pinned_count++] = p[c].index[i];
    for (std::size_t i = 0; i < claims[c].keys.count; ++i) {
      bucket& state = p[c].state[i];
      if (allowed) state.tokens -= rates[i].token_units;
      if (p[c].index[i] != bucket_table::none) {
        if (allowed) s.entries[p[c].index[i]].state = state;
      } else if (allowed || state.tokens < rates[i].bucket_units) {
        const std::uint32_t added = s.insert(claims[c].keys.keys[i], p[c].hash[i], state, rates[i], rates,
                                             pinned.data(), pinned_count, now);
        if (added != bucket_table::none) pinned[pinned_count++] = added;
      }
    }
  }
  if (ceiling && allowed) ceiling->state.tokens -= ceiling->rate.token_units;
  if (allowed) return std::nullopt;
  return std::chrono::milliseconds{wait};
}

}  // namespace detail

/// A token bucket per client (request_context::ip_address, keyed as detail::rate_limit_keys
/// describes), for every credential operation together: each holds at most N tokens and refills
/// continuously at N per Period; a sign-in or sign-up takes one. `aa::per_ip<10, std::chrono::minutes>`
/// allows bursts of 10 and 10 a minute after that. An IPv6 request also takes a token from its
/// /56, which holds ipv6_56_factor times as many, and its /48, ipv6_48_factor times: all three,
/// or none if one is short.
///
/// At most MaxTracked buckets are remembered (an IPv6 client uses three): memory is allocated
/// once, at construction, and never grows; a new bucket in a full shard evicts its least
/// recently used one, and starts short of tokens while an evicted bucket could still be (see
/// detail::bucket_table). Below MaxTracked 3, one IPv6 client's three buckets do not fit together:
/// those left out count as evicted, so the limit errs towards refusing.
///
/// Arithmetic is exact, in integers: one token is `num` units where Period is num/den
/// milliseconds, and a bucket gains N * den units a millisecond. The wait returned is rounded up
/// to whole milliseconds: a token is available after exactly that long, not a millisecond before.
template <std::size_t N, class Period, std::size_t MaxTracked = 65536>
class per_ip {
 public:
  /// An IPv6 /56's budget, in /64 budgets.
  static constexpr std::uint32_t ipv6_56_factor = 4;
  /// An IPv6 /48's budget, in /64 budgets.
  static constexpr std::uint32_t ipv6_48_factor = 16;

 private:
  using period_ms = typename detail::period_in_ms<Period>::type;
  static constexpr std::int64_t arithmetic_limit = detail::rate_limit_arithmetic_limit;
  static constexpr std::uint64_t max_factor = std::max(ipv6_56_factor, ipv6_48_factor);

  static_assert(N > 0, "[anonauth.E119] aa::per_ip<N, Period, MaxTracked>: N, the sign-ins allowed per Period, is 0");
  static_assert(detail::is_chrono_duration<Period>::value,
                "[anonauth.E119] aa::per_ip<N, Period, MaxTracked>: Period is not a std::chrono::duration "
                "(e.g. std::chrono::minutes)");
  static_assert(period_ms::num >= period_ms::den,
                "[anonauth.E119] aa::per_ip<N, Period, MaxTracked>: Period is shorter than one millisecond");
  static_assert(MaxTracked > 0, "[anonauth.E119] aa::per_ip<N, Period, MaxTracked>: MaxTracked is 0");
  // The largest bucket, a /48's, bounds every product.
  static_assert(period_ms::num <= arithmetic_limit && period_ms::den <= arithmetic_limit &&
                    N <= static_cast<std::uint64_t>(arithmetic_limit / period_ms::num) / max_factor &&
                    N <= static_cast<std::uint64_t>(arithmetic_limit / period_ms::den) / max_factor,
                "[anonauth.E119] aa::per_ip<N, Period, MaxTracked>: N per Period, counted in milliseconds, "
                "is too large for 64-bit arithmetic");
  static_assert(MaxTracked <= (std::size_t{1} << 30),
                "[anonauth.E119] aa::per_ip<N, Period, MaxTracked>: MaxTracked is above 2^30");

  static constexpr bool valid = N > 0 && period_ms::num >= period_ms::den && period_ms::num <= arithmetic_limit &&
                                period_ms::den <= arithmetic_limit &&
                                N <= static_cast<std::uint64_t>(arithmetic_limit / period_ms::num) / max_factor &&
                                N <= static_cast<std::uint64_t>(arithmetic_limit / period_ms::den) / max_factor;

  static constexpr detail::bucket_table::rates_type rates() noexcept {
    if constexpr (!valid) {
      return {};  // never used: a static_assert above failed
    } else {
      constexpr auto n = static_cast<std::uint64_t>(N);
      return {detail::make_bucket_rate(n, period_ms::num, period_ms::den),
              detail::make_bucket_rate(n * ipv6_56_factor, period_ms::num, period_ms::den),
              detail::make_bucket_rate(n * ipv6_48_factor, period_ms::num, period_ms::den)};
    }
  }

 public:
  static constexpr bool enabled = true;
  /// The most buckets remembered at once.
  static constexpr std::size_t capacity = MaxTracked;
  /// How many independently locked shards hold them (the LRU order is per shard).
  static constexpr std::size_t shards = detail::bucket_table::shard_count_for(MaxTracked);

  per_ip() : table_(MaxTracked, rates()) {}

  // Movable, since the buckets live on the heap (anonymous_auth initialises its limiter from a
  // value); a moved-from limiter may only be destroyed or assigned to.
  per_ip(per_ip&&) noexcept = default;
  per_ip& operator=(per_ip&&) noexcept = default;
  per_ip(const per_ip&) = delete;
  per_ip& operator=(const per_ip&) = delete;
  ~per_ip() = default;

  /// Takes a token from the buckets of `request.ip_address` at `now`, whatever the operation:
  /// std::nullopt if each had one, otherwise how long until they do. Allocates nothing.
  [[nodiscard]] std::optional<std::chrono::milliseconds> acquire(const rate_limit_request& request,
                                                                 monotonic_time now) {
    const std::array<detail::bucket_claim, detail::max_bucket_claims> claims{
        {{&table_, detail::rate_limit_keys(request.ip_address)}}};
    return detail::take_tokens(claims, 1, nullptr, static_cast<std::int64_t>(now.time_since_epoch().count()));
  }

  /// How many buckets are remembered now (at most `capacity`).
  [[nodiscard]] std::size_t tracked() const { return table_.tracked(); }

 private:
  detail::bucket_table table_;
};

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

static_assert(rate_limit_policy<no_rate_limit>);
static_assert(rate_limit_policy<per_ip<1, std::chrono::seconds, 1>>);
static_assert(rate_limit_policy<credential_limits>);

}  // namespace anonauth
