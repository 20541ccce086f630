// The HTTP benchmark's server: the example server's shop (examples/server/shop.hpp: the same
// schema, auth and cart API over SQLite behind aa::http::handler), served by the same
// aa::http::beast_server, configured from the command line for scripts/bench-http.sh.
//
//   anonauth_bench_http_server [--port N (0: any free port)] [--db PATH|:memory:]
//                              [--journal wal|rollback] [--synchronous normal|full] [--threads N]
//                              [--hash precomputed|argon2id] [--floor]
//
//   --db          the SQLite database (default :memory:, a private in-memory database)
//   --journal     aa::sqlite_config::journal (default wal; a file only, SQLite in memory keeps its
//                 own memory journal)
//   --synchronous aa::sqlite_config::synchronous (default normal)
//   --threads     the server's threads (default 0: one per hardware thread)
//   --hash        precomputed (the default): a password hasher that returns one real Argon2id
//                 string, computed once at start-up for the benchmark's password, and verifies by
//                 comparing with it; a link then measures everything but the hash. argon2id: the
//                 shop's own hasher (aa::argon2id<>, libsodium INTERACTIVE).
//   --floor       no auth at all: the same Beast server answers every request with one fixed
//                 body, a real get-session answer captured at start-up (same length, same bytes),
//                 with the same headers: what serving a get-session costs without authenticating it.
//
// The first line on stdout is the origin (http://127.0.0.1:PORT); SIGINT or SIGTERM stop it.
// Cookies are plain http ones (the origin is http), Better Auth's defaults otherwise; the
// trusted origins are the origin and http://localhost:PORT, as in the example server.
#include <anonauth/http/beast.hpp>

#include "../../examples/server/command_line.hpp"
#include "../../examples/server/shop.hpp"

#include <sodium.h>

#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace bench {

namespace aa = anonauth;
namespace http = anonauth::http;

/// The password every benchmark link signs up with (the peer's bench uses the same).
inline constexpr std::string_view password = "correct-horse-battery-staple";
/// Fixed, so that cookies can be made outside the server if need be (a benchmark, never production).
inline constexpr std::string_view secret = "9f2c7e41b06a4d83a5e1f7c29b3d8e60c4a1f5e27d9b83a6f0e2c4d7b1a95e38";

/// A password hasher whose hash is one real Argon2id string computed once: hash() returns it,
/// verify() compares (password and string) in constant time. Links store a real hash of the
/// benchmark's password and take no time hashing it.
struct precomputed_hash {
  std::string encoded;
  std::string plain;

  [[nodiscard]] std::string hash(std::string_view) const { return encoded; }
  [[nodiscard]] bool verify(std::string_view stored, std::string_view given) const {
    const bool same_hash = stored.size() == encoded.size() &&
                           sodium_memcmp(stored.data(), encoded.data(), encoded.size()) == 0;
    const bool same_password = given.size() == plain.size() &&
                               sodium_memcmp(given.data(), plain.data(), plain.size()) == 0;
    return same_hash && same_password;
  }
};
static_assert(aa::password_hasher_policy<precomputed_hash>);

using precomputed_auth = shop::auth_with<aa::password_hasher<precomputed_hash>>;
using argon2id_auth = shop::auth_type;

struct settings {
  std::uint16_t port = 0;
  std::string db = ":memory:";
  aa::sqlite_journal journal = aa::sqlite_journal::wal;
  aa::sqlite_synchronous synchronous = aa::sqlite_synchronous::normal;
  std::size_t threads = 0;
  bool precomputed = true;
  bool floor = false;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "anonauth_bench_http_server: " << problem << "\n"
            << "usage: anonauth_bench_http_server [--port N] [--db PATH|:memory:] [--journal wal|rollback]\n"
            << "                                  [--synchronous normal|full] [--threads N]\n"
            << "                                  [--hash precomputed|argon2id] [--floor]\n";
  std::exit(2);
}

settings parse(int argc, char** argv) {
  settings s;
  shop::command_line args(argc, argv, usage);
  while (auto arg = args.next()) {
    if (*arg == "--port") s.port = static_cast<std::uint16_t>(args.number(65535));
    else if (*arg == "--db") s.db = args.value();
    else if (*arg == "--journal") s.journal = args.either("wal", "rollback") ? aa::sqlite_journal::wal : aa::sqlite_journal::rollback;
    else if (*arg == "--synchronous")
      s.synchronous = args.either("normal", "full") ? aa::sqlite_synchronous::normal : aa::sqlite_synchronous::full;
    else if (*arg == "--threads") s.threads = args.number(256);
    else if (*arg == "--hash") s.precomputed = args.either("precomputed", "argon2id");
    else if (*arg == "--floor") s.floor = true;
    else if (*arg == "--help" || *arg == "-h") usage("the HTTP benchmark's server (the example server's shop)");
    else usage("unknown argument '" + std::string(*arg) + "'");
  }
  return s;
}

