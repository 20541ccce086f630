// anonauth/http/url.hpp: the URL pieces of Better Auth's wire protocol, with JavaScript's rules.
//
// Better Auth decides what it trusts with `new URL(x).origin`, `encodeURIComponent` and
// `decodeURIComponent`, so a C++ server that is to accept and refuse exactly what it accepts and
// refuses needs the same functions, byte for byte:
//
//   percent_encode_component("a.b/c=")          -> "a.b%2Fc%3D"      (encodeURIComponent)
//   percent_decode("a%2Fb")                     -> "a/b"; percent_decode("%zz") -> nullopt
//   form_decode("a+b%21")                       -> "a b!"           (URLSearchParams)
//   parse_url("HTTPS://App.Example.com:443/x")->origin()  -> "https://app.example.com"
//   auto [path, query] = split_target("/api/auth/get-session?disableRefresh=true");
//   query_value(query, "disableRefresh")        -> "true"
//
// parse_url follows the WHATWG URL Standard (what Node's and browsers' `URL` implement) for
// absolute URLs, with one limit: a host with non-ASCII characters (after percent-decoding) is
// refused instead of being converted to punycode, since that needs the IDNA tables. Browsers
// send such hosts already in punycode ("xn--..."), which is accepted as written.
//
// The pieces are in url/: chars.hpp, percent.hpp (percent coding), whatwg.hpp (the parser's
// steps), parse.hpp (absolute URLs, request targets); origin matching is in http/origins.hpp.
#pragma once

#include <anonauth/http/url/chars.hpp>
#include <anonauth/http/url/parse.hpp>
#include <anonauth/http/url/percent.hpp>
#include <anonauth/http/url/whatwg.hpp>
