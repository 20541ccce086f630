#pragma once
// The example server's page, compiled in: the files examples/server/web/build.mjs builds (the
// page, Better Auth's client bundled with ours, the stylesheet), turned into a source file by
// anonauth_example_web() (examples/server/web/web.cmake), which defines assets().

#include <span>
#include <string_view>

namespace web {

struct asset {
  std::string_view path;          // "/", "/app.js", "/style.css"
  std::string_view content_type;  // "text/html; charset=utf-8", "text/javascript; charset=utf-8", ...
  std::string_view body;
};

// Every file of the page, "/" (index.html) first.
std::span<const asset> assets();

// The file served at `path`, or nullptr.
inline const asset* find(std::string_view path) {
  for (const asset& a : assets()) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

}  // namespace web