aa::sqlite_config storage_config(const settings& s) {
  return aa::sqlite_config{.path = s.db == ":memory:" ? std::string() : s.db,
                           .synchronous = s.synchronous,
                           .journal = s.journal};
}

http::options handler_options(const std::string& origin, std::uint16_t port) {
  http::options options;
  options.base_url = origin;
  options.secret = std::string(secret);
  options.trusted_origins.push_back("http://localhost:" + std::to_string(port));
  return options;
}

template <class Auth>
std::unique_ptr<Auth> make_auth(const settings& s) {
  if constexpr (std::is_same_v<Auth, precomputed_auth>) {
    precomputed_hash hasher{aa::argon2id<>{}.hash(password), std::string(password)};
    return std::make_unique<Auth>(storage_config(s), aa::runtime_domain_email{"guest.example.com"}, std::move(hasher));
  } else {
    return std::make_unique<Auth>(storage_config(s), aa::runtime_domain_email{"guest.example.com"});
  }
}

/// A real get-session answer: a guest signed in through the handler, then its session read
/// back through the handler, in a private in-memory database that is gone afterwards.
std::string captured_get_session_body() {
  settings in_memory;
  auto auth = make_auth<precomputed_auth>(in_memory);
  const std::string origin = "http://127.0.0.1:3000";
  http::handler<precomputed_auth> handler(*auth, handler_options(origin, 3000));
  http::request sign_in{.method = "POST",
                        .target = "/api/auth/sign-in/anonymous",
                        .headers = {{"Content-Type", "application/json"}, {"Origin", origin}},
                        .body = "{}",
                        .peer_address = "127.0.0.1"};
  const http::response signed_in = handler(sign_in);
  std::string cookie;
  for (const auto& h : signed_in.headers)
    if (h.name == "Set-Cookie" && h.value.starts_with("better-auth.session_token="))
      cookie = h.value.substr(0, h.value.find(';'));
  if (signed_in.status != 200 || cookie.empty())
    throw std::runtime_error("the floor's start-up sign-in answered " + std::to_string(signed_in.status));
  http::request get{.method = "GET",
                    .target = "/api/auth/get-session",
                    .headers = {{"Cookie", cookie}},
                    .body = {},
                    .peer_address = "127.0.0.1"};
  http::response session = handler(get);
  if (session.status != 200 || !session.body.starts_with("{\"session\":"))
    throw std::runtime_error("the floor's start-up get-session answered " + std::to_string(session.status));
  return std::move(session.body);
}

void announce(const http::beast_server& server, const std::string& what) {
  std::cout << server.origin() << std::endl;  // the first line: where to point the load
  std::cerr << "anonauth_bench_http_server: serving " << server.origin() << ", " << what << "\n";
}

int serve_floor(const settings& s) {
  const std::string body = captured_get_session_body();
  http::beast_server server(
      [&body](const http::request&) -> http::response {
        http::response r;
        r.body = body;
        r.add_header("Content-Type", "application/json");  // the headers of a real answer
        r.add_header("Cache-Control", "no-store");
        r.add_header("Pragma", "no-cache");
        return r;
      },
      http::server_options{.address = "127.0.0.1", .port = s.port, .threads = s.threads});
  server.stop_on_signals({SIGINT, SIGTERM});
  announce(server, "the floor: a fixed " + std::to_string(body.size()) + "-byte get-session answer, no auth");
  server.run();
  return 0;
}

template <class Auth>
int serve(const settings& s) {
  auto auth = make_auth<Auth>(s);
  std::unique_ptr<http::handler<Auth>> handler;  // built once the port, hence the origin, is known
  http::beast_server server(
      [&](const http::request& req) -> http::response {
        if (auto api = shop::serve_api(*auth, *handler, req)) return std::move(*api);
        return http::response{.status = 404, .headers = {}, .body = {}};
      },
      http::server_options{.address = "127.0.0.1", .port = s.port, .threads = s.threads});
  handler = std::make_unique<http::handler<Auth>>(*auth, handler_options(server.origin(), server.port()));
  server.stop_on_signals({SIGINT, SIGTERM});
  const bool file = s.db != ":memory:" && !s.db.empty();
  announce(server, "the shop on " + (file ? s.db + (s.journal == aa::sqlite_journal::wal ? " (WAL, " : " (rollback journal, ") +
                                                (s.synchronous == aa::sqlite_synchronous::full ? "synchronous=FULL)" : "synchronous=NORMAL)")
                                          : std::string("SQLite in memory")) +
                       (s.precomputed ? ", precomputed hash" : ", Argon2id"));
  server.run();
  return 0;
}

}  // namespace bench

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  const bench::settings s = bench::parse(argc, argv);
  try {
    if (s.floor) return bench::serve_floor(s);
    return s.precomputed ? bench::serve<bench::precomputed_auth>(s) : bench::serve<bench::argon2id_auth>(s);
  } catch (const std::exception& e) {
    std::cerr << "anonauth_bench_http_server: " << e.what() << "\n";
    return 1;
  }
}
