// anonauth/http/beast/options.hpp: how a beast_server listens and the limits it enforces.
// This folder holds the Boost.Beast server: its options, the I/O pieces, request parsing,
// one connection, the shared core (acceptor, registry, sweeper, stop) and beast_server;
// http/beast.hpp includes it all.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

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

}  // namespace anonauth::http
