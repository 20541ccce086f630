// The floor under memory_bench.cpp: the same work written by hand, with no library around it, as
// an in-memory store a competent engineer would write without anonauth. The same rows, the same
// hash-map containers and indexes as anonauth's memory storage (users by id and by email,
// sessions by token hash and by user, accounts by id, by provider and by user, cart rows by id
// and by user), one std::shared_mutex (readers share it, writers hold it alone), and the same ids,
// tokens and SHA-256 digests (floor_support.hpp). What it leaves out is the library's own cost:
// the undo log that rolls a failed write back, the policies, the result types, the copies a
// getter returns; and it takes ids, tokens and digests before the lock, not under it.
//
//   sign_in_anonymous    4 random 32-char strings (id, email, token, session id), SHA-256 of the
//                        token; under the write lock: insert the user and its session, with indexes
//   get_session          SHA-256 of the token; under the read lock: the session by hash, its
//                        expiry, its user; a copy of both out
//   link_no_hash_rows_N  the email checked under the read lock (before a hash would be paid for);
//                        under the write lock: the email checked again, the guest's session and
//                        user, the user, credential account and session inserted, the guest's N
//                        cart rows reassigned through the user_id index, the bio copied if the
//                        guest has one, the guest deleted with its sessions, accounts and rows
//   purge_10000          one scan of the users under the read lock for guests created before the
//                        cut-off, then batches of 256 under the write lock (each guest checked
//                        again), each deleted with its sessions, accounts and cart rows
//
// One JSON line as memory_bench.cpp's, with "bench":"memory-floor".
//
//   scripts/bench.sh            (or: anonauth_bench_memory_floor [--quick])
#include "floor_support.hpp"
#include "measure.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace memory_floor {

using namespace floor_support;
using bench_support::fail;
using bench_support::next_email;
using bench_support::measure;
using bench_support::stats;

// --- rows and containers, as anonauth's memory storage keeps them -------------------------------

struct string_hash {
  using is_transparent = void;  // look up by string_view without building a std::string
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using string_set = std::unordered_set<std::string, string_hash, std::equal_to<>>;
template <class V>
using string_map = std::unordered_map<std::string, V, string_hash, std::equal_to<>>;

struct digest_hash {
  std::size_t operator()(const digest& d) const noexcept {
    std::size_t v;
    std::memcpy(&v, d.data(), sizeof v);  // a SHA-256 digest is already uniformly distributed
    return v;
  }
};

struct session_row {
  std::string id, user_id;
  std::int64_t expires_at = 0, created_at = 0, updated_at = 0;
  std::string ip_address, user_agent;
};
struct session_record {
  session_row session;
  digest hash{};
};
struct account_row {
  std::string id, user_id, provider_id, account_id;
  std::optional<std::string> password_hash;
  std::int64_t created_at = 0, updated_at = 0;
};
struct cart_row {
  std::string id, user_id, sku;
  int quantity = 0;
};

struct request {
  std::optional<std::string> session_token;
  std::string ip_address, user_agent;
};
struct signed_in {
  std::string token;
  session_row session;
  user_row user;
};
struct session_view {
  session_row session;
  user_row user;
};

constexpr std::size_t max_token = 512;  // a longer "token" is refused before it is hashed

std::optional<digest> token_hash_of(const request& r) {
  if (!r.session_token || r.session_token->empty() || r.session_token->size() > max_token) return std::nullopt;
  return sha256(*r.session_token);
}

/// trim(s) as anonauth's copy_if_empty does: the bio without surrounding white space.
std::string_view trim(std::string_view s) {
  constexpr std::string_view space = " \t\n\r\f\v";
  const auto first = s.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(space) - first + 1);
}

std::string provider_key(std::string_view provider, std::string_view account_id) {
  std::string key(provider);
  key.push_back('\0');
  key.append(account_id);
  return key;
}

