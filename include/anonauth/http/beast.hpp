// anonauth/http/beast.hpp: a multi-threaded HTTP/1.1 server over Boost.Beast for any handler.
//
// The server knows nothing of authentication: it serves one callable, `response(const request&)`,
// usually the application's whole router:
//
//   aa::http::beast_server server(
//       [&](const aa::http::request& req) -> aa::http::response {
//         if (req.target.starts_with("/api/auth/")) return auth(req);
//         return app(req);
//       },
//       {.address = "0.0.0.0", .port = 3000});
//   server.stop_on_signals();   // SIGINT, SIGTERM: graceful stop
//   server.run();               // returns once the requests in flight are answered
//
// The handler is called from several threads at once, so it must be thread-safe. It runs on an
// I/O thread: a handler that blocks (a database round trip) holds that thread, so size
// `server_options::threads` for it.
//
// Design, in short (each point is explained where it is implemented):
// - One io_context run by `threads` threads. A connection's operations are sequential (read a
//   request, call the handler, write the response, read the next), so it needs no strand.
// - Requests are parsed by Beast's basic_parser straight into a per-connection
//   `anonauth::http::request` whose strings keep their capacity from one request to the next,
//   and responses are written with one gather write; a keep-alive request allocates nothing
//   beyond what the handler itself allocates.
// - Timeouts are deadlines in atomics, enforced by one server-wide sweeper timer that shuts the
//   socket down (a kernel-level operation, safe from any thread) instead of a timer per
//   connection that would need a strand and cost timer-queue work on every request.
#pragma once

#include "anonauth/http/errors.hpp"
#include "anonauth/http/message.hpp"

#include <boost/asio/basic_signal_set.hpp>
#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>

