// anonauth/http/beast/connection.hpp: one accepted connection of the Beast server: read a request, call
// the handler, write the response, read the next.
#pragma once

#include <anonauth/http/beast/headers.hpp>
#include <anonauth/http/beast/io.hpp>
#include <anonauth/http/beast/options.hpp>
#include <anonauth/http/beast/request_parser.hpp>
#include <anonauth/http/errors.hpp>
#include <anonauth/http/message.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace anonauth::http::detail::beast_adapter {

/// What a connection is doing, as seen by the sweeper and by stop().
enum class connection_state : std::uint8_t {
  idle,       // waiting for the first byte of a request: idle_timeout
  reading,    // a request has begun: read_timeout
  handling,   // the handler runs: no timeout
  writing,    // write_timeout
  closing,    // response sent, our side shut, reading what the client still sends
};

/// One accepted connection, owned by the shared_ptr its pending operation holds: when no
/// operation is pending any more, it is destroyed and its socket closed.
///
/// A template on its server (server_core, beast/server_core.hpp), which it reaches through `add`,
/// `remove`, `options`, `handler` and `stopping`: so this file needs nothing of the server's.
template <class Server>
class basic_connection final : public std::enable_shared_from_this<basic_connection<Server>> {
 public:
  basic_connection(Server& server, socket_type socket) : server_(server), socket_(std::move(socket)) {}
  ~basic_connection() { server_.remove(*this); }   // before the socket closes: see server_core::sweep
  basic_connection(const basic_connection&) = delete;
  basic_connection& operator=(const basic_connection&) = delete;

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
  friend Server;   // the registry links

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
    socket_.async_read_some(buffer_.prepare(size), [self = this->shared_from_this()](error_code ec, std::size_t n) {
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
                       [self = this->shared_from_this()](error_code ec, std::size_t) {
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
    net::async_write(socket_, buffers, [self = this->shared_from_this()](error_code ec, std::size_t) {
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
    socket_.async_read_some(buffer_.prepare(4096), [self = this->shared_from_this()](error_code ec, std::size_t) {
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

  Server& server_;
  socket_type socket_;
  native_socket fd_{};   // set before the connection is registered, constant while it is

  // The registry's links, guarded by server_core::registry_mutex_.
  basic_connection* prev_ = nullptr;
  basic_connection* next_ = nullptr;
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

}  // namespace anonauth::http::detail::beast_adapter
