// Scaling benchmark of anonymous_auth: how its throughput and latency change with the request
// threads sharing one auth object, with concurrent Argon2id links, with the rows a link moves and
// with the users in the database. Four curves, each runnable alone:
//
//   threads   T = 1, 2, 4 ... 2 x hardware threads hammer one auth: throughput (operations over
//             wall time) of anonymous sign-in, get-session and a link without hashing (no_hash,
//             0 rows), on the memory storage and on an SQLite file with the defaults (WAL,
//             synchronous=NORMAL, 4 read connections); speed-up over T = 1.
//   hashing   links with the default hasher (Argon2id, libsodium's INTERACTIVE cost) on T = 1 ...
//             hardware threads, against h, the rate of the hash alone on one thread:
//             efficiency = links/s / (hardware threads x h). The target is >= 90 % at
//             T = hardware threads, since hashing runs outside transactions. The hash alone on T
//             threads is measured too: the ceiling the hardware (memory bandwidth) allows.
//   rows      a link moving 1, 10 ... 100 000 cart rows (no hashing) on memory, SQLite in memory
//             and an SQLite file: time per link and per row; k, the slope of log(t - t(1 row))
//             over log(rows) for rows >= 1000, is "linear" within 0.9 ... 1.1.
//   table     10^3 ... 10^6 users in the database: median and p99 latency of sign-in and
//             get-session on memory and an SQLite file; "flat" when the median grows < 2x.
//
// stdout: one JSON line per measured point ("bench":"anonauth-scaling", "curve", "storage", "op",
// "x", "n", "ops_per_s", "median_ms", "p99_ms", "mean_ms", curve-specific numbers) and one per
// verdict ("verdict"); stderr: a readable table per curve. Every point checks its outcome (users
// counted, guests gone, rows moved) and a failed check exits with 1. Numbers mean something only
// on a quiet machine: any other load on the cores skews the thread and hashing curves first.
//
//   anonauth_bench_scaling [--quick] [threads|hashing|rows|table]...   (default: all four;
//   --quick shrinks every curve to under a minute, the full run takes a few minutes on 2 cores)
#include <anonauth/anonauth.hpp>
#include <anonauth/storage/sqlite/sqlite.hpp>

#include "bench_schema.hpp"
#include "measure.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iterator>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace aa = anonauth;