class store {
 public:
  /// A guest and its session.
  signed_in sign_in_anonymous(const request& req) {
    const std::int64_t now = now_ms();
    std::string email = lower("temp@" + random_string(32) + ".com");
    user_row guest{random_string(32), "Anonymous", std::move(email), false, std::nullopt, true, now, now, std::nullopt};
    std::string token = random_string(32);
    session_record rec{{random_string(32), guest.id, now + session_lifetime_ms, now, now, req.ip_address, req.user_agent},
                       sha256(token)};
    const auto current = token_hash_of(req);
    std::unique_lock lock(mutex_);
    if (current) {  // a guest may not sign in again as a guest
      if (const user_row* u = valid_user_locked(*current, now); u != nullptr && u->is_anonymous) fail("sign-in again");
    }
    // 190 random bits each: a collision means a broken random source, not a case to handle.
    if (users_.contains(guest.id) || user_by_email_.contains(guest.email) || sessions_.contains(rec.hash))
      fail("sign-in: duplicate id, email or token");
    users_.emplace(guest.id, guest);
    user_by_email_.emplace(guest.email, guest.id);
    sessions_by_user_[guest.id].push_back(rec.hash);
    sessions_.emplace(rec.hash, rec);
    lock.unlock();
    return {std::move(token), std::move(rec.session), std::move(guest)};
  }

  /// The session and user a token belongs to, if valid: an expired session is deleted, one
  /// last extended a day ago or more is extended (as anonauth's get_session).
  std::optional<session_view> get_session(std::string_view token) {
    if (token.empty() || token.size() > max_token) return std::nullopt;
    const digest hash = sha256(token);
    const std::int64_t now = now_ms();
    bool expired = false;
    std::optional<session_view> view;
    {
      std::shared_lock lock(mutex_);
      auto s = sessions_.find(hash);
      if (s == sessions_.end() || sodium_memcmp(s->second.hash.data(), hash.data(), hash.size()) != 0)
        return std::nullopt;
      if (s->second.session.expires_at < now) {
        expired = true;
      } else if (auto u = users_.find(s->second.session.user_id); u != users_.end()) {
        view = session_view{s->second.session, u->second};
      }
    }
    if (expired) {
      std::unique_lock lock(mutex_);
      erase_session_locked(hash);
      return std::nullopt;
    }
    if (view && view->session.expires_at - session_lifetime_ms + session_update_age_ms <= now) {
      std::unique_lock lock(mutex_);
      auto s = sessions_.find(hash);
      if (s == sessions_.end()) return std::nullopt;  // signed out meanwhile
      s->second.session.expires_at = now + session_lifetime_ms;
      s->second.session.updated_at = now;
      view->session.expires_at = s->second.session.expires_at;
      view->session.updated_at = now;
    }
    return view;
  }

