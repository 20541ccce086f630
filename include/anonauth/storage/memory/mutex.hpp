// anonauth/storage/memory/mutex.hpp: the memory storage's reader-writer lock.
#pragma once

#include <shared_mutex>
#include <system_error>

#if defined(__GLIBC__)
#include <pthread.h>
#endif

namespace anonauth::detail::memory {

/// A shared mutex that lets a waiting writer in before new readers, so a steady stream of
/// get-session calls cannot starve sign-ins (glibc's default rwlock, behind std::shared_mutex,
/// prefers readers). Meets the SharedMutex requirements for std::unique_lock / std::shared_lock.
#if defined(__GLIBC__)
class writer_preferring_mutex {
 public:
  writer_preferring_mutex() {
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    const int rc = pthread_rwlock_init(&lock_, &attr);
    pthread_rwlockattr_destroy(&attr);
    if (rc != 0) throw std::system_error(rc, std::generic_category(), "anonauth: pthread_rwlock_init");
  }
  ~writer_preferring_mutex() { pthread_rwlock_destroy(&lock_); }
  writer_preferring_mutex(const writer_preferring_mutex&) = delete;
  writer_preferring_mutex& operator=(const writer_preferring_mutex&) = delete;

  void lock() { check(pthread_rwlock_wrlock(&lock_)); }
  void unlock() { pthread_rwlock_unlock(&lock_); }
  void lock_shared() { check(pthread_rwlock_rdlock(&lock_)); }
  void unlock_shared() { pthread_rwlock_unlock(&lock_); }

 private:
  static void check(int rc) {
    if (rc != 0) throw std::system_error(rc, std::generic_category(), "anonauth: pthread_rwlock");
  }
  pthread_rwlock_t lock_;
};
#else
using writer_preferring_mutex = std::shared_mutex;  // platforms whose rwlock is already fair enough
#endif

}  // namespace anonauth::detail::memory