#if !defined(_WIN32)
#include <sys/socket.h>   // ::shutdown
#endif

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <concepts>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace anonauth::http {

/// How a `beast_server` listens, how many threads serve, and the limits it enforces.
/// A zero (or negative) timeout disables that timeout.
struct server_options {
  /// A numeric address ("127.0.0.1", "0.0.0.0", "::") or a host name resolved once.
  std::string address = "127.0.0.1";
  /// 0: any free port (see `beast_server::port()`).
  std::uint16_t port = 0;
  /// Threads running the server, the one calling run() included; 0: one per hardware thread.
  std::size_t threads = 0;
  /// To receive one whole request, counted from its first byte (cuts off slowloris clients).
  std::chrono::milliseconds read_timeout{10'000};
  /// A keep-alive connection waiting for the first byte of its next request (or of its first
  /// one) is closed after this long.
  std::chrono::milliseconds idle_timeout{30'000};
  /// To send one response (cuts off clients that do not read).
  std::chrono::milliseconds write_timeout{10'000};
  /// Request line and header fields, in bytes; more is answered 431 and the connection closed.
  std::size_t header_limit = 16 * 1024;
  /// Request body, in bytes, after removing chunked framing; more is answered 413 and closed.
  std::size_t body_limit = 64 * 1024;
  /// After stop(): how long requests in flight may take before their connections are closed.
  std::chrono::milliseconds shutdown_timeout{10'000};
};

namespace detail::beast_adapter {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
// Concrete executor types rather than any_io_executor: no type erasure on every operation.
using executor = net::io_context::executor_type;
using socket_type = net::basic_stream_socket<tcp, executor>;
using acceptor_type = net::basic_socket_acceptor<tcp, executor>;
using timer_type = net::basic_waitable_timer<std::chrono::steady_clock,
                                             net::wait_traits<std::chrono::steady_clock>, executor>;
using signal_set_type = net::basic_signal_set<executor>;
using native_socket = socket_type::native_handle_type;

/// What a beast_server can serve.
template <class H>
concept serves = std::move_constructible<H> && std::invocable<H&, const request&> &&
                 std::convertible_to<std::invoke_result_t<H&, const request&>, response>;

/// The handler behind a virtual call: beast_server is not a template, and a move-only handler is
/// fine (std::function would require a copyable one).
struct handler_base {
  virtual ~handler_base() = default;
  virtual response call(const request& req) = 0;
};

template <class H>
struct handler_model final : handler_base {
  explicit handler_model(H h) : handler(std::move(h)) {}
  response call(const request& req) override { return std::invoke(handler, req); }
  H handler;
};

// Deadlines are steady_clock nanoseconds in a std::atomic<std::int64_t>, lock-free, so that the
// sweeper reads them from any thread while the connection sets them on every request.
using ticks = std::int64_t;
inline constexpr ticks no_deadline = std::numeric_limits<ticks>::max();

inline ticks now_ticks() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline ticks deadline_after(std::chrono::milliseconds d) noexcept {
  if (d <= std::chrono::milliseconds::zero()) return no_deadline;
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  const ticks now = now_ticks();
  return ns >= no_deadline - now ? no_deadline : now + ns;
}

/// Shuts a socket down in both directions. The kernel makes this safe from any thread while
/// another one has operations pending on the socket: they complete (end of file, broken pipe)
/// and the connection's own sequence of operations then ends. Cancelling or closing the asio
/// socket from another thread would race with that sequence; shutting down before an
/// operation starts is not lost, as a cancellation would be.
inline void shutdown_socket(native_socket fd) noexcept {
#if defined(_WIN32)
  ::shutdown(fd, SD_BOTH);
#else
  ::shutdown(fd, SHUT_RDWR);
#endif
}

/// The Date header value (RFC 9110 §5.6.7), e.g. "Sun, 06 Nov 1994 08:49:37 GMT": formatted
/// once a second per thread, without locale or time-zone functions.
inline std::string_view http_date() {
  thread_local std::int64_t cached_second = std::numeric_limits<std::int64_t>::min();
  thread_local std::array<char, 29> text{};
  using namespace std::chrono;
  const auto now = floor<seconds>(std::chrono::system_clock::now());  // not anonauth::system_clock
  if (now.time_since_epoch().count() != cached_second) {
    cached_second = now.time_since_epoch().count();
    const auto day = floor<days>(now);
    const year_month_day ymd{day};
    const hh_mm_ss hms{now - day};
    static constexpr std::string_view week_days = "SunMonTueWedThuFriSat";
    static constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const auto two = [](char* out, unsigned v) {
      out[0] = static_cast<char>('0' + v / 10 % 10);
      out[1] = static_cast<char>('0' + v % 10);
    };
    char* p = text.data();
    week_days.copy(p, 3, weekday{day}.c_encoding() * 3);
    p[3] = ',';
    p[4] = ' ';
    two(p + 5, static_cast<unsigned>(ymd.day()));
    p[7] = ' ';
    months.copy(p + 8, 3, (static_cast<unsigned>(ymd.month()) - 1) * 3);
    p[11] = ' ';
    const auto y = static_cast<unsigned>(static_cast<int>(ymd.year()));
    two(p + 12, y / 100);
    two(p + 14, y % 100);
    p[16] = ' ';
    two(p + 17, static_cast<unsigned>(hms.hours().count()));
    p[19] = ':';
    two(p + 20, static_cast<unsigned>(hms.minutes().count()));
    p[22] = ':';
    two(p + 23, static_cast<unsigned>(hms.seconds().count()));
    std::string_view(" GMT").copy(p + 25, 4);
  }
  return {text.data(), text.size()};
}

/// A header name a response may carry: a non-empty token (RFC 9110 §5.6.2).
constexpr bool valid_header_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

/// A header value a response may carry: no CR, LF, NUL or other control character but HTAB.
/// A value built from user input with a line break in it must not split the response.
constexpr bool valid_header_value(std::string_view value) noexcept {
  for (const char c : value) {
    const auto b = static_cast<unsigned char>(c);
    if ((b < 0x20 && c != '\t') || b == 0x7F) return false;
  }
  return true;
}

/// Whether a Connection header value lists the "close" option.
constexpr bool lists_close(std::string_view value) noexcept {
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    std::string_view token = value.substr(0, comma);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (iequals(token, "close")) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

/// Beast's HTTP/1 request parser writing into an `anonauth::http::request` directly, instead of
/// into a beast::http::message whose fields would allocate one node per header and then be
/// copied. Strings are assigned, not rebuilt, so a kept-alive connection reuses their capacity.
class request_parser final : public bhttp::basic_parser<true> {
 public:
  explicit request_parser(request& out) noexcept : out_(&out) {}

  /// 10 for HTTP/1.0, 11 for HTTP/1.1.
  [[nodiscard]] int version() const noexcept { return version_; }
  /// Whether an HTTP/1.1 client waits for "100 Continue" before sending the body.
  [[nodiscard]] bool expects_continue() const noexcept { return expect_continue_; }

 private:
  void on_request_impl(bhttp::verb, boost::beast::string_view method, boost::beast::string_view target,
                       int version, error_code&) override {
    out_->method.assign(method.data(), method.size());   // as sent, even an unknown method
    out_->target.assign(target.data(), target.size());
    version_ = version;
  }

  void on_response_impl(int, boost::beast::string_view, int, error_code&) override {}

  void on_field_impl(bhttp::field f, boost::beast::string_view name, boost::beast::string_view value,
                     error_code&) override {
    // Fields after the header are chunked trailers: never taken as headers (a Cookie or Origin
    // smuggled behind the body must not reach the handler).
    if (is_header_done()) return;
    auto& headers = out_->headers;
    if (fields_ < headers.size()) {
      headers[fields_].name.assign(name.data(), name.size());
      headers[fields_].value.assign(value.data(), value.size());
    } else {
      headers.push_back({std::string(name.data(), name.size()), std::string(value.data(), value.size())});
    }
    ++fields_;
    if (f == bhttp::field::host) ++hosts_;
    if (f == bhttp::field::transfer_encoding) transfer_encoding_ = true;
    if (f == bhttp::field::expect && version_ >= 11 && iequals({value.data(), value.size()}, "100-continue"))
      expect_continue_ = true;
  }

  void on_header_impl(error_code& ec) override {
    out_->headers.resize(fields_);
    // RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host, and no request has two.
    if ((version_ >= 11 && hosts_ != 1) || hosts_ > 1) ec = bhttp::error::bad_value;
    // RFC 9112 §6.3: a Transfer-Encoding whose last coding is not chunked leaves the length of
    // the body unknown (Beast would read it as having none, and the body as the next request).
    if (transfer_encoding_ && !chunked()) ec = bhttp::error::bad_transfer_encoding;
  }

  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code&) override {
    // Beast has already checked the length against body_limit.
    if (content_length) out_->body.reserve(static_cast<std::size_t>(*content_length));
  }

  std::size_t on_body_impl(boost::beast::string_view body, error_code&) override {
    out_->body.append(body.data(), body.size());
    return body.size();
  }

  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, error_code&) override {}

  std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body, error_code&) override {
    out_->body.append(body.data(), body.size());
    return body.size();
  }

  void on_finish_impl(error_code&) override {}

  request* out_;
  std::size_t fields_ = 0;
  int version_ = 11;
  int hosts_ = 0;
  bool transfer_encoding_ = false;
  bool expect_continue_ = false;
};

/// What a connection is doing, as seen by the sweeper and by stop().
enum class connection_state : std::uint8_t {
  idle,       // waiting for the first byte of a request: idle_timeout
  reading,    // a request has begun: read_timeout
  handling,   // the handler runs: no timeout
  writing,    // write_timeout
  closing,    // response sent, our side shut, reading what the client still sends
};

class connection;

/// The state shared by the server's threads: the listener, the registry of connections, the
/// sweeper, the stop sequence.
class server_core {
 public:
  server_core(std::unique_ptr<handler_base> handler, server_options options);
  ~server_core();
  server_core(const server_core&) = delete;
  server_core& operator=(const server_core&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] const std::string& origin() const noexcept { return origin_; }
  void run();
  void stop();
  void stop_on_signals(std::initializer_list<int> signals);

  // For connections.
  [[nodiscard]] const server_options& options() const noexcept { return options_; }
  [[nodiscard]] handler_base& handler() noexcept { return *handler_; }
  [[nodiscard]] bool stopping() const noexcept { return stopping_.load(); }
  void add(connection& c);
  void remove(connection& c) noexcept;

 private:
  static server_options normalized(server_options o);
  static std::chrono::milliseconds sweep_interval(const server_options& o) noexcept;
  tcp::endpoint resolve();
  void accept();   // control_mutex_ held
  void on_accept(error_code ec, socket_type socket);
  void arm_sweeper();   // control_mutex_ held
  void on_sweep();
  void sweep(bool stopping) noexcept;

  std::unique_ptr<handler_base> handler_;
  server_options options_;
  std::chrono::milliseconds sweep_interval_;

  // The registry: an intrusive list of the open connections (links in the connections), so
  // that adding or removing one allocates nothing.
  std::mutex registry_mutex_;
  connection* first_ = nullptr;
  std::atomic<std::size_t> connections_{0};

  std::atomic<bool> stopping_{false};
  std::atomic<ticks> force_close_at_{no_deadline};
  std::atomic<bool> ran_{false};
  bool tearing_down_ = false;   // set by the destructor, read by remove() on the same thread

  // Declared before the I/O objects, so that they are destroyed first; the registry and the
  // handler outlive it, as destroying it destroys the connections its pending operations hold.
  net::io_context ioc_;
  // Serialises the initiations and cancellations of the I/O objects below: their completion
  // handlers run on any thread and stop() is called from any thread.
  std::mutex control_mutex_;
  acceptor_type acceptor_;
  timer_type accept_retry_;
  timer_type sweeper_;
  std::optional<signal_set_type> signals_;
  bool signal_wait_pending_ = false;

  std::uint16_t port_ = 0;
  std::string origin_;
};

/// One accepted connection, owned by the shared_ptr its pending operation holds: when no
/// operation is pending any more, it is destroyed and its socket closed.
class connection final : public std::enable_shared_from_this<connection> {
 public:
  connection(server_core& server, socket_type socket) : server_(server), socket_(std::move(socket)) {}
  ~connection() { server_.remove(*this); }   // before the socket closes: see server_core::sweep
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  void start() {
    error_code ec;
    // Small responses go out at once instead of waiting for the client's delayed ACK.
    socket_.set_option(tcp::no_delay(true), ec);
    const auto peer = socket_.remote_endpoint(ec);
    if (ec) return;   // already reset by the client
    auto address = peer.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped())
      address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
    request_.peer_address = address.to_string();   // kept for every request of the connection
    request_.tls = false;
    fd_ = socket_.native_handle();
    server_.add(*this);
    begin_request();
  }

  /// Called by the sweeper and by stop(), with the registry locked, from any thread: reads only
  /// atomics and the descriptor, which does not change while the connection is registered.
  void sweep(ticks now, bool stopping, bool force) noexcept {
    if (force) {
      shutdown_socket(fd_);
      return;
    }
    if (stopping) {
      // An idle keep-alive connection has no request in flight: close it. The exchange
      // decides the race with a request's first byte (see on_read).
      auto expected = connection_state::idle;
      if (state_.compare_exchange_strong(expected, connection_state::closing)) {
        shutdown_socket(fd_);
        return;
      }
    }
    if (deadline_.load(std::memory_order_relaxed) <= now) {
      deadline_.store(no_deadline, std::memory_order_relaxed);
      shutdown_socket(fd_);
    }
  }

 private:
  friend class server_core;   // the registry links

  void set_deadline(std::chrono::milliseconds d) noexcept {
    deadline_.store(deadline_after(d), std::memory_order_relaxed);
  }

  void begin_request() {
    parser_.emplace(request_);
    const auto& o = server_.options();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(o.header_limit, UINT32_MAX)));
    parser_->body_limit(static_cast<std::uint64_t>(o.body_limit));
    parser_->eager(true);   // parse the body in the same pass as the header
    // Capacity is kept for the next request, up to a bound: a connection idling after one large
    // body does not hold on to it.
    constexpr std::size_t kept_capacity = 16 * 1024;
    if (request_.body.capacity() > kept_capacity) request_.body = std::string();
    request_.body.clear();
    if (buffer_.size() == 0 && buffer_.capacity() > kept_capacity) buffer_.shrink_to_fit();
    continue_sent_ = false;
    if (buffer_.size() > 0) {   // a pipelined request is already here
      state_.store(connection_state::reading);
      set_deadline(o.read_timeout);
      parse();
      return;
    }
    // Announce idle, then look at stopping: stop() sets stopping, then closes the idle ones,
    // so (both sequentially consistent) at least one side sees the other.
    state_.store(connection_state::idle);
    if (server_.stopping()) return;   // nothing in flight: close
    set_deadline(o.idle_timeout);
    read();
  }

  void read() {
    // Read what is there, at least 4 KiB: one read usually holds a whole request.
    const std::size_t free = buffer_.capacity() - buffer_.size();
    const std::size_t size = std::clamp<std::size_t>(free, 4096, 65536);
    socket_.async_read_some(buffer_.prepare(size), [self = shared_from_this()](error_code ec, std::size_t n) {
      self->on_read(ec, n);
    });
  }

  void on_read(error_code ec, std::size_t n) {
    // End of file, a reset, or a shutdown by a timeout or stop(): the connection closes.
    if (ec) return;
    buffer_.commit(n);
    auto expected = connection_state::idle;
    if (state_.compare_exchange_strong(expected, connection_state::reading)) {
      set_deadline(server_.options().read_timeout);   // from its first byte, the request must be
                                                      // complete within read_timeout
    } else if (expected == connection_state::closing) {
      return;   // stop() closed this idle connection just before its bytes arrived
    }
    guarded([this] { parse(); });
  }

  void parse() {
    for (;;) {
      if (buffer_.size() == 0) {
        need_input();
        return;
      }
      error_code ec;
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == bhttp::error::need_more) {
        need_input();
        return;
      }
      if (ec) {
        refuse(ec);
        return;
      }
      if (parser_->is_done()) {
        handle();
        return;
      }
      if (used == 0) {
        need_input();
        return;
      }
    }
  }

  void need_input() {
    // Expect: 100-continue: the client sends the body only when told to (curl waits a second
    // otherwise). Only once the header was accepted (a body over the limit is refused first),
    // and not once the client has begun sending the body anyway.
    if (!continue_sent_ && parser_->is_header_done() && parser_->expects_continue() && request_.body.empty()) {
      continue_sent_ = true;
      static constexpr std::string_view line = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(socket_, net::buffer(line.data(), line.size()),
                       [self = shared_from_this()](error_code ec, std::size_t) {
                         if (!ec) self->guarded([&] { self->read(); });
                       });
      return;
    }
    read();
  }

  void refuse(error_code ec) {
    if (ec == bhttp::error::header_limit)
      response_ = error_response(errors::header_fields_too_large.status, errors::header_fields_too_large.code,
                                 errors::header_fields_too_large.message);
    else if (ec == bhttp::error::body_limit)
      response_ = error_response(errors::payload_too_large.status, errors::payload_too_large.code,
                                 errors::payload_too_large.message);
    else
      response_ = error_response(errors::malformed_request.status, errors::malformed_request.code,
                                 errors::malformed_request.message);
    // The parser cannot go on: what follows in the stream is not known to be a request.
    refused_ = true;
    keep_alive_ = false;
    http10_ = false;
    head_request_ = false;
    write();
  }

  void handle() {
    state_.store(connection_state::handling);
    deadline_.store(no_deadline, std::memory_order_relaxed);   // the handler's time is its own
    try {
      response_ = server_.handler().call(request_);
    } catch (...) {
      // The handler's failure is this request's, not the connection's: 500, and the next
      // request is served.
      response_ = response{};
      response_.status = 500;
    }
    // After the handler: a stop() meanwhile is announced in this response.
    keep_alive_ = parser_->keep_alive() && !server_.stopping();
    http10_ = parser_->version() < 11;
    head_request_ = request_.method == "HEAD";
    write();
  }

  /// Serialises the status line and headers into head_ (its capacity reused); false if the
  /// response cannot be sent as is (a status that is not final, a header that is not valid).
  bool build_head() {
    const int status = response_.status;
    if (status < 200 || status > 599) return false;
    head_.clear();
    head_.append("HTTP/1.1 ");
    std::array<char, 4> code{};
    std::to_chars(code.data(), code.data() + code.size(), status);
    head_.append(code.data(), 3);
    head_.push_back(' ');
    head_.append(reason_phrase(status));
    head_.append("\r\n");
    bool has_date = false;
    for (const auto& h : response_.headers) {
      if (!valid_header_name(h.name) || !valid_header_value(h.value)) return false;
      // Framing is the server's: it writes Content-Length itself.
      if (iequals(h.name, "Content-Length") || iequals(h.name, "Transfer-Encoding")) continue;
      if (iequals(h.name, "Connection")) {
        if (lists_close(h.value)) keep_alive_ = false;   // the handler may ask to close
        continue;
      }
      if (iequals(h.name, "Date")) has_date = true;
      head_.append(h.name);
      head_.append(": ");
      head_.append(h.value);
      head_.append("\r\n");
    }
    if (!has_date) {
      head_.append("Date: ");
      head_.append(http_date());
      head_.append("\r\n");
    }
    if (body_allowed()) {
      // For HEAD, the length the body would have (RFC 9110 §8.6).
      std::array<char, 24> length{};
      const auto end = std::to_chars(length.data(), length.data() + length.size(), response_.body.size()).ptr;
      head_.append("Content-Length: ");
      head_.append(length.data(), static_cast<std::size_t>(end - length.data()));
      head_.append("\r\n");
    }
    if (!keep_alive_)
      head_.append("Connection: close\r\n");
    else if (http10_)
      head_.append("Connection: keep-alive\r\n");   // HTTP/1.0 keeps alive only when told
    head_.append("\r\n");
    return true;
  }

  /// 204 and 304 have no body and no Content-Length (RFC 9110 §8.6, §15.3.5, §15.4.5).
  [[nodiscard]] bool body_allowed() const noexcept { return response_.status != 204 && response_.status != 304; }

  void write() {
    if (!build_head()) {
      response_ = response{};
      response_.status = 500;
      build_head();
    }
    state_.store(connection_state::writing);
    set_deadline(server_.options().write_timeout);
    const bool send_body = body_allowed() && !head_request_ && !response_.body.empty();
    // One gather write: the head and the body, without copying the body.
    const std::array<net::const_buffer, 2> buffers{
        net::buffer(head_), send_body ? net::buffer(response_.body) : net::const_buffer()};
    net::async_write(socket_, buffers, [self = shared_from_this()](error_code ec, std::size_t) {
      if (!ec) self->guarded([&] { self->on_written(); });
    });
  }

  void on_written() {
    response_ = response{};   // the handler's memory goes now, not when the next request comes
    if (keep_alive_ && !server_.stopping()) {
      begin_request();
      return;
    }
    // Closing a socket with unread input makes the kernel send a reset, which can destroy our
    // response in the client's buffers before it reads it (a 413 refusing a body the client is
    // still sending would never arrive). When more input may follow (a refused request, a
    // pipelined one), linger; otherwise close at once: the end of the response is a FIN.
    if (refused_ || buffer_.size() > 0) {
      linger();
      return;
    }
    error_code ec;
    socket_.shutdown(net::socket_base::shutdown_send, ec);
  }

  /// Closes our side and reads what the client still sends until it closes too, for a short
  /// while (within read_timeout, at most 2 s).
  void linger() {
    state_.store(connection_state::closing);
    set_deadline(std::min<std::chrono::milliseconds>(server_.options().read_timeout, std::chrono::seconds(2)));
    error_code ec;
    socket_.shutdown(net::socket_base::shutdown_send, ec);
    if (ec) return;
    drain();
  }

  void drain() {
    buffer_.clear();
    socket_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](error_code ec, std::size_t) {
      if (!ec) self->guarded([&] { self->drain(); });
    });
  }

  /// Runs one step of the connection; an exception (an allocation failing) ends the connection
  /// rather than the server's thread.
  template <class F>
  void guarded(F f) noexcept {
    try {
      f();
    } catch (...) {
    }
  }

  server_core& server_;
  socket_type socket_;
  native_socket fd_{};   // set before the connection is registered, constant while it is

  // The registry's links, guarded by server_core::registry_mutex_.
  connection* prev_ = nullptr;
  connection* next_ = nullptr;
  bool registered_ = false;

  std::atomic<connection_state> state_{connection_state::idle};
  std::atomic<ticks> deadline_{no_deadline};

  boost::beast::flat_buffer buffer_;
  std::optional<request_parser> parser_;   // Beast's parsers are single-use: re-emplaced
  request request_;
  response response_;
  std::string head_;
  bool keep_alive_ = false;
  bool http10_ = false;
  bool head_request_ = false;
  bool continue_sent_ = false;
  bool refused_ = false;
};

