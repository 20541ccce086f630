// anonauth/http/beast.hpp: the Boost.Beast server, seen through raw sockets as a client sees it
// (bytes on the wire, closed connections, timings). Every server listens on 127.0.0.1, on a
// port the system chooses, with short timeouts, and every wait is bounded.
#include "anonauth/http/beast.hpp"

#include "catch.hpp"
#include "socket_fixtures.hpp"
#include "threads.hpp"


#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace {

using namespace socket_fixtures;

/// Options for tests: two threads, timeouts short enough to stop quickly, long enough for a
/// loaded machine (sanitizers) not to trip them.
http::server_options test_options() {
  http::server_options o;
  o.threads = 2;
  o.read_timeout = 2s;
  o.idle_timeout = 2s;
  o.write_timeout = 2s;
  o.shutdown_timeout = 2s;
  return o;
}

/// A beast_server running on its own thread; stopped and joined on destruction.
class running_server {
 public:
  template <class Handler>
  explicit running_server(Handler handler, http::server_options options = test_options())
      : server_(std::move(handler), std::move(options)), thread_([this] {
          try {
            server_.run();
          } catch (...) {
          }
          returned_ = true;
        }) {}
  ~running_server() {
    server_.stop();
    thread_.join();
  }
  running_server(const running_server&) = delete;
  running_server& operator=(const running_server&) = delete;

  http::beast_server& server() { return server_; }
  [[nodiscard]] std::uint16_t port() const { return server_.port(); }

