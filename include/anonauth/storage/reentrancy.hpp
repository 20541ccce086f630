// anonauth/storage/reentrancy.hpp: refusing a call back into a storage from its own transaction.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace anonauth::detail {

/// Marks this thread as inside a transaction of `storage` for its lifetime. A second guard for
/// the same storage on the same thread (a migrator or an update_user edit calling back into the
/// auth, or any call while a where() range of the thread keeps a transaction open) would deadlock
/// on the storage's lock; it throws std::logic_error instead.
///
/// The guards of a thread form a list, not a stack: a range's guard lives as long as the range,
/// and ranges die in any order. A guard must die on the thread that made it (it is in that
/// thread's list, and a range's lock may be released only there): on another, it aborts with a
/// message rather than corrupt both threads' lists.
class reentrancy_guard {
 public:
  /// What holds the storage: a transaction's function, or a range that keeps one open.
  enum class holder { transaction, range };

  explicit reentrancy_guard(const void* storage, holder by = holder::transaction)
      : storage_(storage), by_(by), home_(&top()) {
    for (const reentrancy_guard* g = top(); g != nullptr; g = g->below_)
      if (g->storage_ == storage_) throw std::logic_error(message(g->by_));
    below_ = top();
    if (below_ != nullptr) below_->above_ = this;
    top() = this;
  }
  ~reentrancy_guard() {
    require_home_thread();
    if (above_ != nullptr) above_->below_ = below_;
    else top() = below_;
    if (below_ != nullptr) below_->above_ = above_;
  }
  reentrancy_guard(const reentrancy_guard&) = delete;
  reentrancy_guard& operator=(const reentrancy_guard&) = delete;

  /// Aborts, saying why, unless called on the thread that made the guard. A range holding a
  /// storage calls it before it releases anything.
  void require_home_thread() const noexcept {
    if (&top() == home_) return;
    std::fputs(by_ == holder::range
                   ? "anonauth: a where() range was destroyed on another thread than the one that made it\n"
                   : "anonauth: a storage transaction ended on another thread than the one that began it\n",
               stderr);
    std::abort();
  }

 private:
  static const char* message(holder by) noexcept {
    return by == holder::range
               ? "anonauth: call into a storage while a where() range of this thread holds it open (let the range "
                 "go first, or copy its rows out with ranges::to<std::vector>)"
               : "anonauth: re-entrant call into the same storage from inside its transaction "
                 "(use the context a migrator is given, not the auth object)";
  }
  static reentrancy_guard*& top() {
    thread_local reentrancy_guard* newest = nullptr;
    return newest;
  }
  const void* storage_;
  holder by_;
  reentrancy_guard* const* home_;  // the making thread's list (its thread_local head)
  reentrancy_guard* below_ = nullptr;  // made earlier on this thread
  reentrancy_guard* above_ = nullptr;  // made later
};

}  // namespace anonauth::detail