inline server_options server_core::normalized(server_options o) {
  if (o.threads == 0) o.threads = std::max(1u, std::thread::hardware_concurrency());
  return o;
}

inline std::chrono::milliseconds server_core::sweep_interval(const server_options& o) noexcept {
  // A quarter of the shortest timeout, between 10 ms and 1 s: timeouts are enforced within
  // that much, for one timer wake-up per interval whatever the number of connections.
  using std::chrono::milliseconds;
  milliseconds shortest = milliseconds::max();
  for (const milliseconds t : {o.read_timeout, o.idle_timeout, o.write_timeout, o.shutdown_timeout})
    if (t > milliseconds::zero()) shortest = std::min(shortest, t);
  if (shortest == milliseconds::max()) return std::chrono::seconds(1);
  return std::clamp<milliseconds>(shortest / 4, milliseconds(10), milliseconds(1000));
}

inline server_core::server_core(std::unique_ptr<handler_base> handler, server_options options)
    : handler_(std::move(handler)),
      options_(normalized(std::move(options))),
      sweep_interval_(sweep_interval(options_)),
      ioc_(static_cast<int>(std::min<std::size_t>(options_.threads, INT32_MAX))),
      acceptor_(ioc_.get_executor()),
      accept_retry_(ioc_.get_executor()),
      sweeper_(ioc_.get_executor()) {
  const tcp::endpoint endpoint = resolve();
  const auto where = [&] { return options_.address + " port " + std::to_string(options_.port); };
  error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) throw std::system_error(ec, "anonauth::http::beast_server: cannot open a socket for " + where());
  // A restarted server can bind while the old one's connections sit in TIME_WAIT.
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  acceptor_.bind(endpoint, ec);
  if (ec) throw std::system_error(ec, "anonauth::http::beast_server: cannot bind to " + where());
  // Load generators open 64 connections and more at once: a short backlog refuses some.
  acceptor_.listen(std::max(1024, static_cast<int>(net::socket_base::max_listen_connections)), ec);
  if (ec) throw std::system_error(ec, "anonauth::http::beast_server: cannot listen on " + where());
  const tcp::endpoint bound = acceptor_.local_endpoint(ec);
  if (ec) throw std::system_error(ec, "anonauth::http::beast_server: cannot read the address bound for " + where());
  port_ = bound.port();
  // The origin a client on this machine uses: the loopback address when bound to all of them.
  auto address = bound.address();
  if (address.is_unspecified())
    address = address.is_v6() ? net::ip::address(net::ip::address_v6::loopback())
                               : net::ip::address(net::ip::address_v4::loopback());
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  origin_ = "http://" + host + ":" + std::to_string(port_);

  // Connections are accepted (and wait in the backlog) from here on, before run().
  const std::lock_guard lock(control_mutex_);
  accept();
  arm_sweeper();
}