  /// Whether run() returned within `timeout`.
  bool returned_within(std::chrono::milliseconds timeout) {
    const auto deadline = steady::now() + timeout;
    while (!returned_) {
      if (steady::now() > deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

 private:
  http::beast_server server_;
  std::atomic<bool> returned_{false};
  std::thread thread_;
};

http::response text(std::string body) {
  http::response r;
  r.headers.push_back({"Content-Type", "text/plain"});
  r.body = std::move(body);
  return r;
}

/// Waits until `flag` is set, at most `timeout`.
bool wait_for(const std::atomic<bool>& flag, std::chrono::milliseconds timeout) {
  const auto deadline = steady::now() + timeout;
  while (!flag) {
    if (steady::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

constexpr std::string_view get_root = "GET / HTTP/1.1\r\nHost: test\r\n\r\n";

}  // namespace

TEST_CASE("beast.round_trip", "[adapters]") {
  recorder seen;
  running_server server([&](const http::request& req) {
    seen.add(req);
    http::response r = text("got:" + req.body);
    r.status = 201;
    r.headers.push_back({"X-Target", req.target});
    return r;
  });
  CHECK(server.server().origin() == "http://127.0.0.1:" + std::to_string(server.port()));

  raw_client client(server.port());
  REQUIRE(client.connected());
  REQUIRE(client.send("POST /echo/path?x=1&y=%20z HTTP/1.1\r\n"
                      "Host: example.test\r\n"
                      "X-Rep: a\r\n"
                      "x-rep: b\r\n"
                      "Content-Type: text/plain\r\n"
                      "Content-Length: 5\r\n"
                      "\r\n"
                      "hello"));
  auto res = client.read_response();
  REQUIRE(res);
  CHECK(res->status == 201);
  CHECK(res->body == "got:hello");
  CHECK(res->get("Content-Length") == "9");
  CHECK(res->get("Content-Type") == "text/plain");
  CHECK(res->get("X-Target") == "/echo/path?x=1&y=%20z");
  CHECK(res->get("Date").ends_with(" GMT"));
  CHECK(res->get("Date").size() == 29);
  CHECK_FALSE(res->has("Connection"));   // HTTP/1.1 keeps alive by default

  REQUIRE(seen.size() == 1);
  const http::request req = seen.at(0);
  CHECK(req.method == "POST");
  CHECK(req.target == "/echo/path?x=1&y=%20z");
  CHECK(joined(req.headers) ==
        "Host: example.test\nX-Rep: a\nx-rep: b\nContent-Type: text/plain\nContent-Length: 5\n");
  CHECK(req.body == "hello");
  CHECK(req.peer_address == "127.0.0.1");
  CHECK_FALSE(req.tls);

  SECTION("an unknown method as sent, a chunked body reassembled, trailers not taken as headers") {
    REQUIRE(client.send("PURGE /cache HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "3\r\nabc\r\n2\r\nde\r\n0\r\nCookie: smuggled=1\r\n\r\n"));
    res = client.read_response();
    REQUIRE(res);
    CHECK(res->body == "got:abcde");
    REQUIRE(seen.size() == 2);
    const http::request second = seen.at(1);
    CHECK(second.method == "PURGE");
    CHECK(second.target == "/cache");
    CHECK(joined(second.headers) == "Host: h\nTransfer-Encoding: chunked\n");
    CHECK(second.body == "abcde");
  }

  SECTION("a request without a body after one with a body") {
    REQUIRE(client.send(get_root));
    res = client.read_response();
    REQUIRE(res);
    CHECK(res->body == "got:");
    REQUIRE(seen.size() == 2);
    CHECK(seen.at(1).body.empty());
    CHECK(joined(seen.at(1).headers) == "Host: test\n");
  }
}

TEST_CASE("beast.set_cookie_lines", "[adapters]") {
  running_server server([](const http::request&) {
    http::response r = text("{}");
    r.add_header("Set-Cookie", "better-auth.session_token=abc; Path=/; HttpOnly");
    r.add_header("Set-Cookie", "better-auth.session_data=; Max-Age=0; Path=/");
    r.add_header("X-After", "1");
    return r;
  });
  raw_client client(server.port());
  REQUIRE(client.send(get_root));
  const auto res = client.read_response();
  REQUIRE(res);
  CHECK(res->lines("Set-Cookie") ==
        std::vector<std::string>{"Set-Cookie: better-auth.session_token=abc; Path=/; HttpOnly",
                                 "Set-Cookie: better-auth.session_data=; Max-Age=0; Path=/"});
  // In the handler's order, each on its own line.
  CHECK(res->head.find("\r\nContent-Type: text/plain\r\nSet-Cookie: better-auth.session_token=abc; Path=/; "
                       "HttpOnly\r\nSet-Cookie: better-auth.session_data=; Max-Age=0; Path=/\r\nX-After: 1\r\n") !=
        std::string::npos);
}

TEST_CASE("beast.keep_alive", "[adapters]") {
  std::atomic<int> calls{0};
  running_server server([&](const http::request& req) { return text(std::to_string(++calls) + " " + req.target); });

  SECTION("three requests on one connection") {
    raw_client client(server.port());
    for (int i = 1; i <= 3; ++i) {
      REQUIRE(client.send("GET /r" + std::to_string(i) + " HTTP/1.1\r\nHost: test\r\n\r\n"));
      const auto res = client.read_response();
      REQUIRE(res);
      CHECK(res->body == std::to_string(i) + " /r" + std::to_string(i));
      CHECK_FALSE(res->has("Connection"));
    }
    CHECK_FALSE(client.closed_within(100ms));
  }

  SECTION("pipelined requests answered in order") {
    raw_client client(server.port());
    REQUIRE(client.send("GET /a HTTP/1.1\r\nHost: test\r\n\r\nGET /b HTTP/1.1\r\nHost: test\r\n\r\n"));
    const auto first = client.read_response();
    const auto second = client.read_response();
    REQUIRE(first);
    REQUIRE(second);
    CHECK(first->body == "1 /a");
    CHECK(second->body == "2 /b");
  }

  SECTION("HTTP/1.0 closes unless asked to keep alive") {
    raw_client client(server.port());
    REQUIRE(client.send("GET /old HTTP/1.0\r\n\r\n"));
    const auto res = client.read_response();
    REQUIRE(res);
    CHECK(res->body == "1 /old");
    CHECK(res->get("Connection") == "close");
    CHECK(client.closed_within(2s));

    raw_client kept(server.port());
    REQUIRE(kept.send("GET /kept HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    const auto first = kept.read_response();
    REQUIRE(first);
    CHECK(first->get("Connection") == "keep-alive");
    REQUIRE(kept.send("GET /again HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    const auto second = kept.read_response();
    REQUIRE(second);
    CHECK(second->body == "3 /again");
  }
}

TEST_CASE("beast.connection_close", "[adapters]") {
  running_server server([](const http::request&) { return text("bye"); });
  raw_client client(server.port());
  REQUIRE(client.send("GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"));
  const auto res = client.read_response();
  REQUIRE(res);
  CHECK(res->body == "bye");
  CHECK(res->get("Connection") == "close");
  CHECK(client.closed_within(2s));
}

TEST_CASE("beast.body_limit", "[adapters]") {
  std::atomic<int> calls{0};
  auto options = test_options();
  options.body_limit = 1024;
  running_server server([&](const http::request& req) {
    ++calls;
    return text(std::to_string(req.body.size()));
  }, options);
  raw_client client(server.port());

  SECTION("a Content-Length over the limit") {
    REQUIRE(client.send("POST /api HTTP/1.1\r\nHost: test\r\nContent-Length: 2000\r\n\r\n" + std::string(2000, 'x')));
    const auto res = client.read_response();
    REQUIRE(res);
    CHECK(res->status == 413);
    CHECK(res->body == R"({"message":"Request body is too large","code":"PAYLOAD_TOO_LARGE"})");
    CHECK(res->get("Content-Type") == "application/json");
    CHECK(res->get("Connection") == "close");
    CHECK(client.closed_within(3s));
    CHECK(calls == 0);
  }

  SECTION("a chunked body growing over the limit") {
    REQUIRE(client.send("POST /api HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "320\r\n" + std::string(800, 'x') + "\r\n320\r\n" + std::string(800, 'y') + "\r\n0\r\n\r\n"));
    const auto res = client.read_response();
    REQUIRE(res);
    CHECK(res->status == 413);
    CHECK(client.closed_within(3s));
    CHECK(calls == 0);
  }

  SECTION("a body at the limit is served") {
    REQUIRE(client.send("POST /api HTTP/1.1\r\nHost: test\r\nContent-Length: 1024\r\n\r\n" + std::string(1024, 'x')));
    const auto res = client.read_response();
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->body == "1024");
    CHECK(calls == 1);
  }
}

TEST_CASE("beast.header_limit", "[adapters]") {
  std::atomic<int> calls{0};
  auto options = test_options();
  options.header_limit = 1024;
  running_server server([&](const http::request&) {
    ++calls;
    return text("ok");
  }, options);
  raw_client client(server.port());
  REQUIRE(client.send("GET / HTTP/1.1\r\nHost: test\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n"));
  const auto res = client.read_response();
  REQUIRE(res);
  CHECK(res->status == 431);
  CHECK(res->head.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
  CHECK(res->body ==
        R"({"message":"Request headers are too large","code":"REQUEST_HEADER_FIELDS_TOO_LARGE"})");
  CHECK(client.closed_within(3s));
  CHECK(calls == 0);
}

TEST_CASE("beast.malformed_request", "[adapters]") {
  std::atomic<int> calls{0};
  running_server server([&](const http::request&) {
    ++calls;
    return text("ok");
  });
  raw_client client(server.port());
  std::string request;
  SECTION("garbage") { request = "HELLO THERE\x01\r\n\r\n"; }
  SECTION("HTTP/1.1 without Host") { request = "GET / HTTP/1.1\r\n\r\n"; }
  SECTION("two Host headers") { request = "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"; }
  SECTION("a Transfer-Encoding that is not chunked") {
    request = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nxyz";
  }
  SECTION("a Content-Length that is not a number") {
    request = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 12a\r\n\r\n";
  }
  REQUIRE(client.send(request));
  const auto res = client.read_response();
  REQUIRE(res);
  CHECK(res->status == 400);
  CHECK(res->body == R"({"message":"Malformed HTTP request","code":"BAD_REQUEST"})");
  CHECK(res->get("Connection") == "close");
  CHECK(client.closed_within(3s));
  CHECK(calls == 0);
}

TEST_CASE("beast.read_timeout_cuts_slowloris", "[adapters]") {
  std::atomic<int> calls{0};
  auto options = test_options();
  options.read_timeout = 300ms;
  options.idle_timeout = 5s;
  running_server server([&](const http::request&) {
    ++calls;
    return text("ok");
  }, options);
  raw_client client(server.port());
  const auto start = steady::now();
  REQUIRE(client.send("GET / HTTP/1.1\r\nHost: test\r\n"));
  // One header line every 50 ms, never the blank line that ends the header.
  bool cut = false;
  while (steady::now() - start < 3s) {
    if (!client.send("X-Slow: 1\r\n") || client.closed_within(50ms)) {
      cut = true;
      break;
    }
  }
  const auto elapsed = steady::now() - start;
  CHECK(cut);
  CHECK(elapsed >= 250ms);
  CHECK(elapsed < 1500ms);
  CHECK(calls == 0);
  CHECK(client.pending().empty());   // cut off, not answered
}

TEST_CASE("beast.idle_timeout_closes_keep_alive", "[adapters]") {
  auto options = test_options();
  options.idle_timeout = 300ms;
  options.read_timeout = 5s;
  running_server server([](const http::request&) { return text("ok"); }, options);

  SECTION("after a response") {
    raw_client client(server.port());
    REQUIRE(client.send(get_root));
    REQUIRE(client.read_response());
    const auto start = steady::now();
    CHECK(client.closed_within(3s));
    const auto elapsed = steady::now() - start;
    CHECK(elapsed >= 250ms);
    CHECK(elapsed < 1500ms);
  }

  SECTION("a connection that never sends") {
    raw_client client(server.port());
    const auto start = steady::now();
    CHECK(client.closed_within(3s));
    CHECK(steady::now() - start >= 250ms);
  }
}

TEST_CASE("beast.write_timeout_cuts_clients_that_do_not_read", "[adapters]") {
  constexpr std::size_t size = 16 * 1024 * 1024;   // more than the socket buffers hold
  auto options = test_options();
  options.write_timeout = 300ms;
  running_server server([&](const http::request&) { return text(std::string(size, 'x')); }, options);
  raw_client client(server.port());
  REQUIRE(client.send(get_root));
  std::this_thread::sleep_for(1s);   // not reading
  CHECK(client.closed_within(3s));
  CHECK(client.pending().size() < size);
}

TEST_CASE("beast.handler_exception", "[adapters]") {
  running_server server([](const http::request& req) -> http::response {
    if (req.target == "/throw") throw std::runtime_error("secret detail");
    if (req.target == "/throw-int") throw 42;
    return text("fine");
  });
  raw_client client(server.port());
  for (const char* target : {"/throw", "/throw-int"}) {
    REQUIRE(client.send(std::string("GET ") + target + " HTTP/1.1\r\nHost: test\r\n\r\n"));
    const auto res = client.read_response();
    REQUIRE(res);
    CHECK(res->status == 500);
    CHECK(res->body.empty());
    CHECK(res->get("Content-Length") == "0");
    CHECK(res->head.find("secret") == std::string::npos);
  }
  // The connection is still usable.
  REQUIRE(client.send(get_root));
  const auto res = client.read_response();
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == "fine");
}

TEST_CASE("beast.invalid_response_is_500", "[adapters]") {
  running_server server([](const http::request& req) {
    http::response r = text("body");
    if (req.target == "/split") r.add_header("Location", "/x\r\nInjected: 1");
    if (req.target == "/status") r.status = 42;
    if (req.target == "/name") r.add_header("Bad Name", "v");
    return r;
  });
  raw_client client(server.port());
  for (const char* target : {"/split", "/status", "/name"}) {
    REQUIRE(client.send(std::string("GET ") + target + " HTTP/1.1\r\nHost: test\r\n\r\n"));
    const auto res = client.read_response();
    REQUIRE(res);
    CHECK(res->status == 500);
    CHECK_FALSE(res->has("Injected"));
    CHECK(res->body.empty());
  }
}

TEST_CASE("beast.head_and_bodiless_statuses", "[adapters]") {
  running_server server([](const http::request& req) {
    http::response r = text("hello");
    if (req.target == "/204") r.status = 204;
    return r;
  });
  raw_client client(server.port());
  REQUIRE(client.send("HEAD / HTTP/1.1\r\nHost: test\r\n\r\n"));
  auto res = client.read_response(3s, /*head_only=*/true);
  REQUIRE(res);
  CHECK(res->get("Content-Length") == "5");   // what GET would send
  REQUIRE(client.send("GET /204 HTTP/1.1\r\nHost: test\r\n\r\n"));
  res = client.read_response();
  REQUIRE(res);
  CHECK(res->status == 204);   // no body bytes came before it: HEAD's body was not sent
  CHECK_FALSE(res->has("Content-Length"));
  REQUIRE(client.send(get_root));
  res = client.read_response();
  REQUIRE(res);
  CHECK(res->body == "hello");   // nor was 204's
}

TEST_CASE("beast.expect_100_continue", "[adapters]") {
  running_server server([](const http::request& req) { return text("got:" + req.body); });
  raw_client client(server.port());
  REQUIRE(client.send("POST / HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  const auto interim = client.read_response();
  REQUIRE(interim);
  CHECK(interim->status == 100);
  REQUIRE(client.send("hello"));
  const auto res = client.read_response();
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == "got:hello");
}

TEST_CASE("beast.concurrent_connections", "[adapters]") {
  constexpr std::size_t connections = 32;
  constexpr int requests = 50;
  std::atomic<int> calls{0};
  auto options = test_options();
  options.threads = 4;
  running_server server([&](const http::request& req) {
    ++calls;
    return text(req.target + "|" + std::string(req.header("X-Client").value_or("")));
  }, options);

  std::atomic<int> wrong{0};
  test_threads::run_together(connections, [&](std::size_t i) {
    raw_client client(server.port());
    if (!client.connected()) {
      wrong += requests;
      return;
    }
    for (int j = 0; j < requests; ++j) {
      const std::string target = "/c" + std::to_string(i) + "/r" + std::to_string(j);
      const std::string id = std::to_string(i * 1000 + static_cast<std::size_t>(j));
      if (!client.send("GET " + target + " HTTP/1.1\r\nHost: test\r\nX-Client: " + id + "\r\n\r\n")) {
        ++wrong;
        continue;
      }
      const auto res = client.read_response(5s);
      if (!res || res->status != 200 || res->body != target + "|" + id) ++wrong;
    }
  });
  CHECK(wrong == 0);
  CHECK(calls == static_cast<int>(connections) * requests);
}

TEST_CASE("beast.stop_lets_requests_in_flight_finish", "[adapters]") {
  std::atomic<bool> entered{false};
  running_server server([&](const http::request& req) {
    if (req.target == "/slow") {
      entered = true;
      std::this_thread::sleep_for(300ms);
      return text("done");
    }
    return text("quick");
  });

  // A keep-alive connection that is idle when stop() comes.
  raw_client idle(server.port());
  REQUIRE(idle.send(get_root));
  REQUIRE(idle.read_response());

  raw_client slow(server.port());
  REQUIRE(slow.send("GET /slow HTTP/1.1\r\nHost: test\r\n\r\n"));
  REQUIRE(wait_for(entered, 2s));
  const auto stopped_at = steady::now();
  server.server().stop();

  // New connections are refused at once.
  raw_client late(server.port());
  CHECK_FALSE(late.connected());
  // The idle connection is closed without waiting for its idle timeout.
  CHECK(idle.closed_within(1s));
  CHECK(idle.pending().empty());

  // The request in flight is answered, told that the connection closes, and it does.
  const auto res = slow.read_response(3s);
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == "done");
  CHECK(res->get("Connection") == "close");
  CHECK(slow.closed_within(2s));

  CHECK(server.returned_within(2s));
  CHECK(steady::now() - stopped_at < 2s);   // well before the 2 s shutdown_timeout
}

TEST_CASE("beast.stop_closes_what_outlives_the_shutdown_timeout", "[adapters]") {
  auto options = test_options();
  options.read_timeout = 10s;
  options.shutdown_timeout = 300ms;
  running_server server([](const http::request&) { return text("ok"); }, options);
  raw_client client(server.port());
  REQUIRE(client.send("GET / HTTP/1.1\r\nHost: te"));   // a request that never ends
  std::this_thread::sleep_for(50ms);
  const auto start = steady::now();
  server.server().stop();
  CHECK(client.closed_within(3s));
  CHECK(server.returned_within(3s));
  const auto elapsed = steady::now() - start;
  CHECK(elapsed >= 250ms);
  CHECK(elapsed < 2s);
}

TEST_CASE("beast.stop_on_signals", "[adapters]") {
  running_server server([](const http::request&) { return text("ok"); });
  server.server().stop_on_signals({SIGUSR1});
  raw_client client(server.port());
  REQUIRE(client.send(get_root));
  REQUIRE(client.read_response());
  REQUIRE(std::raise(SIGUSR1) == 0);
  CHECK(server.returned_within(3s));
}

TEST_CASE("beast.stop_before_run", "[adapters]") {
  http::beast_server server([](const http::request&) { return text("ok"); }, test_options());
  server.stop();
  std::atomic<bool> returned{false};
  std::thread runner([&] {
    server.run();
    returned = true;
  });
  CHECK(wait_for(returned, 2s));
  runner.join();
  CHECK_THROWS_AS(server.run(), std::logic_error);
}

TEST_CASE("beast.listen_error_names_the_address", "[adapters]") {
  running_server first([](const http::request&) { return text("ok"); });
  auto options = test_options();
  options.port = first.port();
  try {
    http::beast_server second([](const http::request&) { return text("ok"); }, options);
    FAIL("a second server listened on the same port");
  } catch (const std::system_error& e) {
    CHECK(e.code() == std::errc::address_in_use);
    CHECK(std::string(e.what()).find("127.0.0.1 port " + std::to_string(first.port())) != std::string::npos);
  }
}
