// Runtime benchmark of anonymous_auth on the SQLite storage: the phases of memory_bench.cpp
// (anonymous sign-in, get-session, a link by sign-up moving 0, 100 and 10 000 cart rows with
// hashing excluded by a no-op hasher, the same with Argon2id at its default cost for 0 and 100
// rows, and purge_10000: one purge_anonymous_users call deleting 10 000 guests), plus the peer's
// concurrency-4 pair (argon2id_hash_c4: the hash alone, and link_argon2id_c4: a link with it,
// 4 in flight on 4 threads, ops/s = operations / wall time), in three
// configurations, one JSON line each (see measure.hpp) with "bench":"anonauth-sqlite":
//
//   sqlite-memory      the default config: a private in-memory database
//   sqlite-file-peer   a file in the temp dir with Better Auth's SQLite settings
//                      (journal_mode=DELETE, synchronous=FULL: every commit is fsync'd, so
//                      it runs a fifth of the operations of the other two, and its purge
//                      deletes 2 500 guests: purge_2500)
//   sqlite-file-wal    a file in the temp dir with anonauth's defaults (WAL, synchronous=NORMAL)
//
// The purge runs on a fresh database holding only its fixture: the guests (a session and a cart
// row each) are written in one transaction through the storage, untimed, because 10 000
// sign-ins, each its own fsync'd commit, would take longer than the whole rest of a
// sqlite-file-peer run; the real users it must keep sign up as usual.
//
// sqlite_floor.cpp does the same SQL work by hand against the SQLite C API; scripts/bench.sh runs
// both and prints the ratios.
//
//   scripts/bench.sh            (or: anonauth_bench_sqlite [--quick] [configuration...]; default: all three)
#include <anonauth/anonauth.hpp>
#include <anonauth/storage/sqlite/sqlite.hpp>

#include "bench_schema.hpp"
#include "library_phases.hpp"
#include "measure.hpp"

#include <sqlite3.h>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace aa = anonauth;

namespace bench {

using auth_no_hash =
    aa::anonymous_auth<schema, aa::storage<aa::sqlite_storage>, aa::link<migrations>, aa::password_hasher<no_hash>>;
using auth_argon2 = aa::anonymous_auth<schema, aa::storage<aa::sqlite_storage>, aa::link<migrations>>;

using bench_support::clock;
using bench_support::fail;
using bench_support::link_phase;
using bench_support::next_email;
using bench_support::loadavg;
using bench_support::remove_database;
using bench_support::measure;
using bench_support::stats;

struct configuration {
  const char* name;
  bool file;
  aa::sqlite_journal journal;
  aa::sqlite_synchronous synchronous;
  std::size_t divisor;  // of memory_bench's n: every commit of sqlite-file-peer waits for fsync
  // The purge: guests per call and calls in a full run (one with --quick). On a file, a batch's
  // commit (and with WAL, the checkpoints its pages cause) waits for fsync, so a call costs
  // seconds on a busy disk: fewer calls, and on sqlite-file-peer a quarter of the guests.
  std::size_t purge_guests;
  std::size_t purge_repetitions;
};

constexpr std::array<configuration, 3> configurations{{
    {"sqlite-memory", false, aa::sqlite_journal::wal, aa::sqlite_synchronous::normal, 1, bench_support::purge::guests, 5},
    {"sqlite-file-peer", true, aa::sqlite_journal::rollback, aa::sqlite_synchronous::full, 5, 2500, 3},
    {"sqlite-file-wal", true, aa::sqlite_journal::wal, aa::sqlite_synchronous::normal, 1, bench_support::purge::guests, 3},
}};


/// The configuration's journal mode as a fresh connection to the file reports it.
std::string journal_mode_of(const std::string& path) {
  if (path.empty()) return "memory";
  sqlite3* db = nullptr;
  std::string mode = "?";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      mode = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
  }
  sqlite3_close_v2(db);
  return mode;
}


/// Better Auth's concurrency-4 pair: the hash alone, then links (sign-up carrying a fresh guest's
/// session, Argon2id), `per_thread` each on 4 threads released together. Their ratio shows how
/// much of the hardware's parallel hashing a link keeps: hashing runs outside every transaction.
template <class Auth>
void concurrent_link_phases(Auth& auth, std::size_t per_thread, std::vector<stats>& all) {
  constexpr unsigned in_flight = 4;
  const aa::argon2id<> hasher;
  all.push_back(bench_support::throughput(
      "argon2id_hash_c4", bench_support::run_parallel(in_flight, per_thread, [&](unsigned, std::size_t) {
        if (hasher.hash("correct horse battery").rfind("$argon2id$", 0) != 0) fail("hash: not Argon2id");
      })));
  std::vector<std::string> tokens(in_flight * per_thread), ids(in_flight * per_thread), emails(in_flight * per_thread);
  for (std::size_t k = 0; k < tokens.size(); ++k) {  // untimed: the guests and their emails
    auto guest = auth.sign_in_anonymous({});
    if (!guest) fail("guest sign-in");
    tokens[k] = guest->token;
    ids[k] = guest->user.id;
    emails[k] = next_email();
  }
  std::vector<std::string> linked(tokens.size());
  all.push_back(bench_support::throughput(
      "link_argon2id_c4", bench_support::run_parallel(in_flight, per_thread, [&](unsigned t, std::size_t i) {
        const std::size_t k = t * per_thread + i;
        auto result = auth.sign_up_email({emails[k], "correct horse battery", "Bench", {}},
                                         aa::request_context{tokens[k], "127.0.0.1", "bench"});
        if (!result) fail("concurrent link: " + std::string(result.error().code()));
        linked[k] = result->user.id;
      })));
  for (std::size_t k = 0; k < tokens.size(); ++k)
    if (linked[k].empty() || auth.find_user(ids[k]) || auth.get_session(tokens[k]))
      fail("concurrent link: a guest not linked or still there");
}