inline server_core::~server_core() {
  // Destroying ioc_ below destroys the connections its pending operations hold (if run() was
  // never called or failed); their remove() must not touch the timers destroyed before it.
  tearing_down_ = true;
}

inline tcp::endpoint server_core::resolve() {
  error_code ec;
  const auto address = net::ip::make_address(options_.address, ec);
  if (!ec) return {address, options_.port};
  net::ip::basic_resolver<tcp, executor> resolver(ioc_.get_executor());
  const auto results = resolver.resolve(options_.address, std::to_string(options_.port),
                                        tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (!ec && results.empty()) ec = net::error::host_not_found;
  if (ec) throw std::system_error(ec, "anonauth::http::beast_server: cannot resolve address \"" + options_.address + "\"");
  return results.begin()->endpoint();
}

inline void server_core::accept() {
  acceptor_.async_accept(ioc_, [this](error_code ec, socket_type socket) { on_accept(ec, std::move(socket)); });
}

inline void server_core::on_accept(error_code ec, socket_type socket) {
  {
    const std::lock_guard lock(control_mutex_);
    if (stopping_) return;
    if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space || ec == net::error::no_memory) {
      // Out of descriptors or memory: accepting again at once would spin; wait for some to be
      // released.
      accept_retry_.expires_after(std::chrono::milliseconds(50));
      accept_retry_.async_wait([this](error_code wait_error) {
        if (wait_error) return;
        const std::lock_guard relock(control_mutex_);
        if (!stopping_) accept();
      });
      return;
    }
    accept();   // the next one, while this one starts
  }
  if (ec) return;   // e.g. reset by the client before it was accepted
  try {
    std::make_shared<connection>(*this, std::move(socket))->start();
  } catch (...) {
    // No memory for one more connection: it is closed, the others go on.
  }
}

