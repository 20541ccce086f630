// anonauth/http/httplib.hpp: the cpp-httplib adapter, through a real httplib::Server on
// 127.0.0.1 and raw sockets, plus its conversions alone. Built only when anonauth::httplib is.
#include "anonauth/http/httplib.hpp"

#include "catch.hpp"
#include "socket_fixtures.hpp"


#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

using namespace socket_fixtures;

/// An httplib::Server with the handler mounted on /api/auth and one route of its own, listening
/// on a port the system chooses, on its own thread; stopped and joined on destruction.
class running_httplib {
 public:
  template <class Handler>
  explicit running_httplib(Handler handler) {
    http::mount(server_, "/api/auth", std::move(handler));
    server_.Get("/other", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("the app's own route", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("httplib could not bind");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() does nothing until the server runs: wait for it (connections wait in the backlog).
    const auto deadline = steady::now() + 3s;
    while (!server_.is_running() && steady::now() < deadline) std::this_thread::sleep_for(1ms);
  }
  ~running_httplib() {
    server_.stop();
    thread_.join();
  }
  running_httplib(const running_httplib&) = delete;
  running_httplib& operator=(const running_httplib&) = delete;

  [[nodiscard]] int port() const { return port_; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};


}  // namespace

TEST_CASE("httplib.round_trip", "[adapters]") {
  recorder seen;
  running_httplib server([&](const http::request& req) {
    seen.add(req);
    http::response r;
    r.status = 201;
    r.headers = {{"Content-Type", "text/plain"}, {"X-Target", req.target}, {"Content-Length", "999"}};
    r.body = "got:" + req.body;
    return r;
  });
  const auto res = exchange(static_cast<std::uint16_t>(server.port()),
                            "POST /api/auth/echo?x=1&y=%20z HTTP/1.1\r\n"
                            "Host: example.test\r\n"
                            "X-Rep: a\r\n"
                            "x-rep: b\r\n"
                            "Content-Type: text/plain\r\n"
                            "Content-Length: 5\r\n"
                            "\r\n"
                            "hello");
  REQUIRE(res);
  CHECK(res->status == 201);
  CHECK(res->body == "got:hello");
  CHECK(res->lines("X-Target") == std::vector<std::string>{"X-Target: /api/auth/echo?x=1&y=%20z"});
  CHECK(res->lines("Content-Length") == std::vector<std::string>{"Content-Length: 9"});   // httplib's, not ours

  REQUIRE(seen.size() == 1);
  const http::request req = seen.at(0);
  CHECK(req.method == "POST");
  CHECK(req.target == "/api/auth/echo?x=1&y=%20z");
  // httplib sorts headers by name (case-insensitively); the lines of one name keep their order.
  // Its REMOTE_ADDR, REMOTE_PORT, LOCAL_ADDR and LOCAL_PORT are not headers the client sent.
  CHECK(joined(req.headers) == "Content-Length: 5\nContent-Type: text/plain\nHost: example.test\nX-Rep: a\nx-rep: b\n");
  CHECK(req.body == "hello");
  CHECK(req.peer_address == "127.0.0.1");
  CHECK_FALSE(req.tls);
}

TEST_CASE("httplib.set_cookie_lines", "[adapters]") {
  running_httplib server([](const http::request&) {
    http::response r;
    r.headers = {{"Content-Type", "application/json"},
                 {"Set-Cookie", "better-auth.session_token=abc; Path=/; HttpOnly"},
                 {"Set-Cookie", "better-auth.session_data=; Max-Age=0; Path=/"}};
    r.body = "{}";
    return r;
  });
  const auto res = exchange(static_cast<std::uint16_t>(server.port()), "GET /api/auth/get-session HTTP/1.1\r\nHost: test\r\n\r\n");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->lines("Set-Cookie") ==
        std::vector<std::string>{"Set-Cookie: better-auth.session_token=abc; Path=/; HttpOnly",
                                 "Set-Cookie: better-auth.session_data=; Max-Age=0; Path=/"});
}

TEST_CASE("httplib.base_path_routing", "[adapters]") {
  recorder seen;
  running_httplib server([&](const http::request& req) {
    seen.add(req);
    http::response r;
    r.headers = {{"Content-Type", "text/plain"}};
    r.body = req.method + " " + req.target;
    return r;
  });

  SECTION("paths outside the base path are not passed to the handler") {
    for (const char* target : {"/api/authx", "/api/", "/", "/api/auth-other/x"}) {
      const auto res = exchange(static_cast<std::uint16_t>(server.port()), std::string("GET ") + target + " HTTP/1.1\r\nHost: test\r\n\r\n");
      REQUIRE(res);
      CHECK(res->status == 404);
    }
    const auto other = exchange(static_cast<std::uint16_t>(server.port()), "GET /other HTTP/1.1\r\nHost: test\r\n\r\n");
    REQUIRE(other);
    CHECK(other->body == "the app's own route");
    CHECK(seen.size() == 0);
  }

  SECTION("the base path itself and every method httplib routes") {
    // (httplib 0.11 reads the body of a POST, PUT, PATCH or DELETE without Content-Length up to
    // the end of the stream.)
    for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
      const auto res = exchange(static_cast<std::uint16_t>(server.port()), std::string(method) + " /api/auth HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n");
      REQUIRE(res);
      CHECK(res->status == 200);
      CHECK(res->body == std::string(method) + " /api/auth");
    }
    const auto head = exchange(static_cast<std::uint16_t>(server.port()), "HEAD /api/auth/ok HTTP/1.1\r\nHost: test\r\n\r\n", true);
    REQUIRE(head);
    CHECK(head->status == 200);
    CHECK(seen.size() == 7);
    CHECK(seen.at(6).method == "HEAD");
  }

