// anonauth/storage/reentrancy.hpp: refusing a call back into a storage from its own transaction.
#pragma once

#include <stdexcept>

namespace anonauth::detail {

/// Marks this thread as inside a transaction of `storage` for its lifetime. A second guard for
/// the same storage on the same thread (a migrator or an update_user edit calling back into the
/// auth) would deadlock on the storage's lock; it throws std::logic_error instead.
class reentrancy_guard {
 public:
  explicit reentrancy_guard(const void* storage) : storage_(storage) {
    if (held() == storage_)
      throw std::logic_error("anonauth: re-entrant call into the same storage from inside its transaction "
                             "(use the context a migrator is given, not the auth object)");
    previous_ = held();
    held() = storage_;
  }
  ~reentrancy_guard() { held() = previous_; }
  reentrancy_guard(const reentrancy_guard&) = delete;
  reentrancy_guard& operator=(const reentrancy_guard&) = delete;

 private:
  static const void*& held() {
    thread_local const void* current = nullptr;
    return current;
  }
  const void* storage_;
  const void* previous_ = nullptr;
};

}  // namespace anonauth::detail
