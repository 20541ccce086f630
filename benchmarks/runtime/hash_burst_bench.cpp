// Memory under a burst of sign-ins: 64 threads sign in at once with unknown emails, each paying
// one Argon2id verification at the default cost (64 MiB). With aa::hashing_limits at the number
// of cores, the process's peak resident memory stays near cores x 64 MiB; with the bound raised
// to 64 (what anonauth did before it had one), it is 64 x 64 MiB.
//
//   anonauth_bench_hash_burst [burst=64]
//
// One JSON line per configuration: the bound and how long a sign-in may wait for it, the burst, the peak RSS growth during the burst
// (VmHWM after resetting it through /proc/self/clear_refs), how many sign-ins were checked and
// how many were refused SERVER_BUSY, and the wall time.
#include <anonauth/anonauth.hpp>

#include "bench_schema.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace aa = anonauth;

/// A line of /proc/self/status in KiB: "VmHWM" (the resident-memory high-water mark) or "VmRSS".
long status_kib(const std::string& key) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind(key + ":", 0) == 0) return std::strtol(line.c_str() + key.size() + 1, nullptr, 10);
  return -1;
}

/// Resets VmHWM to the current RSS (Linux 4.0 and later), so each run measures its own peak.
bool reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  return static_cast<bool>(clear.flush());
}

using auth_type = aa::anonymous_auth<bench::schema, aa::link<bench::migrations>>;  // aa::argon2id<>: 64 MiB

void run(std::size_t in_flight, int burst, std::chrono::milliseconds max_wait) {
  auth_type auth{{}, aa::hashing_limits{.in_flight = in_flight, .max_wait = max_wait}};
  if (!reset_peak_rss()) {
    std::fprintf(stderr, "cannot reset the peak RSS (/proc/self/clear_refs)\n");
    std::exit(1);
  }
  const long before = status_kib("VmRSS");
  std::atomic<int> checked{0}, busy{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < burst; ++i)
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      auto r = auth.sign_in_email({"nobody" + std::to_string(i) + "@example.com", "a password"},
                                  aa::request_context{std::nullopt, "198.51.100.1", "bench"});
      if (!r && r.error().code() == "SERVER_BUSY") ++busy;
      else if (!r) ++checked;
    });
  const auto start = std::chrono::steady_clock::now();
  go = true;
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const long peak = status_kib("VmHWM");
  std::printf("{\"bench\":\"hash_burst\",\"in_flight\":%zu,\"max_wait_ms\":%lld,\"burst\":%d,"
              "\"peak_rss_growth_mib\":%.1f,\"checked\":%d,\"server_busy\":%d,\"seconds\":%.2f}\n",
              in_flight, static_cast<long long>(max_wait.count()), burst, static_cast<double>(peak - before) / 1024.0,
              checked.load(), busy.load(), seconds);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const int burst = argc > 1 ? std::atoi(argv[1]) : 64;
  if (burst < 1) {
    std::fprintf(stderr, "usage: anonauth_bench_hash_burst [burst >= 1]\n");
    return 2;
  }
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const std::chrono::milliseconds patient{std::chrono::minutes{1}};  // every sign-in waits its turn
  run(cores, burst, patient);                                  // the default bound
  run(static_cast<std::size_t>(burst), burst, patient);        // no effective bound: before aa::hashing_limits
  run(cores, burst, patient);                                  // again, once the unbounded run's memory is freed
  run(cores, burst, aa::hashing_limits{}.max_wait);            // the defaults: who waits past 2 s is told SERVER_BUSY
}
