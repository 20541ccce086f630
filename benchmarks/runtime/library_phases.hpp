// The phases every benchmark of the library itself runs the same way, whatever its storage:
// anonymous sign-in, then get-session over the sessions it opened, each checked untimed.
#pragma once

#include "measure.hpp"

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace bench_support {

/// Appends "sign_in_anonymous" and "get_session", `n` operations each, to `all`.
template <class Auth>
void sign_in_and_get_session(Auth& auth, std::size_t n, std::vector<stats>& all) {
  std::vector<std::string> tokens, ids;
  tokens.reserve(n);
  ids.reserve(n);
  all.push_back(measure(
      "sign_in_anonymous", n, [](std::size_t) {},
      [&](std::size_t) {
        auto r = auth.sign_in_anonymous({});
        if (!r) fail("sign-in: " + std::string(r.error().code()));
        tokens.push_back(std::move(r->token));
        ids.push_back(std::move(r->user.id));
      },
      [&](std::size_t i) {
        if (tokens[i].size() != 32 || ids[i].size() != 32) fail("sign-in: token or id");
      }));
  std::string found;
  all.push_back(measure(
      "get_session", n, [](std::size_t) {},
      [&](std::size_t i) {
        auto view = auth.get_session(tokens[i % tokens.size()]);
        if (!view || !view->user.is_anonymous) fail("get-session");
        found = std::move(view->user.id);
      },
      [&](std::size_t i) {
        if (found != ids[i % ids.size()]) fail("get-session: another user");
      }));
}

}  // namespace bench_support
