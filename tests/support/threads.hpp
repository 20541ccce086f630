// Starting test threads together.
#pragma once

#include <cstddef>
#include <latch>
#include <thread>
#include <vector>

namespace test_threads {

/// Runs body(i) on `n` threads that all start at once; returns when every one has finished.
/// Catch2's assertions are not thread-safe: bodies record results, the caller checks them.
template <class Body>
void run_together(std::size_t n, Body body) {
  std::latch start(static_cast<std::ptrdiff_t>(n));
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      body(i);
    });
  for (auto& t : threads) t.join();
}

}  // namespace test_threads
