// Fixtures of the linking, atomicity, concurrency and archetype tests: the seed's rows and
// schema (a guest with a cart, drafts, a bio and a location), and helpers to drive an auth
// through a guest's life. The requests, bodies, hashing and counts are those of fixtures.hpp.
//
// Everything lives in namespace link_fixtures so that it never collides with the types of
// other test files linked into the same executable.
#pragma once

#include <anonauth/anonauth.hpp>

#include "fixtures.hpp"
#include "seed.hpp"

#include <anonauth/testing/detail/fixture.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace link_fixtures {

namespace aa = anonauth;

// --- rows, schemas and the seed's link (seed.hpp) -------------------------------------------------

using seed::app_schema;
using seed::cart_item;
using seed::draft;
using seed::schema_with;
using seed::seed_link;
using seed::user;

using fixtures::fast_hashing;

using seed_auth = aa::anonymous_auth<app_schema, aa::link<seed_link>, fast_hashing>;

// --- requests (fixtures.hpp) --------------------------------------------------------------------

using fixtures::no_session;
using fixtures::sign_up_body;
using fixtures::test_password;
using fixtures::with_token;

/// Signs in with the password sign_up_body gave.
inline aa::email_sign_in sign_in_body(std::string email) {
  return aa::email_sign_in{std::move(email), std::string(test_password)};
}

inline aa::social_profile profile(std::string provider, std::string account_id, std::string email,
                                  bool verified = true) {
  return aa::social_profile{std::move(provider), std::move(account_id), std::move(email), "Social Name",
                            std::nullopt, verified};
}

// --- a guest's life -----------------------------------------------------------------------------

/// A signed-in user (guest or not) and the raw token of its session.
struct identity {
  std::string id;
  std::string token;
};

/// Signs a new guest in; throws (through result::value) if that fails.
template <class Auth>
identity new_guest(Auth& auth) {
  auto r = auth.sign_in_anonymous(no_session());
  auto& s = r.value();
  return identity{s.user.id, s.token};
}

/// Adds `n` cart items owned by `owner`, with ids `<prefix>-cart-<i>`.
template <class Auth>
void fill_cart(Auth& auth, const std::string& owner, std::size_t n, const std::string& prefix) {
  for (std::size_t i = 0; i < n; ++i)
    auth.template table<cart_item>().insert(
        cart_item{prefix + "-cart-" + std::to_string(i), owner, "sku-" + std::to_string(i), static_cast<int>(i) + 1});
}

/// Adds `n` drafts written by `author`, with ids `<prefix>-draft-<i>`.
template <class Auth>
void write_drafts(Auth& auth, const std::string& author, std::size_t n, const std::string& prefix) {
  for (std::size_t i = 0; i < n; ++i)
    auth.template table<draft>().insert(draft{prefix + "-draft-" + std::to_string(i), author, "draft " + std::to_string(i)});
}

/// Sets the bio and location of the session's user through update-user; throws on failure.
template <class Auth>
void set_profile(Auth& auth, const std::string& token, std::optional<std::string> bio,
                 std::optional<std::string> location) {
  auto r = auth.update_user(with_token(token), [&](auto& u) {
    u.bio = bio;
    u.location = location;
  });
  (void)r.value();
}

using fixtures::carts_of;
using fixtures::drafts_of;

/// Where a guest's cart went after several sign-ins raced to link it: the users (by their index
/// in `results`, all of which succeeded) that hold cart items, how many items each holds, and the
/// total and distinct item counts over all of them.
struct cart_ownership {
  std::vector<std::size_t> owners;
  std::vector<std::size_t> owned;
  std::size_t total = 0;
  std::size_t distinct = 0;
};

template <class Auth, class Results>
cart_ownership cart_ownership_of(Auth& auth, const Results& results) {
  cart_ownership out;
  std::set<std::string> ids;
  for (std::size_t t = 0; t < results.size(); ++t) {
    const auto mine = auth.template table<cart_item>().template find_by<&cart_item::user_id>(results[t]->user.id);
    out.total += mine.size();
    for (const auto& item : mine) ids.insert(item.id);
    if (!mine.empty()) {
      out.owners.push_back(t);
      out.owned.push_back(mine.size());
    }
  }
  out.distinct = ids.size();
  return out;
}

using fixtures::user_count;

/// An email account with a credential, signed up without a guest; returns its id and token.
template <class Auth>
identity new_account(Auth& auth, const std::string& email) {
  auto r = auth.sign_up_email(sign_up_body(email), no_session());
  auto& s = r.value();
  return identity{s.user.id, s.token};
}

// --- describing state ---------------------------------------------------------------------------

/// Every member of a Hana-described row, in order: `{"id","name",...}` (the conformance kit's).
using anonauth::testing::kit::describe;

/// The descriptions of some rows, sorted (storage order is unspecified).
template <class Rows>
std::vector<std::string> describe_all(const Rows& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(describe(r));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace link_fixtures
