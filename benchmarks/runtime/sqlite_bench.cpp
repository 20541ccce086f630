// Runtime benchmark of anonymous_auth on the SQLite storage: the phases of memory_bench.cpp
// (anonymous sign-in, get-session, and a link by sign-up moving 0, 100 and 10 000 cart rows with
// hashing excluded by a no-op hasher; with Argon2id at its default cost, 0 rows only) in three
// configurations, one JSON line each:
//
//   sqlite-memory      the default config: a private in-memory database
//   sqlite-file-peer   a file in the temp dir with Better Auth's SQLite settings
//                      (journal_mode=DELETE, synchronous=FULL: every commit is fsync'd, so
//                      it runs a fifth of the operations of the other two)
//   sqlite-file-wal    a file in the temp dir with anonauth's defaults (WAL, synchronous=NORMAL)
//
// sqlite_floor.cpp does the same SQL work by hand against the SQLite C API; scripts/bench.sh runs
// both and prints the ratios.
//
//   scripts/bench.sh            (or: anonauth_bench_sqlite [--quick] [configuration...]; default: all three)
#include <anonauth/anonauth.hpp>
#include <anonauth/storage/sqlite/sqlite.hpp>

#include "bench_schema.hpp"
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
};

constexpr std::array<configuration, 3> configurations{{
    {"sqlite-memory", false, aa::sqlite_journal::wal, aa::sqlite_synchronous::normal, 1},
    {"sqlite-file-peer", true, aa::sqlite_journal::rollback, aa::sqlite_synchronous::full, 5},
    {"sqlite-file-wal", true, aa::sqlite_journal::wal, aa::sqlite_synchronous::normal, 1},
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


template <class Auth>
stats link_phase(Auth& auth, std::string name, std::size_t n, std::size_t rows) {
  std::vector<std::string> guest_tokens(n), guest_ids(n), linked_ids(n);
  static std::size_t unique = 0;
  return measure(
      std::move(name), n,
      [&](std::size_t i) {
        auto guest = auth.sign_in_anonymous({});
        if (!guest) fail("guest sign-in");
        guest_tokens[i] = guest->token;
        guest_ids[i] = guest->user.id;
        if (rows > 0)  // one transaction: untimed, and not 10 000 commits on a synchronous=FULL file
          auth.storage().write([&](auto& tx) {
            for (std::size_t r = 0; r < rows; ++r)
              tx.template insert<cart_item>({guest->user.id + "-" + std::to_string(r), guest->user.id, "sku", 1});
          });
      },
      [&](std::size_t i) {
        auto linked = auth.sign_up_email(
            {"user" + std::to_string(++unique) + "@bench.example", "correct horse battery", "Bench", {}},
            aa::request_context{guest_tokens[i], "127.0.0.1", "bench"});
        if (!linked) fail("link: " + std::string(linked.error().code()));
        linked_ids[i] = linked->user.id;
      },
      [&](std::size_t i) {
        if (auth.find_user(guest_ids[i])) fail("link: the guest is still there");
        if (auth.get_session(guest_tokens[i])) fail("link: the guest's session still resolves");
        if (auth.template table<cart_item>().template find_by<&cart_item::user_id>(linked_ids[i]).size() != rows)
          fail("link: cart rows not moved");
      });
}

void print_json(const configuration& config, const std::string& path, const std::vector<stats>& all, bool quick,
                const std::string& load_start) {
  std::printf(
      "{\"bench\":\"anonauth-sqlite\",\"config\":\"%s\",\"storage\":\"sqlite\",\"sqlite\":{\"version\":\"%s\","
      "\"database\":\"%s\",\"journal_mode\":\"%s\",\"synchronous\":\"%s\"},\"quick\":%s,\"threads\":1,"
      "\"hardware_threads\":%u,\"loadavg_1_5_15\":{\"start\":%s,\"end\":%s},\"ops\":{",
      config.name, sqlite3_libversion(), config.file ? "file in the temp dir" : "memory",
      journal_mode_of(path).c_str(),
      config.file ? (config.synchronous == aa::sqlite_synchronous::full ? "full" : "normal") : "default",
      quick ? "true" : "false", std::thread::hardware_concurrency(), load_start.c_str(), loadavg().c_str());
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& s = all[i];
    std::printf("%s\"%s\":{\"n\":%zu,\"ops_per_s\":%.1f,\"median_ms\":%.4f,\"p99_ms\":%.4f,\"mean_ms\":%.4f}", i ? "," : "",
                s.name.c_str(), s.n, s.ops_per_s, s.median_ms, s.p99_ms, s.mean_ms);
  }
  std::printf("}}\n");
  std::fflush(stdout);
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
    std::vector<std::string> tokens, ids;
    tokens.reserve(20000 / scale);
    ids.reserve(20000 / scale);
    all.push_back(measure(
        "sign_in_anonymous", 20000 / scale, [](std::size_t) {},
        [&](std::size_t) {
          auto r = auth.sign_in_anonymous({});
          if (!r) fail("sign-in: " + std::string(r.error().code()));
          tokens.push_back(std::move(r->token));
          ids.push_back(std::move(r->user.id));
        },
        [&](std::size_t i) {
          if (tokens[i].size() != 32 || ids[i].size() != 32) fail("sign-in: token or id");
        }));
    std::string found;
    all.push_back(measure(
        "get_session", 20000 / scale, [](std::size_t) {},
        [&](std::size_t i) {
          auto view = auth.get_session(tokens[i % tokens.size()]);
          if (!view || !view->user.is_anonymous) fail("get-session");
          found = std::move(view->user.id);
        },
        [&](std::size_t i) {
          if (found != ids[i % ids.size()]) fail("get-session: another user");
        }));
    all.push_back(link_phase(auth, "link_no_hash_rows_0", 2000 / scale, 0));
    all.push_back(link_phase(auth, "link_no_hash_rows_100", 500 / scale, 100));
    all.push_back(link_phase(auth, "link_no_hash_rows_10000", quick ? 3 : 20, 10000));
  }
  remove_database(path);  // the hashed phase starts on a fresh database, as memory_bench's does
  {
    auth_argon2 hashed(cfg);
    all.push_back(link_phase(hashed, "link_argon2id_rows_0", quick ? 3 : 20, 0));
    print_json(config, path, all, quick, load_start);
  }
  remove_database(path);
}

}  // namespace bench

int main(int argc, char** argv) {
  bool quick = false;
  const auto chosen = bench_support::choose(argc, argv, bench::configurations, quick);
  try {
    for (const auto* config : chosen) bench::run(*config, quick);
  } catch (const std::exception& e) {
    bench::fail(e.what());
  }
}
