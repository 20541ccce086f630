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
//
// The pieces are in beast/: options.hpp, io.hpp, headers.hpp, request_parser.hpp,
// connection.hpp, server_core.hpp (acceptor, registry, sweeper, stop) and server.hpp.
#pragma once

#include <anonauth/http/beast/options.hpp>
#include <anonauth/http/beast/server.hpp>
