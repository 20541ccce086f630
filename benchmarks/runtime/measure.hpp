// What every runtime benchmark shares: timing one operation at a time and summarising the
// latencies (ops/s over the time spent in the operation, median, p99, mean).
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace bench_support {

using clock = std::chrono::steady_clock;

struct stats {
  std::string name;
  std::size_t n = 0;
  double ops_per_s = 0, median_ms = 0, p99_ms = 0, mean_ms = 0;
};

inline stats summarise(std::string name, std::vector<double> ms, double busy_s) {
  std::sort(ms.begin(), ms.end());
  stats s;
  s.name = std::move(name);
  s.n = ms.size();
  s.ops_per_s = static_cast<double>(ms.size()) / busy_s;
  s.median_ms = ms[ms.size() / 2];
  s.p99_ms = ms[std::min(ms.size() - 1, (ms.size() * 99) / 100)];
  double sum = 0;
  for (double v : ms) sum += v;
  s.mean_ms = sum / static_cast<double>(ms.size());
  return s;
}

/// Times `op(i)` n times, each measured alone; `prepare(i)` runs untimed before each and
/// `check(i)` untimed after each.
template <class Prepare, class Op, class Check>
stats measure(std::string name, std::size_t n, Prepare&& prepare, Op&& op, Check&& check) {
  std::vector<double> ms;
  ms.reserve(n);
  double busy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    prepare(i);
    const auto t0 = clock::now();
    op(i);
    const double d = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
    ms.push_back(d);
    busy += d;
    check(i);
  }
  return summarise(std::move(name), std::move(ms), busy / 1000.0);
}

template <class Prepare, class Op>
stats measure(std::string name, std::size_t n, Prepare&& prepare, Op&& op) {
  return measure(std::move(name), n, std::forward<Prepare>(prepare), std::forward<Op>(op), [](std::size_t) {});
}

/// The 1, 5 and 15 minute load averages as a JSON array ("null" where /proc has none).
inline std::string loadavg() {
  std::ifstream in("/proc/loadavg");
  double a = 0, b = 0, c = 0;
  if (!(in >> a >> b >> c)) return "null";
  char out[64];
  std::snprintf(out, sizeof out, "[%.2f,%.2f,%.2f]", a, b, c);
  return out;
}

/// Removes a database file and the files SQLite keeps beside it.
inline void remove_database(const std::string& path) {
  if (path.empty()) return;
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix, ignored);
}

/// The configurations named on the command line (all when none is), and whether --quick is.
/// An unknown argument prints the usage and exits with 2.
template <class Config, std::size_t N>
std::vector<const Config*> choose(int argc, char** argv, const std::array<Config, N>& all, bool& quick) {
  std::vector<const Config*> chosen;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto it = std::find_if(all.begin(), all.end(), [&](const Config& c) { return arg == c.name; });
    if (arg == "--quick") {
      quick = true;
    } else if (it != all.end()) {
      chosen.push_back(&*it);
    } else {
      std::fprintf(stderr, "usage: %s [--quick] [sqlite-memory|sqlite-file-peer|sqlite-file-wal]...\n", argv[0]);
      std::exit(2);
    }
  }
  if (chosen.empty())
    for (const auto& config : all) chosen.push_back(&config);
  return chosen;
}

/// A benchmark whose operation did not do its work measures nothing: stop with exit code 1.
[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "benchmark check failed: %s\n", what.c_str());
  std::exit(1);
}

}  // namespace bench_support
