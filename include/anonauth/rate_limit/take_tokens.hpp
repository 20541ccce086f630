// anonauth/rate_limit/take_tokens.hpp: one request's tokens, taken from every bucket that
// applies to it, or from none.
#pragma once

#include <anonauth/rate_limit/bucket.hpp>
#include <anonauth/rate_limit/bucket_table.hpp>
#include <anonauth/rate_limit/keys.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>

namespace anonauth::detail {

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

}  // namespace anonauth::detail