inline void server_core::add(connection& c) {
  const std::lock_guard lock(registry_mutex_);
  c.next_ = first_;
  if (first_ != nullptr) first_->prev_ = &c;
  first_ = &c;
  c.registered_ = true;
  connections_.fetch_add(1);
}

inline void server_core::remove(connection& c) noexcept {
  bool last = false;
  {
    const std::lock_guard lock(registry_mutex_);
    if (!c.registered_) return;
    if (c.prev_ != nullptr) c.prev_->next_ = c.next_;
    else first_ = c.next_;
    if (c.next_ != nullptr) c.next_->prev_ = c.prev_;
    c.registered_ = false;
    last = connections_.fetch_sub(1) == 1;
  }
  // The last connection of a stopping server: the sweeper has nothing left to watch, and its
  // pending wait is all that keeps run() from returning.
  if (last && stopping_ && !tearing_down_) {
    const std::lock_guard lock(control_mutex_);
    sweeper_.cancel();
  }
}

inline void server_core::arm_sweeper() {
  sweeper_.expires_after(sweep_interval_);
  sweeper_.async_wait([this](error_code) { on_sweep(); });
}

inline void server_core::on_sweep() {
  const bool stopping = stopping_;
  if (stopping && connections_ == 0) return;
  sweep(stopping);
  const std::lock_guard lock(control_mutex_);
  // Checked again under the lock: remove() cancels under it once the count reaches zero.
  if (stopping_ && connections_ == 0) return;
  arm_sweeper();
}

