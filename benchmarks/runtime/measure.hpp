// What every runtime benchmark shares: timing one operation at a time, summarising the
// latencies (ops/s over the time spent in the operation, median, p99, mean), the purge fixture's
// size, and the one JSON line each program prints per configuration:
//
//   {"bench":..., "config":..., "storage":..., <the program's own fields>, "quick":..., "threads":1,
//    "hardware_threads":..., "loadavg_1_5_15":{"start":[...],"end":[...]},
//    "ops":{"<operation>":{"n":..., "ops_per_s":..., "median_ms":..., "p99_ms":..., "mean_ms":...
//                          [, extra per-operation numbers]}, ...}}
//
// scripts/bench.sh reads these keys with awk: keep each line flat past "ops" (no nested objects
// inside an operation) and keep these key names.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace bench_support {

using clock = std::chrono::steady_clock;

/// One JSON member: its key and its value, already JSON text.
struct json_field {
  std::string key;
  std::string value;
};

struct stats {
  std::string name;
  std::size_t n = 0;
  double ops_per_s = 0, median_ms = 0, p99_ms = 0, mean_ms = 0;
  std::vector<json_field> extra;  // printed after mean_ms; numbers only (see the header)
};

/// `s` as a JSON string (quotes, backslashes and control characters escaped).
inline std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += escaped;
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

inline std::string json_number(double v, int decimals) {
  char out[64];
  std::snprintf(out, sizeof out, "%.*f", decimals, v);
  return out;
}

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

/// Emails unique across every phase and database of a run.
inline std::string next_email() {
  static std::size_t unique = 0;
  return "user" + std::to_string(++unique) + "@bench.example";
}

/// Fixes glibc's allocator thresholds at the values its dynamic adjustment reaches in any process
/// once a 64 MiB block has been freed, which the first Argon2id hash (libsodium's INTERACTIVE
/// cost) does: mmap above 32 MiB, give memory back to the kernel only when 64 MiB are free at the
/// top of the heap. Left dynamic, they depend on what ran earlier in the process: a phase that
/// frees memory every transaction (the purge: SQLite's journal, freed at each COMMIT) ran up to
/// 4 times slower, in page faults, in a program that had not hashed yet (a floor) than in one that
/// had. Every program calls this first, so every phase runs as in a server that has hashed once.
inline void pin_allocator() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
#endif
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

/// The fields every line starts with, in order: bench, config, storage, then `own` (the program's
/// description of its configuration), quick, threads (the benchmarks run one), hardware threads,
/// and the load averages at `load_start` (taken before the configuration ran) and now.
inline std::vector<json_field> run_fields(std::string_view bench, std::string_view config, std::string_view storage,
                                          std::vector<json_field> own, bool quick, const std::string& load_start) {
  std::vector<json_field> out{{"bench", json_string(bench)}, {"config", json_string(config)},
                              {"storage", json_string(storage)}};
  for (auto& field : own) out.push_back(std::move(field));
  out.push_back({"quick", quick ? "true" : "false"});
  out.push_back({"threads", "1"});
  out.push_back({"hardware_threads", std::to_string(std::thread::hardware_concurrency())});
  std::string load = "{\"start\":";
  load += load_start;
  load += ",\"end\":";
  load += loadavg();
  load += "}";
  out.push_back({"loadavg_1_5_15", std::move(load)});
  return out;
}

/// The "sqlite" field of the SQLite programs' lines: the library's version and how the database
/// was opened ("synchronous" is "default" in memory, where it does not apply).
inline json_field sqlite_field(std::string_view version, bool file, std::string_view journal_mode,
                               std::string_view synchronous) {
  // Built by appending: GCC 12 at -O3 warns (-Wrestrict, a false positive) on "literal" + temporary.
  std::string value = "{\"version\":";
  value += json_string(version);
  value += ",\"database\":";
  value += json_string(file ? "file in the temp dir" : "memory");
  value += ",\"journal_mode\":";
  value += json_string(journal_mode);
  value += ",\"synchronous\":";
  value += json_string(file ? synchronous : "default");
  value += "}";
  return {"sqlite", std::move(value)};
}