namespace bench {

using bench_support::clock;
using bench_support::fail;
using bench_support::loadavg;
using bench_support::measure;
using bench_support::remove_database;
using bench_support::stats;
using bench_support::summarise;
using bench_support::seconds;
using bench_support::parallel_run;
using bench_support::run_parallel;
using bench_support::throughput;

struct run_options {
  bool quick = false;
  unsigned cores = 1;  // std::thread::hardware_concurrency(), at least 1
};

// --- auths over each storage ------------------------------------------------------------------

enum class store_kind { memory, sqlite_memory, sqlite_file };
struct store {
  const char* name;
  store_kind kind;
};
constexpr store memory_store{"memory", store_kind::memory};
constexpr store sqlite_memory_store{"sqlite-memory", store_kind::sqlite_memory};
constexpr store sqlite_file_store{"sqlite-file-wal", store_kind::sqlite_file};

template <class Storage, class Hasher>
using auth_of = aa::anonymous_auth<schema, aa::storage<Storage>, aa::link<migrations>, aa::password_hasher<Hasher>>;

std::string open_database;  // removed at exit too, so a failed check leaves no file behind

void remove_open_database() { remove_database(open_database); }

/// Runs fn(auth) on a fresh auth over `s` (for SQLite, a new file, removed afterwards): no point
/// inherits another's rows or WAL.
template <class Hasher, class Fn>
void with_auth(const store& s, Fn&& fn) {
  if (s.kind == store_kind::memory) {
    auth_of<aa::memory_storage, Hasher> auth;
    fn(auth);
    return;
  }
  open_database = s.kind == store_kind::sqlite_file
                      ? (std::filesystem::temp_directory_path() /
                         ("anonauth-scaling-bench-" + std::to_string(::getpid()) + ".db"))
                            .string()
                      : std::string();
  remove_database(open_database);
  {
    aa::sqlite_config cfg;  // the defaults: WAL, synchronous=NORMAL, 4 read connections
    cfg.path = open_database;
    auth_of<aa::sqlite_storage, Hasher> auth(cfg);
    fn(auth);
  }
  remove_database(open_database);
  open_database.clear();
}

// --- untimed set-up ---------------------------------------------------------------------------

/// A 32-character id: prefix and zero-padded k (seeded rows are rebuilt from k, not stored).
std::string fixed32(char prefix, std::size_t k) {
  char out[40];
  std::snprintf(out, sizeof out, "%c%031zu", prefix, k);
  return out;
}
std::string seed_id(std::size_t k) { return fixed32('g', k); }
std::string seed_token(std::size_t k) { return fixed32('t', k); }

/// Mutations per set-up transaction: the memory storage keeps an undo step per mutation until the
/// commit, so its batches stay moderate; SQLite wants them big (one commit per batch).
template <class Auth>
constexpr std::size_t write_batch() {
  return std::is_same_v<typename Auth::storage_type, aa::memory_storage> ? 500 : 100000;
}

/// Inserts guests [from, to), each with an unexpired session, through the storage's own writer in
/// batches: the rows sign_in_anonymous writes, at bulk speed (one API sign-in per guest would cost
/// a commit each and dominate the run at 10^6 users).
template <class Auth>
void seed_guests(Auth& auth, std::size_t from, std::size_t to) {
  using user_t = typename Auth::user_type;
  const aa::timestamp now = aa::system_clock{}.now();
  const aa::timestamp expires = now + std::chrono::duration_cast<std::chrono::milliseconds>(Auth::session_lifetime);
  constexpr std::size_t batch = write_batch<Auth>() / 2;  // two rows per guest
  for (std::size_t begin = from; begin < to; begin += batch) {
    const std::size_t end = std::min(to, begin + batch);
    auth.storage().write([&](auto& tx) {
      for (std::size_t k = begin; k < end; ++k) {
        user_t u{};
        u.id = seed_id(k);
        u.name = "Anonymous";
        u.email = "temp-" + u.id + "@seed.bench.example";
        u.email_verified = false;
        u.is_anonymous = true;
        u.created_at = now;
        u.updated_at = now;
        tx.insert_user(u);
        aa::session_record r;
        r.hash = aa::crypto::hash_token(seed_token(k));
        r.session = aa::session{fixed32('s', k), u.id, expires, now, now, "127.0.0.1", "bench"};
        tx.insert_session(r);
      }
    });
  }
}

template <class Auth>
std::size_t user_count(Auth& auth) {
  return auth.template table<user>().count();
}

// --- running on T threads ---------------------------------------------------------------------

/// A failed check inside a worker thread: caught there, reported once all threads have stopped.
void require(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what);
}

/// 1, 2, 4 ... up to `limit`, and `limit` itself.
std::vector<unsigned> thread_counts(unsigned limit) {
  std::vector<unsigned> out;
  for (unsigned t = 1; t < limit; t *= 2) out.push_back(t);
  out.push_back(limit);
  return out;
}

// --- output -----------------------------------------------------------------------------------

std::string num(double v) {
  if (!std::isfinite(v)) return "null";
  char out[48];
  if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(out, sizeof out, "%.0f", v);
  else std::snprintf(out, sizeof out, std::fabs(v) >= 1e5 ? "%.1f" : "%.6g", v);
  return out;
}

using extras = std::vector<std::pair<std::string, double>>;

struct point {
  std::string curve, storage, op;
  double x = 0;
  stats s;
  extras extra;  // the curve's own numbers (speed-up, efficiency, per-row time...)
};

double extra_of(const point& p, std::string_view key) {
  for (const auto& [k, v] : p.extra)
    if (k == key) return v;
  return std::nan("");
}