  SECTION("a Range header does not cut the response") {
    const auto res = exchange(static_cast<std::uint16_t>(server.port()), "GET /api/auth/x HTTP/1.1\r\nHost: test\r\nRange: bytes=0-2\r\n\r\n");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->body == "GET /api/auth/x");
    CHECK_FALSE(res->has("Content-Range"));
  }
}

TEST_CASE("httplib.handler_exception", "[adapters]") {
  running_httplib server([](const http::request&) -> http::response { throw std::runtime_error("secret detail"); });
  const auto res = exchange(static_cast<std::uint16_t>(server.port()), "GET /api/auth/x HTTP/1.1\r\nHost: test\r\n\r\n");
  REQUIRE(res);
  CHECK(res->status == 500);
  CHECK(res->body.empty());
  CHECK(res->head.find("secret") == std::string::npos);   // httplib's own answer would say it
}

TEST_CASE("httplib.conversions", "[adapters]") {
  httplib::Request in;
  in.method = "DELETE";
  in.target = "/api/auth/session?id=1";
  in.path = "/api/auth/session";
  in.headers.emplace("Origin", "https://app.example.com");
  in.headers.emplace("REMOTE_ADDR", "203.0.113.7");   // httplib's pseudo-header
  in.body = "{}";
  in.remote_addr = "203.0.113.7";
  const http::request req = http::from_httplib(in);
  CHECK(req.method == "DELETE");
  CHECK(req.target == "/api/auth/session?id=1");
  CHECK(joined(req.headers) == "Origin: https://app.example.com\n");
  CHECK(req.body == "{}");
  CHECK(req.peer_address == "203.0.113.7");

  httplib::Response out;
  out.headers.emplace("Server", "default");   // as set_default_headers puts it
  http::response res;
  res.status = 302;
  res.headers = {{"Location", "/x"}, {"Server", "mine"}, {"Connection", "close"}};
  http::to_httplib(res, out);
  CHECK(out.status == 302);
  CHECK(out.get_header_value("Location") == "/x");
  CHECK(out.get_header_value_count("Server") == 1);
  CHECK(out.get_header_value("Server") == "mine");
  CHECK_FALSE(out.has_header("Connection"));

  httplib::Response split;
  http::response bad;
  bad.headers = {{"Location", "/x\r\nInjected: 1"}};
  bad.body = "body";
  http::to_httplib(bad, split);
  CHECK(split.status == 500);
  CHECK_FALSE(split.has_header("Location"));
  CHECK(split.body.empty());

  httplib::Server server;
  CHECK_THROWS_AS(http::mount(server, "api/auth", [](const http::request&) { return http::response{}; }),
                  std::invalid_argument);
}
