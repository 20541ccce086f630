// anonauth/policy/hashing.hpp: how many password hashes may run at once.
//
// Argon2id takes its memory (64 MiB at the default cost) for each hash in flight, so a burst of
// sign-ins would take the process's memory with it. aa::anonymous_auth lets at most
// `in_flight` hashes or verifications run; a sign-in beyond waits up to `max_wait` for one to
// end, then is refused with SERVER_BUSY (503) and a retry-after, having hashed nothing:
//
//   auth_type auth{config, aa::hashing_limits{.in_flight = 4, .max_wait = std::chrono::seconds{1}}};
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

namespace anonauth {

/// The bound on password hashing, given to aa::anonymous_auth's constructor.
struct hashing_limits {
  /// Hashes or verifications at once; 0: the number of cores (std::thread::hardware_concurrency).
  std::size_t in_flight = 0;
  /// How long a sign-in waits for a free slot before SERVER_BUSY.
  std::chrono::milliseconds max_wait{std::chrono::seconds{2}};
};

namespace detail {

/// A counting gate: at most `slots` holders at once, a waiter gives up after its bound.
class hash_gate {
 public:
  explicit hash_gate(const hashing_limits& limits = {})
      : slots_(limits.in_flight > 0 ? limits.in_flight : std::max<std::size_t>(1, std::thread::hardware_concurrency())),
        max_wait_(limits.max_wait) {
    if (limits.max_wait < std::chrono::milliseconds::zero())
      throw std::invalid_argument("anonauth: hashing_limits::max_wait is negative");
  }

  /// A held slot, released when it goes out of scope; false when none freed up in time.
  class permit {
   public:
    explicit permit(hash_gate* gate) noexcept : gate_(gate) {}
    permit(permit&& other) noexcept : gate_(std::exchange(other.gate_, nullptr)) {}
    permit(const permit&) = delete;
    permit& operator=(const permit&) = delete;
    permit& operator=(permit&&) = delete;
    ~permit() {
      if (gate_) gate_->release();
    }
    explicit operator bool() const noexcept { return gate_ != nullptr; }

   private:
    hash_gate* gate_;
  };

  [[nodiscard]] permit acquire() {
    std::unique_lock lock(mutex_);
    if (!freed_.wait_for(lock, max_wait_, [this] { return busy_ < slots_; })) return permit(nullptr);
    ++busy_;
    return permit(this);
  }

  [[nodiscard]] std::size_t slots() const noexcept { return slots_; }
  [[nodiscard]] std::chrono::milliseconds max_wait() const noexcept { return max_wait_; }

 private:
  void release() noexcept {
    {
      std::lock_guard lock(mutex_);
      --busy_;
    }
    freed_.notify_one();
  }

  std::size_t slots_;
  std::chrono::milliseconds max_wait_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::size_t busy_ = 0;
};

}  // namespace detail
}  // namespace anonauth
