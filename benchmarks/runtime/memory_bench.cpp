// Runtime benchmark of anonymous_auth on the memory storage: anonymous sign-in, get-session, and
// a link (sign-up by email carrying a guest's session) moving 0, 100 and 10 000 cart rows, with
// password hashing excluded (a no-op hasher) and included (Argon2id, libsodium's INTERACTIVE
// cost, the default). Prints one JSON line: ops/s, median and p99 latency per phase.
//
//   scripts/bench.sh            (or: anonauth_bench_runtime [--quick])
#include <anonauth/anonauth.hpp>

#include "bench_schema.hpp"
#include "measure.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace aa = anonauth;

namespace bench {


using auth_no_hash = aa::anonymous_auth<schema, aa::link<migrations>, aa::password_hasher<no_hash>>;
using auth_argon2 = aa::anonymous_auth<schema, aa::link<migrations>>;

using bench_support::fail;
using bench_support::measure;
using bench_support::stats;

template <class Auth>
stats link_phase(Auth& auth, std::string name, std::size_t n, std::size_t rows) {
  std::vector<std::string> guest_tokens(n);
  std::size_t counter = 0;
  static std::size_t unique = 0;
  return measure(
      std::move(name), n,
      [&](std::size_t i) {
        auto guest = auth.sign_in_anonymous({});
        if (!guest) fail("guest sign-in");
        guest_tokens[i] = guest->token;
        auto table = auth.template table<cart_item>();
        for (std::size_t r = 0; r < rows; ++r)
          table.insert({guest->user.id + "-" + std::to_string(r), guest->user.id, "sku", 1});
      },
      [&](std::size_t i) {
        auto linked = auth.sign_up_email(
            {"user" + std::to_string(++unique) + "-" + std::to_string(++counter) + "@bench.example", "correct horse battery", "Bench", {}},
            aa::request_context{guest_tokens[i], "127.0.0.1", "bench"});
        if (!linked) fail("link");
      });
}

void print_json(const std::vector<stats>& all, bool quick) {
  std::printf("{\"bench\":\"anonauth-memory\",\"storage\":\"memory\",\"quick\":%s,\"threads\":1,\"hardware_threads\":%u,\"ops\":{",
              quick ? "true" : "false", std::thread::hardware_concurrency());
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& s = all[i];
    std::printf("%s\"%s\":{\"n\":%zu,\"ops_per_s\":%.1f,\"median_ms\":%.4f,\"p99_ms\":%.4f,\"mean_ms\":%.4f}", i ? "," : "",
                s.name.c_str(), s.n, s.ops_per_s, s.median_ms, s.p99_ms, s.mean_ms);
  }
  std::printf("}}\n");
}

}  // namespace bench

int main(int argc, char** argv) {
  using namespace bench;
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const std::size_t scale = quick ? 10 : 1;
  std::vector<stats> all;

  auth_no_hash auth;
  std::vector<std::string> tokens;
  all.push_back(measure("sign_in_anonymous", 20000 / scale, [](std::size_t) {},
                        [&](std::size_t) {
                          auto r = auth.sign_in_anonymous({});
                          if (!r) fail("sign-in");
                          tokens.push_back(std::move(r->token));
                        }));
  all.push_back(measure("get_session", 20000 / scale, [](std::size_t) {},
                        [&](std::size_t i) {
                          if (!auth.get_session(tokens[i % tokens.size()])) fail("get-session");
                        }));
  all.push_back(link_phase(auth, "link_no_hash_rows_0", 2000 / scale, 0));
  all.push_back(link_phase(auth, "link_no_hash_rows_100", 500 / scale, 100));
  all.push_back(link_phase(auth, "link_no_hash_rows_10000", quick ? 3 : 20, 10000));

  auth_argon2 hashed;
  all.push_back(link_phase(hashed, "link_argon2id_rows_0", quick ? 3 : 20, 0));
  all.push_back(link_phase(hashed, "link_argon2id_rows_100", quick ? 3 : 20, 100));
  all.push_back(link_phase(hashed, "link_argon2id_rows_10000", quick ? 2 : 10, 10000));
  print_json(all, quick);
}