/// purge_<guests> on `auth`'s fresh database: the real users once, then before each purge the
/// guests, written as sign_in_anonymous writes them (user, session) plus a cart row, in one
/// transaction.
template <class Auth>
stats purge_phase(Auth& auth, std::size_t n, std::size_t guests) {
  namespace purge = bench_support::purge;
  auto cart = auth.template table<cart_item>();
  std::vector<std::string> real_ids;
  for (std::size_t u = 0; u < purge::real_users; ++u) {
    auto real = auth.sign_up_email({next_email(), "correct horse battery", "Bench", {}}, {});
    if (!real) fail("purge: real user sign-up: " + std::string(real.error().code()));
    real_ids.push_back(real->user.id);
  }
  auth.storage().write([&](auto& tx) {
    for (const auto& id : real_ids) tx.template insert<cart_item>({id + "-0", id, "sku", 1});
  });
  aa::sodium_random random;
  std::vector<std::string> tokens(guests), ids(guests);
  aa::timestamp cutoff{};
  std::size_t purged = 0;
  auto result = measure(
      purge::phase_name(guests), n,
      [&](std::size_t) {
        const aa::timestamp now = aa::system_clock{}.now();
        auth.storage().write([&](auto& tx) {
          for (std::size_t g = 0; g < guests; ++g) {
            user guest{aa::crypto::random_string(random, 32), "Anonymous",
                       aa::to_lower_ascii("temp@" + aa::crypto::random_string(random, 32) + ".com"),
                       false, std::nullopt, true, now, now, std::nullopt};
            tokens[g] = aa::crypto::random_string(random, 32);
            aa::session_record record;
            record.hash = aa::crypto::hash_token(tokens[g]);
            record.session = aa::session{aa::crypto::random_string(random, 32), guest.id,
                                         now + std::chrono::hours{24 * 7}, now, now, "", ""};
            tx.insert_user(guest);
            tx.insert_session(record);
            tx.template insert<cart_item>({guest.id + "-0", guest.id, "sku", 1});
            ids[g] = std::move(guest.id);
          }
        });
        cutoff = now + std::chrono::milliseconds{1};  // every guest is older than the cut-off
      },
      [&](std::size_t) { purged = auth.purge_anonymous_users(cutoff); },
      [&](std::size_t) {
        if (purged != guests) fail("purge: deleted " + std::to_string(purged) + " guests");
        for (std::size_t g = 0; g < guests; ++g)
          if (auth.find_user(ids[g]) || auth.get_session(tokens[g])) fail("purge: a guest or its session is left");
        if (auth.template table<user>().count() != purge::real_users || cart.count() != purge::real_users)
          fail("purge: users or cart rows other than the real users' are left");
        for (const auto& id : real_ids)
          if (!auth.find_user(id) || cart.template find_by<&cart_item::user_id>(id).size() != 1)
            fail("purge: a real user lost");
      });
  return bench_support::per_guest(std::move(result), guests);
}

void run(const configuration& config, bool quick) {
  const std::size_t scale = (quick ? 10 : 1) * config.divisor;
  const std::string load_start = loadavg();
  const std::string path =
      config.file ? (std::filesystem::temp_directory_path() /
                     ("anonauth-sqlite-bench-" + std::to_string(::getpid()) + "-" + config.name + ".db"))
                        .string()
                  : std::string();
  aa::sqlite_config cfg;
  cfg.path = path;
  cfg.journal = config.journal;
  cfg.synchronous = config.synchronous;
  std::vector<stats> all;

  remove_database(path);
  {
    auth_no_hash auth(cfg);
    bench_support::sign_in_and_get_session(auth, 20000 / scale, all);
    all.push_back(link_phase(auth, "link_no_hash_rows_0", 2000 / scale, 0));
    all.push_back(link_phase(auth, "link_no_hash_rows_100", 500 / scale, 100));
    all.push_back(link_phase(auth, "link_no_hash_rows_10000", quick ? 3 : 20, 10000));
  }
  remove_database(path);  // the hashed phase starts on a fresh database, as memory_bench's does
  {
    auth_argon2 hashed(cfg);
    all.push_back(link_phase(hashed, "link_argon2id_rows_0", quick ? 3 : 20, 0));
    all.push_back(link_phase(hashed, "link_argon2id_rows_100", quick ? 3 : 10, 100));  // the hash is the cost
    concurrent_link_phases(hashed, quick ? 2 : 6, all);
  }
  remove_database(path);
  {
    auth_no_hash auth(cfg);
    all.push_back(purge_phase(auth, quick ? 1 : config.purge_repetitions, config.purge_guests));
  }
  auto sqlite = bench_support::sqlite_field(
      sqlite3_libversion(), config.file, journal_mode_of(path),
      config.synchronous == aa::sqlite_synchronous::full ? "full" : "normal");
  bench_support::print_json_line(bench_support::run_fields("anonauth-sqlite", config.name, "sqlite", {std::move(sqlite)}, quick, load_start),
                                 all);
  remove_database(path);
}

}  // namespace bench

int main(int argc, char** argv) {
  bench_support::pin_allocator();
  bool quick = false;
  const auto chosen = bench_support::choose(argc, argv, bench::configurations, quick);
  try {
    for (const auto* config : chosen) bench::run(*config, quick);
  } catch (const std::exception& e) {
    bench::fail(e.what());
  }
}