inline void server_core::sweep(bool stopping) noexcept {
  const ticks now = now_ticks();
  const bool force = stopping && now >= force_close_at_.load();
  // A connection removes itself from the registry before its socket is closed, under this
  // lock: while it is listed here, its descriptor is its own and not one reused by another.
  const std::lock_guard lock(registry_mutex_);
  for (connection* c = first_; c != nullptr; c = c->next_) c->sweep(now, stopping, force);
}

inline void server_core::run() {
  if (ran_.exchange(true)) throw std::logic_error("anonauth::http::beast_server::run: a server runs once");
  std::mutex error_mutex;
  std::exception_ptr error;
  const auto work = [&]() noexcept {
    try {
      ioc_.run();
    } catch (...) {
      {
        const std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
      }
      ioc_.stop();
    }
  };
  std::vector<std::thread> pool;
  try {
    pool.reserve(options_.threads - 1);
    for (std::size_t i = 1; i < options_.threads; ++i) pool.emplace_back(work);
  } catch (...) {
    ioc_.stop();
    for (auto& t : pool) t.join();
    throw;
  }
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

inline void server_core::stop() {
  if (stopping_.exchange(true)) return;
  force_close_at_.store(options_.shutdown_timeout > std::chrono::milliseconds::zero()
                            ? deadline_after(options_.shutdown_timeout)
                            : now_ticks());
  {
    const std::lock_guard lock(control_mutex_);
    error_code ec;
    acceptor_.close(ec);   // new connections are refused from now on
    accept_retry_.cancel();
    if (signals_) {
      signals_->cancel(ec);
      signals_->clear(ec);   // a second Ctrl-C during the grace period acts as usual
    }
  }
  sweep(true);   // closes the idle connections; the others finish their request first
  if (connections_ == 0) {
    const std::lock_guard lock(control_mutex_);
    sweeper_.cancel();
  }
}

inline void server_core::stop_on_signals(std::initializer_list<int> signals) {
  const std::lock_guard lock(control_mutex_);
  if (stopping_) return;
  if (!signals_) signals_.emplace(ioc_.get_executor());
  for (const int s : signals) {
    error_code ec;
    signals_->add(s, ec);
    if (ec) throw std::system_error(ec, "anonauth::http::beast_server: cannot handle signal " + std::to_string(s));
  }
  if (signal_wait_pending_) return;
  signal_wait_pending_ = true;
  signals_->async_wait([this](error_code ec, int) {
    {
      const std::lock_guard relock(control_mutex_);
      signal_wait_pending_ = false;
    }
    if (!ec) stop();
  });
}

}  // namespace detail::beast_adapter