void emit(const point& p, const run_options& o) {
  std::string line = "{\"bench\":\"anonauth-scaling\",\"curve\":\"" + p.curve + "\",\"storage\":\"" + p.storage +
                     "\",\"op\":\"" + p.op + "\",\"x\":" + num(p.x) + ",\"n\":" + std::to_string(p.s.n) +
                     ",\"ops_per_s\":" + num(p.s.ops_per_s) + ",\"median_ms\":" + num(p.s.median_ms) +
                     ",\"p99_ms\":" + num(p.s.p99_ms) + ",\"mean_ms\":" + num(p.s.mean_ms);
  for (const auto& [k, v] : p.extra) line += ",\"" + k + "\":" + num(v);
  line += ",\"quick\":" + std::string(o.quick ? "true" : "false") + ",\"hardware_threads\":" + std::to_string(o.cores) +
          ",\"loadavg_1_5_15\":" + loadavg() + "}";
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

void emit_verdict(const std::string& curve, const std::string& storage, const std::string& op, const std::string& verdict,
                  const extras& extra, const run_options& o) {
  std::string line = "{\"bench\":\"anonauth-scaling\",\"curve\":\"" + curve + "\",\"storage\":\"" + storage +
                     "\",\"op\":\"" + op + "\",\"verdict\":\"" + verdict + "\"";
  for (const auto& [k, v] : extra) line += ",\"" + k + "\":" + num(v);
  line += ",\"quick\":" + std::string(o.quick ? "true" : "false") + ",\"hardware_threads\":" + std::to_string(o.cores) + "}";
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

// --- curve 1: threads -------------------------------------------------------------------------

enum class operation { sign_in_anonymous, get_session, link_no_hash };
constexpr std::pair<operation, const char*> operations[] = {
    {operation::sign_in_anonymous, "sign_in_anonymous"},
    {operation::get_session, "get_session"},
    {operation::link_no_hash, "link_no_hash"},
};

/// One throughput run of `op` on a fresh auth: T threads, per_thread operations each.
parallel_run run_operation(const store& s, operation op, unsigned threads, std::size_t per_thread) {
  parallel_run out;
  with_auth<no_hash>(s, [&](auto& auth) {
    const std::size_t total = threads * per_thread;
    if (op == operation::sign_in_anonymous) {
      out = run_parallel(threads, per_thread, [&](unsigned, std::size_t) {
        auto r = auth.sign_in_anonymous({});
        require(r && r->user.is_anonymous && r->token.size() == 32, "sign-in");
      });
      if (user_count(auth) != total) fail("sign-in: users created != sign-ins");
    } else if (op == operation::get_session) {
      // A pool of 10 000 sessions, read in a scattered order (table size is the "table" curve's).
      const std::size_t pool = 10000;
      seed_guests(auth, 0, pool);
      std::vector<std::string> tokens, ids;
      for (std::size_t k = 0; k < pool; ++k) {
        tokens.push_back(seed_token(k));
        ids.push_back(seed_id(k));
      }
      out = run_parallel(threads, per_thread, [&](unsigned t, std::size_t i) {
        const std::size_t k = ((t * per_thread + i) * 2654435761u) % pool;
        auto view = auth.get_session(tokens[k]);
        require(view && view->user.id == ids[k], "get-session: no session, or another user's");
      });
    } else {
      seed_guests(auth, 0, total);
      std::vector<std::string> tokens, emails;
      for (std::size_t k = 0; k < total; ++k) {
        tokens.push_back(seed_token(k));
        emails.push_back("link-" + std::to_string(k) + "@bench.example");
      }
      out = run_parallel(threads, per_thread, [&](unsigned t, std::size_t i) {
        const std::size_t k = t * per_thread + i;
        auto linked = auth.sign_up_email({emails[k], "correct horse battery", "Bench", {}},
                                         aa::request_context{tokens[k], "127.0.0.1", "bench"});
        require(linked && !linked->user.is_anonymous, "link: " + std::string(linked ? "" : linked.error().code()));
      });
      if (user_count(auth) != total) fail("link: users != guests (each guest replaced by one user)");
      for (std::size_t k = 0; k < total; ++k)
        if (auth.find_user(seed_id(k))) fail("link: a guest is still there");
    }
  });
  return out;
}

/// Operations per second at T = 1, from runs growing 4x until one lasts 0.1 s.
double calibrate(const store& s, operation op) {
  for (std::size_t n = 64;; n *= 4) {
    const auto run = run_operation(s, op, 1, n);
    if (run.wall_s >= 0.1 || n >= (std::size_t{1} << 22)) return static_cast<double>(n) / run.wall_s;
  }
}

std::string scaling_verdict(double speedup, unsigned cores) {
  if (cores > 1 && speedup >= 0.75 * cores) return "scales";
  if (speedup >= 1.2) return "scales partly";
  if (speedup >= 0.8) return "serialised";
  return "slows down";
}

void curve_threads(const run_options& o) {
  const auto counts = thread_counts(o.quick ? 2 : std::max(4u, 2 * o.cores));
  const double seconds_per_point = o.quick ? 0.25 : 1.0;  // per run at T = 1; less as threads help
  const std::size_t repeats = o.quick ? 1 : 3;
  std::vector<point> all;
  for (const store& s : {memory_store, sqlite_file_store}) {
    for (const auto& [op, op_name] : operations) {
      const double rate = calibrate(s, op);
      const auto total = static_cast<std::size_t>(std::max(rate * seconds_per_point, 50.0 * counts.back()));
      double base = 0;
      for (unsigned t : counts) {
        const std::size_t per_thread = (total + t - 1) / t;  // the same work at every T
        // Several runs, the one of median throughput kept: a run that another process
        // interrupted should not decide a speed-up.
        std::vector<stats> runs;
        for (std::size_t r = 0; r < repeats; ++r) runs.push_back(throughput(op_name, run_operation(s, op, t, per_thread)));
        std::sort(runs.begin(), runs.end(), [](const stats& a, const stats& b) { return a.ops_per_s < b.ops_per_s; });
        point p{"threads", s.name, op_name, static_cast<double>(t), runs[runs.size() / 2], {}};
        if (t == 1) base = p.s.ops_per_s;
        p.extra = {{"threads", t},
                   {"speedup", p.s.ops_per_s / base},
                   {"runs", static_cast<double>(repeats)},
                   {"min_ops_per_s", runs.front().ops_per_s},
                   {"max_ops_per_s", runs.back().ops_per_s}};
        emit(p, o);
        all.push_back(std::move(p));
      }
    }
  }

  std::fprintf(stderr, "\nthreads: T threads on one auth, throughput = operations / wall time (%u hardware threads)\n", o.cores);
  std::fprintf(stderr, "%-16s %-18s %4s %12s %21s %9s %11s %10s\n", "storage", "operation", "T", "ops/s",
               "range of runs", "speed-up", "median ms", "p99 ms");
  for (const auto& p : all)
    std::fprintf(stderr, "%-16s %-18s %4.0f %12.0f %10.0f-%-10.0f %8.2fx %11.4f %10.4f\n", p.storage.c_str(), p.op.c_str(),
                 p.x, p.s.ops_per_s, extra_of(p, "min_ops_per_s"), extra_of(p, "max_ops_per_s"), extra_of(p, "speedup"),
                 p.s.median_ms, p.s.p99_ms);
  for (std::size_t i = 0; i < all.size(); i += counts.size()) {
    const auto at_cores = std::find_if(all.begin() + static_cast<std::ptrdiff_t>(i),
                                       all.begin() + static_cast<std::ptrdiff_t>(i + counts.size()),
                                       [&](const point& p) { return p.x >= o.cores; });
    const auto& best = *std::max_element(all.begin() + static_cast<std::ptrdiff_t>(i),
                                         all.begin() + static_cast<std::ptrdiff_t>(i + counts.size()),
                                         [](const point& a, const point& b) { return a.s.ops_per_s < b.s.ops_per_s; });
    const double speedup = extra_of(*at_cores, "speedup");
    const std::string verdict = scaling_verdict(speedup, o.cores);
    std::fprintf(stderr, "  %s %s: %.2fx at T=%.0f (%u hardware threads), best %.2fx at T=%.0f -> %s\n",
                 at_cores->storage.c_str(), at_cores->op.c_str(), speedup, at_cores->x, o.cores,
                 extra_of(best, "speedup"), best.x, verdict.c_str());
    emit_verdict("threads", at_cores->storage, at_cores->op, verdict,
                 {{"threads", at_cores->x}, {"speedup", speedup}, {"best_threads", best.x}, {"best_speedup", extra_of(best, "speedup")}}, o);
  }
}

// --- curve 2: concurrent links with hashing ---------------------------------------------------

void curve_hashing(const run_options& o) {
  const auto counts = thread_counts(o.cores);
  const std::size_t per_thread = o.quick ? 2 : 8;
  const aa::argon2id<> hasher;
  const auto check_hash = [](const std::string& encoded) { require(encoded.rfind("$argon2id$", 0) == 0, "hash: not Argon2id"); };
  std::vector<point> all;

  // h: the hash alone on one thread, each timed alone.
  point alone{"hashing", "none", "argon2id_hash", 1,
              measure("argon2id_hash", o.quick ? 3 : 8, [](std::size_t) {},
                      [&](std::size_t) { check_hash(hasher.hash("correct horse battery")); }),
              {}};
  const double h = alone.s.ops_per_s;
  const double ideal = o.cores * h;
  alone.extra = {{"threads", 1}, {"hash_per_s", h}, {"efficiency", h / ideal}};
  emit(alone, o);
  all.push_back(alone);

  // The hash alone on T threads: what the hardware allows (Argon2id is memory-bound).
  std::vector<double> ceiling;
  for (unsigned t : counts) {
    point p{"hashing", "none", "argon2id_hash_parallel", static_cast<double>(t),
            throughput("argon2id_hash_parallel",
                       run_parallel(t, per_thread, [&](unsigned, std::size_t) { check_hash(hasher.hash("correct horse battery")); })),
            {}};
    ceiling.push_back(p.s.ops_per_s);
    p.extra = {{"threads", t}, {"hash_per_s", h}, {"efficiency", p.s.ops_per_s / ideal}};
    emit(p, o);
    all.push_back(std::move(p));
  }

  for (const store& s : {memory_store, sqlite_file_store}) {
    for (std::size_t c = 0; c < counts.size(); ++c) {
      const unsigned t = counts[c];
      parallel_run run;
      with_auth<aa::argon2id<>>(s, [&](auto& auth) {
        const std::size_t total = t * per_thread;
        seed_guests(auth, 0, total);
        run = run_parallel(t, per_thread, [&](unsigned thread, std::size_t i) {
          const std::size_t k = thread * per_thread + i;
          auto linked = auth.sign_up_email({"argon-" + std::to_string(k) + "@bench.example", "correct horse battery", "Bench", {}},
                                           aa::request_context{seed_token(k), "127.0.0.1", "bench"});
          require(linked && !linked->user.is_anonymous, "link: " + std::string(linked ? "" : linked.error().code()));
        });
        if (user_count(auth) != total) fail("argon2id link: users != guests");
        for (std::size_t k = 0; k < total; ++k)
          if (auth.find_user(seed_id(k))) fail("argon2id link: a guest is still there");
      });
      point p{"hashing", s.name, "link_argon2id", static_cast<double>(t), throughput("link_argon2id", std::move(run)), {}};
      p.extra = {{"threads", t},
                 {"hash_per_s", h},
                 {"efficiency", p.s.ops_per_s / ideal},
                 {"of_parallel_hash", p.s.ops_per_s / ceiling[c]}};
      emit(p, o);
      all.push_back(std::move(p));
    }
  }

  std::fprintf(stderr, "\nhashing: Argon2id (INTERACTIVE) links on T threads; h = %.2f hashes/s on one thread; "
               "efficiency = rate / (%u x h)\n", h, o.cores);
  std::fprintf(stderr, "%-16s %-22s %4s %10s %11s %14s %11s\n", "storage", "operation", "T", "per s", "efficiency",
               "of hash-only", "median ms");
  for (const auto& p : all) {
    char of_hash[32] = "-";
    if (p.op == "link_argon2id") std::snprintf(of_hash, sizeof of_hash, "%.1f%%", 100 * extra_of(p, "of_parallel_hash"));
    std::fprintf(stderr, "%-16s %-22s %4.0f %10.2f %10.1f%% %14s %11.1f\n", p.storage.c_str(), p.op.c_str(), p.x,
                 p.s.ops_per_s, 100 * extra_of(p, "efficiency"), of_hash, p.s.median_ms);
  }
  const double hash_efficiency = ceiling.back() / ideal;
  std::fprintf(stderr, "  the hash alone on %u threads: %.1f%% of %u x h (the hardware's own ceiling)\n", counts.back(),
               100 * hash_efficiency, o.cores);
  for (const auto& p : all) {
    if (p.op != "link_argon2id" || p.x != counts.back()) continue;
    const double e = extra_of(p, "efficiency");
    const std::string verdict = e >= 0.9 ? "target met" : "target missed";
    std::fprintf(stderr, "  %s: %.2f links/s at T=%.0f, efficiency %.1f%% (target >= 90%%; %.1f%% of the hash-only rate) -> %s\n",
                 p.storage.c_str(), p.s.ops_per_s, p.x, 100 * e, 100 * extra_of(p, "of_parallel_hash"), verdict.c_str());
    emit_verdict("hashing", p.storage, p.op, verdict,
                 {{"threads", p.x}, {"efficiency", e}, {"of_parallel_hash", extra_of(p, "of_parallel_hash")},
                  {"hash_only_efficiency", hash_efficiency}},
                 o);
  }
}

// --- curve 3: rows moved per link -------------------------------------------------------------

/// Links moving `rows` cart rows, `reps` times, on one auth. The moved rows are deleted after each
/// check, so every link meets the same (empty) cart table.
template <class Auth>
stats link_moving(Auth& auth, std::size_t rows, std::size_t reps) {
  static std::size_t unique = 0;
  std::string guest_token, guest_id, linked_id;
  return measure(
      "link_no_hash", reps,
      [&](std::size_t) {
        auto guest = auth.sign_in_anonymous({});
        if (!guest) fail("guest sign-in");
        guest_token = guest->token;
        guest_id = guest->user.id;
        for (std::size_t begin = 0; begin < rows; begin += write_batch<Auth>())
          auth.storage().write([&](auto& tx) {
            for (std::size_t r = begin; r < std::min(rows, begin + write_batch<Auth>()); ++r)
              tx.template insert<cart_item>({guest_id + "-" + std::to_string(r), guest_id, "sku", 1});
          });
      },
      [&](std::size_t) {
        auto linked = auth.sign_up_email({"rows-" + std::to_string(++unique) + "@bench.example", "correct horse battery", "Bench", {}},
                                         aa::request_context{guest_token, "127.0.0.1", "bench"});
        if (!linked) fail("link: " + std::string(linked.error().code()));
        linked_id = linked->user.id;
      },
      [&](std::size_t) {
        if (auth.find_user(guest_id)) fail("link: the guest is still there");
        if (!auth.template table<cart_item>().template find_by<&cart_item::user_id>(guest_id).empty())
          fail("link: rows left with the guest");
        const auto moved = auth.template table<cart_item>().template find_by<&cart_item::user_id>(linked_id);
        if (moved.size() != rows) fail("link: " + std::to_string(moved.size()) + " of " + std::to_string(rows) + " rows moved");
        for (std::size_t begin = 0; begin < rows; begin += write_batch<Auth>())
          auth.storage().write([&](auto& tx) {
            for (std::size_t r = begin; r < std::min(rows, begin + write_batch<Auth>()); ++r)
              if (!tx.template erase<cart_item>(moved[r].id)) fail("link: a moved row cannot be deleted");
          });
      });
}

/// Least-squares slope of log(y) over log(x).
double log_slope(const std::vector<std::pair<double, double>>& xy) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const auto& [x, y] : xy) {
    const double lx = std::log(x), ly = std::log(y);
    sx += lx;
    sy += ly;
    sxx += lx * lx;
    sxy += lx * ly;
  }
  const double n = static_cast<double>(xy.size());
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

void curve_rows(const run_options& o) {
  // rows, repetitions: few at the top, where one link takes a good part of a second.
  const std::vector<std::pair<std::size_t, std::size_t>> plan =
      o.quick ? std::vector<std::pair<std::size_t, std::size_t>>{{1, 20}, {10, 20}, {100, 10}, {1000, 5}, {10000, 3}}
              : std::vector<std::pair<std::size_t, std::size_t>>{{1, 50}, {10, 50}, {100, 30}, {1000, 10}, {10000, 5}, {100000, 3}};
  std::vector<point> all;
  std::vector<std::tuple<std::string, double, std::string>> verdicts;
  for (const store& s : {memory_store, sqlite_memory_store, sqlite_file_store}) {
    std::vector<point> series;
    with_auth<no_hash>(s, [&](auto& auth) {
      link_moving(auth, 1, 5);  // warm-up, not kept: first statements prepared, first allocations made
      for (const auto& [rows, reps] : plan) {
        point p{"rows", s.name, "link_no_hash", static_cast<double>(rows), link_moving(auth, rows, reps), {}};
        series.push_back(std::move(p));
      }
      if (auth.template table<cart_item>().count() != 0) fail("rows: cart rows left behind");
    });
    const double t0 = series.front().s.median_ms;
    std::vector<std::pair<double, double>> fit;
    for (std::size_t i = 0; i < series.size(); ++i) {
      auto& p = series[i];
      const double marginal = p.s.median_ms - t0;
      // The slope from the previous point alone: shows where a curve bends (a cache size, say).
      const double previous = i > 0 ? series[i - 1].s.median_ms - t0 : 0;
      const double k_local = i > 1 && marginal > 0 && previous > 0
                                 ? std::log(marginal / previous) / std::log(p.x / series[i - 1].x)
                                 : std::nan("");
      p.extra = {{"rows", p.x},
                 {"us_per_row", 1000 * p.s.median_ms / p.x},
                 {"marginal_us_per_row", p.x > 1 ? 1000 * marginal / (p.x - 1) : std::nan("")},
                 {"k_local", k_local}};
      if (p.x >= 1000 && marginal > 0) fit.emplace_back(p.x, marginal);
      emit(p, o);
      all.push_back(p);
    }
    const double k = fit.size() >= 2 ? log_slope(fit) : std::nan("");
    const std::string verdict = !std::isfinite(k) ? "undetermined" : (k >= 0.9 && k <= 1.1 ? "linear" : (k < 0.9 ? "sublinear" : "superlinear"));
    emit_verdict("rows", s.name, "link_no_hash", verdict, {{"k", k}, {"t0_ms", t0}, {"fit_points", static_cast<double>(fit.size())}}, o);
    verdicts.emplace_back(s.name, k, verdict);
  }

  std::fprintf(stderr, "\nrows: a link (no hashing) moving N cart rows; time per link (median) and per row\n");
  std::fprintf(stderr, "%-16s %8s %4s %12s %12s %12s %16s %8s\n", "storage", "rows", "n", "median ms", "p99 ms", "us/row",
               "us/row over 1", "k local");
  for (const auto& p : all)
    std::fprintf(stderr, "%-16s %8.0f %4zu %12.4f %12.4f %12.4f %16.4f %8.2f\n", p.storage.c_str(), p.x, p.s.n,
                 p.s.median_ms, p.s.p99_ms, extra_of(p, "us_per_row"), extra_of(p, "marginal_us_per_row"),
                 extra_of(p, "k_local"));
  for (const auto& [name, k, verdict] : verdicts)
    std::fprintf(stderr, "  %s: t - t(1 row) ~ rows^k for rows >= 1000, k = %.3f -> %s (linear: 0.9 <= k <= 1.1)\n",
                 name.c_str(), k, verdict.c_str());
}

// --- curve 4: table size ----------------------------------------------------------------------

void curve_table(const run_options& o) {
  const std::vector<std::size_t> sizes =
      o.quick ? std::vector<std::size_t>{1000, 10000, 100000} : std::vector<std::size_t>{1000, 10000, 100000, 1000000};
  const std::size_t sign_ins = o.quick ? 500 : 2000;
  const std::size_t gets = o.quick ? 5000 : 20000;
  std::vector<point> all;
  std::vector<std::tuple<std::string, std::string, double, double>> verdicts;  // storage, op, median and p99 growth
  for (const store& s : {memory_store, sqlite_file_store}) {
    std::vector<point> series;
    with_auth<no_hash>(s, [&](auto& auth) {
      std::size_t seeded = 0, signed_in = 0;
      std::mt19937_64 rng(20240601);
      for (std::size_t size : sizes) {
        // Top up to `size` users (the sign-ins measured before count too).
        const std::size_t users = seeded + signed_in;
        if (size > users) {
          seed_guests(auth, seeded, seeded + (size - users));
          seeded += size - users;
        }
        if (user_count(auth) != seeded + signed_in) fail("table: user count after seeding");
        const double x = static_cast<double>(seeded + signed_in);

        // get-session first, at exactly `size` users; a uniformly random seeded session each time.
        std::size_t k = 0;
        std::string token, found;
        point get{"table", s.name, "get_session", x,
                  measure(
                      "get_session", gets,
                      [&](std::size_t) {
                        k = static_cast<std::size_t>(rng() % seeded);
                        token = seed_token(k);
                      },
                      [&](std::size_t) {
                        auto view = auth.get_session(token);
                        if (!view) fail("get-session: no session");
                        found = std::move(view->user.id);
                      },
                      [&](std::size_t) {
                        if (found != seed_id(k)) fail("get-session: another user");
                      }),
                  {{"users", x}}};
        point sign{"table", s.name, "sign_in_anonymous", x,
                   measure("sign_in_anonymous", sign_ins, [](std::size_t) {},
                           [&](std::size_t) {
                             auto r = auth.sign_in_anonymous({});
                             if (!r || !r->user.is_anonymous) fail("sign-in");
                           }),
                   {{"users", x}}};
        signed_in += sign_ins;
        if (user_count(auth) != seeded + signed_in) fail("table: user count after sign-ins");
        series.push_back(std::move(sign));
        series.push_back(std::move(get));
      }
    });
    for (const auto& p : series) {
      emit(p, o);
      all.push_back(p);
    }
    for (const char* op : {"sign_in_anonymous", "get_session"}) {
      std::vector<const point*> points;
      for (const auto& p : series)
        if (p.op == op) points.push_back(&p);
      const double median_growth = points.back()->s.median_ms / points.front()->s.median_ms;
      const double p99_growth = points.back()->s.p99_ms / points.front()->s.p99_ms;
      const std::string verdict = median_growth < 2 ? "flat" : "grows";
      emit_verdict("table", s.name, op, verdict,
                   {{"from_users", points.front()->x}, {"to_users", points.back()->x}, {"median_growth", median_growth},
                    {"p99_growth", p99_growth}},
                   o);
      verdicts.emplace_back(s.name, op, median_growth, p99_growth);
    }
  }

  std::fprintf(stderr, "\ntable: latency with N users (and sessions) in the database\n");
  std::fprintf(stderr, "%-16s %-18s %10s %6s %12s %12s %12s\n", "storage", "operation", "users", "n", "ops/s",
               "median ms", "p99 ms");
  for (const auto& p : all)
    std::fprintf(stderr, "%-16s %-18s %10.0f %6zu %12.0f %12.4f %12.4f\n", p.storage.c_str(), p.op.c_str(), p.x, p.s.n,
                 p.s.ops_per_s, p.s.median_ms, p.s.p99_ms);
  for (const auto& [storage, op, median_growth, p99_growth] : verdicts)
    std::fprintf(stderr, "  %s %s: median x%.2f, p99 x%.2f from %zu to %zu users -> %s (flat: < 2x)\n", storage.c_str(),
                 op.c_str(), median_growth, p99_growth, sizes.front(), sizes.back(), median_growth < 2 ? "flat" : "grows");
}

}  // namespace bench

