// anonauth/http/httplib.hpp: the cpp-httplib adapter, through a real httplib::Server on
// 127.0.0.1 and raw sockets, plus its conversions alone. Built only when anonauth::httplib is.
#include "anonauth/http/httplib.hpp"

#include "catch.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

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

namespace http = anonauth::http;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

struct raw_response {
  int status = 0;
  std::string head;
  std::vector<http::header> headers;
  std::string body;

  [[nodiscard]] bool has(std::string_view name) const {
    for (const auto& h : headers)
      if (http::iequals(h.name, name)) return true;
    return false;
  }
  [[nodiscard]] std::vector<std::string> lines(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& h : headers)
      if (http::iequals(h.name, name)) out.push_back(h.name + ": " + h.value);
    return out;
  }
};

/// Sends one request on a new connection and reads the response (bounded in time): the bytes a
/// real client sees.
std::optional<raw_response> exchange(int port, std::string_view request, bool head_only = false) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  std::string data;
  const auto deadline = steady::now() + 3s;
  std::optional<raw_response> result;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 &&
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    for (;;) {
      const auto end = data.find("\r\n\r\n");
      if (end != std::string::npos) {
        raw_response res;
        res.head = data.substr(0, end + 2);
        res.status = std::stoi(res.head.substr(9, 3));
        std::string_view rest(res.head);
        rest.remove_prefix(rest.find("\r\n") + 2);
        std::size_t length = 0;
        while (!rest.empty()) {
          const auto e = rest.find("\r\n");
          const auto line = rest.substr(0, e);
          const auto colon = line.find(": ");
          res.headers.push_back({std::string(line.substr(0, colon)), std::string(line.substr(colon + 2))});
          if (http::iequals(res.headers.back().name, "Content-Length")) length = std::stoul(res.headers.back().value);
          rest.remove_prefix(e + 2);
        }
        if (head_only) length = 0;
        if (data.size() >= end + 4 + length) {
          res.body = data.substr(end + 4, length);
          result = std::move(res);
          break;
        }
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
      pollfd p{fd, POLLIN, 0};
      if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) break;
      char chunk[8192];
      const auto n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      data.append(chunk, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return result;
}

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

class recorder {
 public:
  void add(const http::request& req) {
    const std::lock_guard lock(mutex_);
    requests_.push_back(req);
  }
  std::size_t size() {
    const std::lock_guard lock(mutex_);
    return requests_.size();
  }
  http::request at(std::size_t i) {
    const std::lock_guard lock(mutex_);
    return requests_.at(i);
  }

 private:
  std::mutex mutex_;
  std::vector<http::request> requests_;
};

std::string joined(const std::vector<http::header>& headers) {
  std::string out;
  for (const auto& h : headers) out += h.name + ": " + h.value + "\n";
  return out;
}

}  // namespace

TEST_CASE("httplib.round_trip", "[http]") {
  recorder seen;
  running_httplib server([&](const http::request& req) {
    seen.add(req);
    http::response r;
    r.status = 201;
    r.headers = {{"Content-Type", "text/plain"}, {"X-Target", req.target}, {"Content-Length", "999"}};
    r.body = "got:" + req.body;
    return r;
  });
  const auto res = exchange(server.port(),
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

TEST_CASE("httplib.set_cookie_lines", "[http]") {
  running_httplib server([](const http::request&) {
    http::response r;
    r.headers = {{"Content-Type", "application/json"},
                 {"Set-Cookie", "better-auth.session_token=abc; Path=/; HttpOnly"},
                 {"Set-Cookie", "better-auth.session_data=; Max-Age=0; Path=/"}};
    r.body = "{}";
    return r;
  });
  const auto res = exchange(server.port(), "GET /api/auth/get-session HTTP/1.1\r\nHost: test\r\n\r\n");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->lines("Set-Cookie") ==
        std::vector<std::string>{"Set-Cookie: better-auth.session_token=abc; Path=/; HttpOnly",
                                 "Set-Cookie: better-auth.session_data=; Max-Age=0; Path=/"});
}

TEST_CASE("httplib.base_path_routing", "[http]") {
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
      const auto res = exchange(server.port(), std::string("GET ") + target + " HTTP/1.1\r\nHost: test\r\n\r\n");
      REQUIRE(res);
      CHECK(res->status == 404);
    }
    const auto other = exchange(server.port(), "GET /other HTTP/1.1\r\nHost: test\r\n\r\n");
    REQUIRE(other);
    CHECK(other->body == "the app's own route");
    CHECK(seen.size() == 0);
  }

  SECTION("the base path itself and every method httplib routes") {
    // (httplib 0.11 reads the body of a POST, PUT, PATCH or DELETE without Content-Length up to
    // the end of the stream.)
    for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
      const auto res = exchange(server.port(), std::string(method) + " /api/auth HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n");
      REQUIRE(res);
      CHECK(res->status == 200);
      CHECK(res->body == std::string(method) + " /api/auth");
    }
    const auto head = exchange(server.port(), "HEAD /api/auth/ok HTTP/1.1\r\nHost: test\r\n\r\n", true);
    REQUIRE(head);
    CHECK(head->status == 200);
    CHECK(seen.size() == 7);
    CHECK(seen.at(6).method == "HEAD");
  }

  SECTION("a Range header does not cut the response") {
    const auto res = exchange(server.port(), "GET /api/auth/x HTTP/1.1\r\nHost: test\r\nRange: bytes=0-2\r\n\r\n");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->body == "GET /api/auth/x");
    CHECK_FALSE(res->has("Content-Range"));
  }
}

TEST_CASE("httplib.handler_exception", "[http]") {
  running_httplib server([](const http::request&) -> http::response { throw std::runtime_error("secret detail"); });
  const auto res = exchange(server.port(), "GET /api/auth/x HTTP/1.1\r\nHost: test\r\n\r\n");
  REQUIRE(res);
  CHECK(res->status == 500);
  CHECK(res->body.empty());
  CHECK(res->head.find("secret") == std::string::npos);   // httplib's own answer would say it
}

TEST_CASE("httplib.conversions", "[http]") {
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