/// A multi-threaded HTTP/1.1 server (Boost.Beast, Boost.Asio) serving one handler.
///
/// - Keep-alive as HTTP/1.1 defines it; `Connection: close` and HTTP/1.0 without keep-alive
///   close after the response. Pipelined requests are answered in order.
/// - A request whose header exceeds `header_limit` is answered 431, one whose body exceeds
///   `body_limit` 413 (the handler never sees it), a malformed one 400; each then closes.
/// - `read_timeout`, `idle_timeout` and `write_timeout` close the connections that exceed them.
/// - A handler that throws gives a 500 with an empty body; the connection goes on.
/// - The response is written as the handler returned it (headers in order, Set-Cookie lines
///   kept apart), plus Content-Length, Date (unless the handler set one) and Connection. A
///   response with a status outside 200-599 or a header that is not valid (a line break in a
///   value) is replaced by an empty 500.
class beast_server {
 public:
  /// Binds and listens (connections wait in the backlog until run()). Throws std::system_error
  /// naming the address when it cannot. `handler` is called from several threads at once.
  template <class Handler>
    requires(!std::same_as<std::remove_cvref_t<Handler>, beast_server>) &&   // not a copy
            detail::beast_adapter::serves<Handler>
  explicit beast_server(Handler handler, server_options options = {})
      : core_(std::make_unique<detail::beast_adapter::server_core>(
            std::make_unique<detail::beast_adapter::handler_model<Handler>>(std::move(handler)),
            std::move(options))) {}