  /// A sign-up by email; with a guest's valid session on the request, the guest is linked to the
  /// new user (cart rows reassigned, bio copied, guest deleted) in the same critical section.
  /// `moved` gets the number of cart rows moved. Nothing when the email is taken.
  std::optional<signed_in> sign_up_email(const std::string& email_in, const std::string& password,
                                         const std::string& name, const request& req, std::size_t& moved) {
    moved = 0;
    const std::string email = lower(email_in);
    {
      std::shared_lock lock(mutex_);  // a taken email is refused before the hash is paid for
      if (user_by_email_.contains(email)) return std::nullopt;
    }
    std::string password_hash = password;  // a no-op hasher, as memory_bench's link_no_hash_*
    const std::int64_t now = now_ms();
    user_row created{random_string(32), name, email, false, std::nullopt, false, now, now, std::nullopt};
    account_row credential{random_string(32), created.id, "credential", created.id, std::move(password_hash), now, now};
    std::string key = provider_key(credential.provider_id, credential.account_id);
    std::string token = random_string(32);
    session_record rec{{random_string(32), created.id, now + session_lifetime_ms, now, now, req.ip_address, req.user_agent},
                       sha256(token)};
    const auto guest_hash = token_hash_of(req);

    std::unique_lock lock(mutex_);
    if (user_by_email_.contains(email)) return std::nullopt;
    if (users_.contains(created.id) || sessions_.contains(rec.hash) || accounts_.contains(credential.id))
      fail("sign-up: duplicate id or token");
    // The guest first: looked up before the inserts, whose rehash would invalidate iterators.
    std::string guest_id;
    std::optional<std::string> guest_bio;
    if (guest_hash) {
      if (const user_row* g = valid_user_locked(*guest_hash, now); g != nullptr && g->is_anonymous) {
        guest_id = g->id;  // a copy: deleting the guest frees the original
        guest_bio = g->bio;
      }
    }
    user_row& stored = users_.emplace(created.id, created).first->second;
    user_by_email_.emplace(email, created.id);
    accounts_by_user_[created.id].insert(credential.id);
    account_by_provider_.emplace(std::move(key), credential.id);
    accounts_.emplace(credential.id, std::move(credential));
    sessions_by_user_[created.id].push_back(rec.hash);
    sessions_.emplace(rec.hash, rec);

    if (!guest_id.empty()) {
      // Reassign the guest's cart rows: through the user_id index, whose set moves to the new
      // user whole (the node keeps its allocation; only the key changes).
      if (auto node = cart_by_user_.extract(guest_id); !node.empty()) {
        moved = node.mapped().size();
        for (const auto& id : node.mapped()) cart_.find(id)->second.user_id = created.id;
        if (auto target = cart_by_user_.find(created.id); target != cart_by_user_.end()) {
          target->second.merge(node.mapped());
        } else {
          node.key() = created.id;
          cart_by_user_.insert(std::move(node));
        }
      }
      // copy_if_empty<&user::bio>
      const std::string_view source = trim(guest_bio ? std::string_view(*guest_bio) : std::string_view());
      if (!source.empty() && trim(stored.bio ? std::string_view(*stored.bio) : std::string_view()).empty()) {
        stored.bio = std::string(source);
        stored.updated_at = now;
        created.bio = stored.bio;
      }
      erase_user_locked(guest_id);
    }
    lock.unlock();
    return signed_in{std::move(token), std::move(rec.session), std::move(created)};
  }

  /// Deletes the guests created before `cutoff` with their sessions, accounts and cart rows, in
  /// batches of `batch` under the write lock so that no batch holds it long. One scan finds them;
  /// each is checked again under the write lock (a guest linked meanwhile is gone or no longer a
  /// guest).
  std::size_t purge_anonymous_users(std::int64_t cutoff, std::size_t batch) {
    std::vector<std::string> ids;
    {
      std::shared_lock lock(mutex_);
      for (const auto& [id, u] : users_)
        if (u.is_anonymous && u.created_at < cutoff) ids.push_back(id);
    }
    std::size_t purged = 0;
    for (std::size_t start = 0; start < ids.size(); start += batch) {
      std::unique_lock lock(mutex_);
      for (std::size_t i = start; i < std::min(ids.size(), start + batch); ++i) {
        auto it = users_.find(ids[i]);
        if (it == users_.end() || !it->second.is_anonymous || it->second.created_at >= cutoff) continue;
        erase_user_locked(ids[i]);
        ++purged;
      }
    }
    return purged;
  }

  void insert_cart(const cart_row& row) {
    std::unique_lock lock(mutex_);
    if (!cart_.emplace(row.id, row).second) fail("cart: duplicate id");
    cart_by_user_[row.user_id].insert(row.id);
  }

  // --- for the checks, untimed ---------------------------------------------------------------------
  bool has_user(std::string_view id) const {
    std::shared_lock lock(mutex_);
    return users_.contains(id);
  }
  /// The user's cart rows, through the index; each row must name the user.
  std::size_t cart_rows_of(std::string_view user_id) const {
    std::shared_lock lock(mutex_);
    auto it = cart_by_user_.find(user_id);
    if (it == cart_by_user_.end()) return 0;
    for (const auto& id : it->second)
      if (auto row = cart_.find(id); row == cart_.end() || row->second.user_id != user_id) fail("cart: index out of step");
    return it->second.size();
  }
  struct sizes {
    std::size_t users, sessions, accounts, cart;
  };
  sizes counts() const {
    std::shared_lock lock(mutex_);
    return {users_.size(), sessions_.size(), accounts_.size(), cart_.size()};
  }