/// Prints one line: the header fields, then "ops" with every operation's stats; flushes, so a
/// line is out before the next configuration starts.
inline void print_json_line(const std::vector<json_field>& header, const std::vector<stats>& all) {
  std::string line = "{";
  for (const auto& field : header) {
    line += json_string(field.key);
    line += ":";
    line += field.value;
    line += ",";
  }
  line += "\"ops\":{";
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& s = all[i];
    if (i > 0) line += ",";
    line += json_string(s.name);
    char numbers[256];
    std::snprintf(numbers, sizeof numbers, ":{\"n\":%zu,\"ops_per_s\":%.1f,\"median_ms\":%.4f,\"p99_ms\":%.4f,\"mean_ms\":%.4f",
                  s.n, s.ops_per_s, s.median_ms, s.p99_ms, s.mean_ms);
    line += numbers;
    for (const auto& field : s.extra) {
      line += ",";
      line += json_string(field.key);
      line += ":";
      line += field.value;
    }
    line += "}";
  }
  line += "}}\n";
  std::fputs(line.c_str(), stdout);
  std::fflush(stdout);
}

// --- the purge of guests ---------------------------------------------------------------------------

/// What every purge_<guests> phase runs on: `guests` guests (one session and one cart row each,
/// created untimed before each purge) beside `real_users` real users (a credential account, a
/// session and one cart row each) that the purge must leave alone. The timed operation is one
/// purge_anonymous_users call deleting every guest; the library works in transactions of
/// `batch` guests (its default batch size), and so do the floors. The phase is named after the
/// guests it deletes ("purge_10000"; a configuration that deletes fewer says so in its name and
/// in "guests").
namespace purge {
inline constexpr std::size_t guests = 10000;
inline constexpr std::size_t real_users = 100;
inline constexpr std::size_t batch = 256;
inline std::size_t repetitions(bool quick) { return quick ? 1 : 5; }  // calls, for the in-memory storages
inline std::string phase_name(std::size_t guest_count) { return "purge_" + std::to_string(guest_count); }
}  // namespace purge

/// Adds to a purge's stats how many guests each call deleted and the latency per guest, in µs.
inline stats per_guest(stats s, std::size_t guest_count) {
  const double per = 1000.0 / static_cast<double>(guest_count);
  s.extra.push_back({"guests", std::to_string(guest_count)});
  s.extra.push_back({"per_guest_median_us", json_number(s.median_ms * per, 3)});
  s.extra.push_back({"per_guest_mean_us", json_number(s.mean_ms * per, 3)});
  return s;
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

// --- operations in flight on several threads ----------------------------------------------------

inline double seconds(clock::duration d) { return std::chrono::duration<double>(d).count(); }

struct parallel_run {
  double wall_s = 0;
  std::vector<double> ms;  // every operation's latency, all threads
};

/// Runs op(t, i), i < per_thread, on each of `threads` threads released together, timing every
/// operation alone; the wall time runs from the release to the end of the last thread.
template <class Op>
parallel_run run_parallel(unsigned threads, std::size_t per_thread, Op&& op) {
  std::vector<std::vector<double>> ms(threads);
  std::vector<clock::time_point> ends(threads);
  std::atomic<unsigned> ready{0};
  std::atomic<bool> go{false}, failed{false};
  std::mutex error_mutex;
  std::string error;
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      auto& mine = ms[t];
      mine.reserve(per_thread);
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      try {
        for (std::size_t i = 0; i < per_thread && !failed.load(std::memory_order_relaxed); ++i) {
          const auto t0 = clock::now();
          op(t, i);
          mine.push_back(std::chrono::duration<double, std::milli>(clock::now() - t0).count());
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(error_mutex);
        if (!failed.exchange(true)) error = e.what();
      }
      ends[t] = clock::now();
    });
  while (ready.load() < threads) std::this_thread::yield();
  const auto start = clock::now();
  go.store(true, std::memory_order_release);
  for (auto& th : pool) th.join();
  if (failed) fail(error);
  parallel_run out;
  for (const auto& end : ends) out.wall_s = std::max(out.wall_s, seconds(end - start));
  for (const auto& v : ms) out.ms.insert(out.ms.end(), v.begin(), v.end());
  return out;
}

/// Latency percentiles of a parallel run, with ops_per_s as throughput: operations / wall time.
inline stats throughput(std::string name, parallel_run run) {
  const double n = static_cast<double>(run.ms.size());
  stats s = summarise(std::move(name), std::move(run.ms), 1.0);
  s.ops_per_s = n / run.wall_s;
  return s;
}

}  // namespace bench_support