  beast_server(const beast_server&) = delete;
  beast_server& operator=(const beast_server&) = delete;
  /// Must not be called while run() runs: stop(), wait for run() to return, then destroy.
  ~beast_server() = default;

  /// The port listened on (the one chosen when `server_options::port` was 0).
  [[nodiscard]] std::uint16_t port() const noexcept { return core_->port(); }
  /// "http://127.0.0.1:PORT": the URL of the server from this machine (the loopback address
  /// when it listens on all of them).
  [[nodiscard]] const std::string& origin() const noexcept { return core_->origin(); }

  /// Serves on `server_options::threads` threads, the calling one included, until stop() and the
  /// end of the requests in flight. A server runs once: a second call throws std::logic_error.
  void run() { core_->run(); }

  /// Thread-safe, from any thread or from the handler, and returns at once: stops accepting
  /// (new connections are refused), closes idle keep-alive connections, lets the requests in
  /// flight finish and their responses be sent (with `Connection: close`), then run() returns.
  /// Connections still open after `shutdown_timeout` are closed; a handler still running keeps
  /// its thread, and run(), until it returns.
  void stop() { core_->stop(); }

  /// Calls stop() on the first of these signals (then restores their default action, so that a
  /// second one ends the process as usual). Call it before run().
  void stop_on_signals(std::initializer_list<int> signals = {SIGINT, SIGTERM}) { core_->stop_on_signals(signals); }

 private:
  std::unique_ptr<detail::beast_adapter::server_core> core_;
};

}  // namespace anonauth::http
