// The phases every benchmark of the library itself runs the same way, whatever its storage:
// anonymous sign-in, then get-session over the sessions it opened, and the link, each checked
// untimed. They run on bench_schema.hpp's schema.
#pragma once

#include "bench_schema.hpp"
#include "measure.hpp"

#include <anonauth/anonauth.hpp>

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

/// "link_*": `n` links by sign-up carrying a fresh guest's session, the guest holding `rows`
/// cart rows (written untimed, in one transaction: not `rows` commits on a synchronous=FULL
/// file); each checked untimed: the guest and its session gone, the rows moved.
template <class Auth>
stats link_phase(Auth& auth, std::string name, std::size_t n, std::size_t rows) {
  std::vector<std::string> guest_tokens(n), guest_ids(n), linked_ids(n);
  return measure(
      std::move(name), n,
      [&](std::size_t i) {
        auto guest = auth.sign_in_anonymous({});
        if (!guest) fail("guest sign-in");
        guest_tokens[i] = guest->token;
        guest_ids[i] = guest->user.id;
        if (rows > 0)  // one transaction: untimed, and not 10 000 commits on a synchronous=FULL file
          auth.storage().write([&](auto& tx) {
            for (std::size_t r = 0; r < rows; ++r)
              tx.template insert<bench::cart_item>({guest->user.id + "-" + std::to_string(r), guest->user.id, "sku", 1});
          });
      },
      [&](std::size_t i) {
        auto linked = auth.sign_up_email({next_email(), "correct horse battery", "Bench", {}},
                                         anonauth::request_context{guest_tokens[i], "127.0.0.1", "bench"});
        if (!linked) fail("link: " + std::string(linked.error().code()));
        linked_ids[i] = linked->user.id;
      },
      [&](std::size_t i) {
        if (auth.find_user(guest_ids[i])) fail("link: the guest is still there");
        if (auth.get_session(guest_tokens[i])) fail("link: the guest's session still resolves");
        if (auth.template table<bench::cart_item>().template find_by<&bench::cart_item::user_id>(linked_ids[i]).size() != rows)
          fail("link: cart rows not moved");
      });
}

}  // namespace bench_support
