// Runtime benchmark of anonymous_auth on the memory storage, one thread, one JSON line (see
// measure.hpp) with "bench":"anonauth-memory":
//
//   sign_in_anonymous          a guest and its session
//   get_session                a valid guest session, by token
//   link_no_hash_rows_N        a link (sign-up by email carrying a guest's session) moving N = 0,
//                              100, 10 000 cart rows, with a no-op hasher: the link alone
//   link_argon2id_rows_N       the same with Argon2id at libsodium's INTERACTIVE cost (the default)
//   purge_10000                one purge_anonymous_users call deleting 10 000 guests (one cart row
//                              each) beside real users it must keep; per-guest latency as well
//
// memory_floor.cpp does the same work by hand with no library; scripts/bench.sh runs both and
// prints the ratios.
//
//   scripts/bench.sh            (or: anonauth_bench_runtime [--quick])
#include <anonauth/anonauth.hpp>

#include "bench_schema.hpp"
#include "library_phases.hpp"
#include "measure.hpp"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace aa = anonauth;

namespace bench {

using auth_no_hash = aa::anonymous_auth<schema, aa::link<migrations>, aa::password_hasher<no_hash>>;
using auth_argon2 = aa::anonymous_auth<schema, aa::link<migrations>>;

using bench_support::fail;
using bench_support::link_phase;
using bench_support::next_email;
using bench_support::measure;
using bench_support::stats;

/// purge_10000 on a fresh auth (the other phases' guests would be purged too): the real users
/// once, then before each purge the guests, through the operations a server would run.
stats purge_phase(std::size_t n) {
  namespace purge = bench_support::purge;
  auth_no_hash auth;
  auto cart = auth.table<cart_item>();
  std::vector<std::string> real_ids;
  for (std::size_t u = 0; u < purge::real_users; ++u) {
    auto real = auth.sign_up_email({next_email(), "correct horse battery", "Bench", {}}, {});
    if (!real) fail("purge: real user sign-up");
    cart.insert({real->user.id + "-0", real->user.id, "sku", 1});
    real_ids.push_back(real->user.id);
  }
  std::vector<std::string> tokens(purge::guests), ids(purge::guests);
  aa::timestamp cutoff{};
  std::size_t purged = 0;
  auto result = measure(
      purge::phase_name(purge::guests), n,
      [&](std::size_t) {
        for (std::size_t g = 0; g < purge::guests; ++g) {
          auto guest = auth.sign_in_anonymous({});
          if (!guest) fail("purge: guest sign-in");
          cart.insert({guest->user.id + "-0", guest->user.id, "sku", 1});
          tokens[g] = std::move(guest->token);
          ids[g] = std::move(guest->user.id);
        }
        // Every guest is older than the cut-off (created_at < cutoff), as in a nightly purge.
        cutoff = aa::system_clock{}.now() + std::chrono::milliseconds{1};
      },
      [&](std::size_t) { purged = auth.purge_anonymous_users(cutoff); },
      [&](std::size_t) {
        if (purged != purge::guests) fail("purge: deleted " + std::to_string(purged) + " guests");
        for (std::size_t g = 0; g < purge::guests; ++g)
          if (auth.find_user(ids[g]) || auth.get_session(tokens[g])) fail("purge: a guest or its session is left");
        if (auth.table<user>().count() != purge::real_users || cart.count() != purge::real_users)
          fail("purge: users or cart rows other than the real users' are left");
        for (const auto& id : real_ids)
          if (!auth.find_user(id) || cart.find_by<&cart_item::user_id>(id).size() != 1) fail("purge: a real user lost");
      });
  return bench_support::per_guest(std::move(result), purge::guests);
}

}  // namespace bench

int main(int argc, char** argv) {
  using namespace bench;
  bench_support::pin_allocator();
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  if (argc > 2 || (argc == 2 && !quick)) {
    std::fprintf(stderr, "usage: %s [--quick]\n", argv[0]);
    return 2;
  }
  const std::size_t scale = quick ? 10 : 1;
  const std::string load_start = bench_support::loadavg();
  std::vector<stats> all;
  try {
    auth_no_hash auth;
    bench_support::sign_in_and_get_session(auth, 20000 / scale, all);
    all.push_back(link_phase(auth, "link_no_hash_rows_0", 2000 / scale, 0));
    all.push_back(link_phase(auth, "link_no_hash_rows_100", 500 / scale, 100));
    all.push_back(link_phase(auth, "link_no_hash_rows_10000", quick ? 3 : 20, 10000));

    auth_argon2 hashed;
    all.push_back(link_phase(hashed, "link_argon2id_rows_0", quick ? 3 : 20, 0));
    all.push_back(link_phase(hashed, "link_argon2id_rows_100", quick ? 3 : 20, 100));
    all.push_back(link_phase(hashed, "link_argon2id_rows_10000", quick ? 2 : 10, 10000));

    all.push_back(purge_phase(bench_support::purge::repetitions(quick)));
  } catch (const std::exception& e) {
    fail(e.what());
  }
  bench_support::print_json_line(bench_support::run_fields("anonauth-memory", "memory", "memory", {}, quick, load_start),
                                 all);
}
