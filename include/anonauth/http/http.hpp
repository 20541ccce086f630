// anonauth/http/http.hpp: the HTTP layer, framework-agnostic: Better Auth's protocol as a
// function from aa::http::request to aa::http::response (CMake target anonauth::http).
//
//   #include <anonauth/http/http.hpp>
//   aa::http::handler handler{auth, aa::http::options{.base_url = ..., .secret = ...}};
//
// A server adapter is a header of its own: anonauth/http/beast.hpp (Boost.Beast), or
// anonauth/http/httplib.hpp (cpp-httplib, target anonauth::httplib); docs/http.md shows how to
// put the handler behind any other server.
#pragma once

#include <anonauth/http/cookies.hpp>
#include <anonauth/http/errors.hpp>
#include <anonauth/http/handler.hpp>
#include <anonauth/http/id_token.hpp>
#include <anonauth/http/message.hpp>
#include <anonauth/http/options.hpp>
#include <anonauth/http/origins.hpp>
