// Forked children of a test: a counter they meet at, and a guard that never leaves one behind.
// Fork only while the test process runs no other thread; a child leaves with _exit, never
// returning into Catch2.
#pragma once

#include <atomic>
#include <chrono>
#include <csignal>
#include <new>
#include <thread>

#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace test_processes {

/// A counter in memory shared with forked children: a barrier the two children meet at
/// before every guest, so that each guest is raced for afresh.
class shared_counter {
  static_assert(std::atomic<unsigned>::is_always_lock_free, "a process-shared counter must be lock-free");

 public:
  shared_counter() {
    void* p = ::mmap(nullptr, sizeof(std::atomic<unsigned>), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) value_ = new (p) std::atomic<unsigned>(0);
  }
  shared_counter(const shared_counter&) = delete;
  shared_counter& operator=(const shared_counter&) = delete;
  ~shared_counter() {
    if (value_ != nullptr) ::munmap(value_, sizeof(std::atomic<unsigned>));
  }
  [[nodiscard]] bool ok() const noexcept { return value_ != nullptr; }
  /// Counts one (a tally the children keep, rather than a barrier).
  void add() noexcept { value_->fetch_add(1); }
  [[nodiscard]] unsigned value() const noexcept { return value_->load(); }

  /// Arrives as one of `parties`, at meeting `n` (0, 1, ...); false if the others did not come
  /// within the deadline.
  bool meet(unsigned parties, unsigned n) noexcept {
    value_->fetch_add(1);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
    while (value_->load() < parties * (n + 1)) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::yield();
    }
    return true;
  }

 private:
  std::atomic<unsigned>* value_ = nullptr;
};

/// Kills and reaps a child that is still running (a failed REQUIRE must not leave it behind).
struct child_guard {
  pid_t pid = -1;
  ~child_guard() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  /// Its wait status, or -1 if it did not end within a minute (it is then killed).
  int reap() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes{1};
    int status = 0;
    for (;;) {
      const pid_t done = ::waitpid(pid, &status, WNOHANG);
      if (done == pid) break;
      if (done < 0 || std::chrono::steady_clock::now() > deadline) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
    pid = -1;
    return status;
  }
};

inline bool exited_cleanly(int status) { return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0; }

}  // namespace test_processes