 private:
  /// The user of an unexpired session with this hash, or null; under the lock.
  const user_row* valid_user_locked(const digest& hash, std::int64_t now) const {
    auto s = sessions_.find(hash);
    if (s == sessions_.end() || sodium_memcmp(s->second.hash.data(), hash.data(), hash.size()) != 0 ||
        s->second.session.expires_at < now)
      return nullptr;
    auto u = users_.find(s->second.session.user_id);
    return u == users_.end() ? nullptr : &u->second;
  }

  void erase_session_locked(const digest& hash) {
    auto s = sessions_.find(hash);
    if (s == sessions_.end()) return;
    if (auto list = sessions_by_user_.find(s->second.session.user_id); list != sessions_by_user_.end()) {
      std::erase(list->second, hash);
      if (list->second.empty()) sessions_by_user_.erase(list);
    }
    sessions_.erase(s);
  }

  /// Deletes a user with its sessions, accounts and cart rows (on_delete cascade). `id` must not
  /// be a string held by the maps.
  void erase_user_locked(const std::string& id) {
    if (auto it = sessions_by_user_.find(id); it != sessions_by_user_.end()) {
      for (const auto& h : it->second) sessions_.erase(h);
      sessions_by_user_.erase(it);
    }
    if (auto it = accounts_by_user_.find(id); it != accounts_by_user_.end()) {
      for (const auto& account_id : it->second) {
        if (auto a = accounts_.find(account_id); a != accounts_.end()) {
          account_by_provider_.erase(provider_key(a->second.provider_id, a->second.account_id));
          accounts_.erase(a);
        }
      }
      accounts_by_user_.erase(it);
    }
    if (auto it = cart_by_user_.find(id); it != cart_by_user_.end()) {
      for (const auto& row_id : it->second) cart_.erase(row_id);
      cart_by_user_.erase(it);
    }
    if (auto it = users_.find(id); it != users_.end()) {
      user_by_email_.erase(it->second.email);
      users_.erase(it);
    }
  }

  mutable std::shared_mutex mutex_;
  string_map<user_row> users_;
  string_map<std::string> user_by_email_;
  std::unordered_map<digest, session_record, digest_hash> sessions_;
  string_map<std::vector<digest>> sessions_by_user_;
  string_map<account_row> accounts_;
  string_map<std::string> account_by_provider_;  // provider '\0' account id -> account id
  string_map<string_set> accounts_by_user_;
  string_map<cart_row> cart_;
  string_map<string_set> cart_by_user_;
};

// --- phases ------------------------------------------------------------------------------------------

stats link_phase(store& db, std::string name, std::size_t n, std::size_t rows) {
  std::vector<std::string> guest_tokens(n), guest_ids(n), linked_ids(n);
  std::size_t moved = 0;
  return measure(
      std::move(name), n,
      [&](std::size_t i) {
        signed_in guest = db.sign_in_anonymous({});
        for (std::size_t r = 0; r < rows; ++r)
          db.insert_cart({guest.user.id + "-" + std::to_string(r), guest.user.id, "sku", 1});
        guest_tokens[i] = std::move(guest.token);
        guest_ids[i] = std::move(guest.user.id);
      },
      [&](std::size_t i) {
        auto linked = db.sign_up_email(next_email(), "correct horse battery", "Bench",
                                       request{guest_tokens[i], "127.0.0.1", "bench"}, moved);
        if (!linked) fail("link: email taken");
        linked_ids[i] = std::move(linked->user.id);
      },
      [&](std::size_t i) {
        if (db.has_user(guest_ids[i])) fail("link: the guest is still there");
        if (db.get_session(guest_tokens[i])) fail("link: the guest's session still resolves");
        if (moved != rows || db.cart_rows_of(linked_ids[i]) != rows) fail("link: cart rows not moved");
      });
}