int main(int argc, char** argv) {
  using namespace bench;
  const std::pair<const char*, void (*)(const run_options&)> curves[] = {
      {"threads", curve_threads}, {"hashing", curve_hashing}, {"rows", curve_rows}, {"table", curve_table}};
  run_options o;
  o.cores = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::size_t> chosen;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto it = std::find_if(std::begin(curves), std::end(curves), [&](const auto& c) { return arg == c.first; });
    if (arg == "--quick") {
      o.quick = true;
    } else if (it != std::end(curves)) {
      chosen.push_back(static_cast<std::size_t>(it - std::begin(curves)));
    } else {
      std::fprintf(stderr, "usage: %s [--quick] [threads|hashing|rows|table]...\n", argv[0]);
      return 2;
    }
  }
  if (chosen.empty())
    for (std::size_t i = 0; i < std::size(curves); ++i) chosen.push_back(i);

  std::atexit(remove_open_database);
  const std::string load_start = loadavg();
  const auto start = clock::now();
  try {
    for (std::size_t i : chosen) curves[i].second(o);
  } catch (const std::exception& e) {
    fail(e.what());
  }
  const std::string load_end = loadavg();
  std::fprintf(stderr, "\n%s run: %.0f s; load average (1, 5, 15 min) %s at the start, %s at the end\n",
               o.quick ? "quick" : "full", seconds(clock::now() - start), load_start.c_str(), load_end.c_str());
  // Another process on the cores skews the thread and hashing curves first: say so.
  for (const std::string& load : {load_start, load_end})
    if (load.size() > 1 && load[0] == '[' && std::strtod(load.c_str() + 1, nullptr) > 0.5) {
      std::fprintf(stderr, "the machine was busy (1-minute load above 0.5): these numbers are noisy; take final ones on a quiet machine\n");
      break;
    }
}
