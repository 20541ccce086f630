// anonauth/rate_limit/bucket_table.hpp: a fixed number of token buckets by key, sharded, with
// least-recently-used eviction that never hands a forgotten client fresh tokens.
#pragma once

#include <anonauth/crypto/primitives.hpp>
#include <anonauth/rate_limit/bucket.hpp>
#include <anonauth/rate_limit/keys.hpp>

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <vector>

namespace anonauth::detail {

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

}  // namespace anonauth::detail