/// purge_10000 on a fresh store, with the same fixture as memory_bench.cpp's.
stats purge_phase(std::size_t n) {
  namespace purge = bench_support::purge;
  store db;
  std::vector<std::string> real_ids;
  std::size_t moved = 0;
  for (std::size_t u = 0; u < purge::real_users; ++u) {
    auto real = db.sign_up_email(next_email(), "correct horse battery", "Bench", {}, moved);
    if (!real) fail("purge: real user sign-up");
    db.insert_cart({real->user.id + "-0", real->user.id, "sku", 1});
    real_ids.push_back(real->user.id);
  }
  std::vector<std::string> tokens(purge::guests), ids(purge::guests);
  std::int64_t cutoff = 0;
  std::size_t purged = 0;
  auto result = measure(
      purge::phase_name(purge::guests), n,
      [&](std::size_t) {
        for (std::size_t g = 0; g < purge::guests; ++g) {
          signed_in guest = db.sign_in_anonymous({});
          db.insert_cart({guest.user.id + "-0", guest.user.id, "sku", 1});
          tokens[g] = std::move(guest.token);
          ids[g] = std::move(guest.user.id);
        }
        cutoff = now_ms() + 1;  // every guest is older than the cut-off
      },
      [&](std::size_t) { purged = db.purge_anonymous_users(cutoff, purge::batch); },
      [&](std::size_t) {
        if (purged != purge::guests) fail("purge: deleted " + std::to_string(purged) + " guests");
        for (std::size_t g = 0; g < purge::guests; ++g)
          if (db.has_user(ids[g]) || db.get_session(tokens[g])) fail("purge: a guest or its session is left");
        const auto left = db.counts();
        if (left.users != purge::real_users || left.sessions != purge::real_users ||
            left.accounts != purge::real_users || left.cart != purge::real_users)
          fail("purge: rows other than the real users' are left");
        for (const auto& id : real_ids)
          if (!db.has_user(id) || db.cart_rows_of(id) != 1) fail("purge: a real user lost");
      });
  return bench_support::per_guest(std::move(result), purge::guests);
}

}  // namespace memory_floor

int main(int argc, char** argv) {
  using namespace memory_floor;
  bench_support::pin_allocator();
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  if (argc > 2 || (argc == 2 && !quick)) {
    std::fprintf(stderr, "usage: %s [--quick]\n", argv[0]);
    return 2;
  }
  if (sodium_init() < 0) fail("libsodium failed to initialise");
  const std::size_t scale = quick ? 10 : 1;
  const std::string load_start = bench_support::loadavg();
  std::vector<stats> all;

  store db;
  std::vector<std::string> tokens, ids;
  tokens.reserve(20000 / scale);
  ids.reserve(20000 / scale);
  all.push_back(measure(
      "sign_in_anonymous", 20000 / scale, [](std::size_t) {},
      [&](std::size_t) {
        signed_in r = db.sign_in_anonymous({});
        tokens.push_back(std::move(r.token));
        ids.push_back(std::move(r.user.id));
      },
      [&](std::size_t i) {
        if (tokens[i].size() != 32 || ids[i].size() != 32) fail("sign-in: token or id");
      }));
  std::string found;
  all.push_back(measure(
      "get_session", 20000 / scale, [](std::size_t) {},
      [&](std::size_t i) {
        auto view = db.get_session(tokens[i % tokens.size()]);
        if (!view || !view->user.is_anonymous) fail("get-session");
        found = std::move(view->user.id);
      },
      [&](std::size_t i) {
        if (found != ids[i % ids.size()]) fail("get-session: another user");
      }));
  all.push_back(link_phase(db, "link_no_hash_rows_0", 2000 / scale, 0));
  all.push_back(link_phase(db, "link_no_hash_rows_100", 500 / scale, 100));
  all.push_back(link_phase(db, "link_no_hash_rows_10000", quick ? 3 : 20, 10000));
  all.push_back(purge_phase(bench_support::purge::repetitions(quick)));

  bench_support::print_json_line(bench_support::run_fields("memory-floor", "memory", "memory", {}, quick, load_start),
                                 all);
}
