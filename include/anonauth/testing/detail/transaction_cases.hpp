// anonauth/testing/detail/transaction_cases.hpp: the cases of the storage contract on
// transactions: a write commits whole or not at all, a writer reads its own writes, readers see
// a write whole or not at all while writers run on other threads, and the purge's walk.
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/testing/detail/fixture.hpp>
#include <anonauth/testing/report.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace anonauth::testing::kit {

struct rollback_probe : std::runtime_error {
  rollback_probe() : std::runtime_error("rollback probe") {}
};

/// Every kind of mutation a writer has, several on the same rows, each followed by a read of it.
/// Returns whether the writer saw every one of its own writes.
template <class Writer>
bool mutate_everything(Writer& tx) {
  bool sees_own_writes = true;
  auto expect = [&](bool ok) { sees_own_writes = sees_own_writes && ok; };

  tx.insert_user(make_user("tmp", "tmp@example.com", true));
  member renamed = make_user("u1", "renamed@example.com");
  renamed.name = "Renamed";
  renamed.nickname = "nick";
  expect(tx.update_user(renamed));
  expect(tx.erase_user("u2"));
  member tmp = make_user("tmp", "tmp@example.com", true);
  tmp.name = "changed twice";
  expect(tx.update_user(tmp));
  expect(tx.find_user_by_email("renamed@example.com").has_value());
  expect(!tx.find_user_by_email("u1@example.com").has_value());
  expect(!tx.find_user("u2").has_value());
  expect(tx.template count<member>() == 4);

  tx.insert_session(make_session("tok-new", "tmp"));
  auto longer = make_session("tok-1", "u1");
  longer.session.expires_at = t0 + std::chrono::hours(48);
  longer.session.ip_address = "192.0.2.99";
  expect(tx.update_session(longer));
  expect(tx.erase_session(crypto::hash_token("tok-2")));
  expect(tx.erase_sessions_of_user("u3") == 2);
  expect(tx.find_session(crypto::hash_token("tok-new")).has_value());
  expect(!tx.find_session(crypto::hash_token("tok-3")).has_value());

  tx.insert_account(make_account("a-new", "tmp", "gitlab", "gl-new"));
  if constexpr (requires { tx.update_password_hash("a3", "hash-3b", t0); }) {
    expect(tx.update_password_hash("a3", "hash-3b", t0 + std::chrono::hours(1)));
    expect(tx.find_account("credential", "u3")->password_hash == std::optional<std::string>("hash-3b"));
  }
  expect(tx.erase_accounts_of_user("u1") == 2);
  expect(tx.find_account("gitlab", "gl-new").has_value());
  expect(!tx.find_account("github", "gh-1").has_value());

  tx.template insert<note>(note{"n-new", "tmp", "new"});
  expect(tx.template update<note>(note{"n1", "u3", "edited"}));
  expect(tx.template erase<note>("n2"));
  tx.template insert<tag>(tag{"tag-new", "green"});
  expect(tx.template update<tag>(tag{"tag1", "green"}));
  expect(tx.template erase<tag>("tag2"));

  // One row through its whole life in the same transaction.
  tx.template insert<note>(note{"n-x", "u4", "short-lived"});
  expect(tx.template update<note>(note{"n-x", "u1", "short-lived"}));
  expect(tx.template reassign<&note::owner_id>("u1", "tmp") == 1);  // only n-x is u1's now
  expect(tx.template erase<note>("n-x"));

  expect(tx.template reassign<&note::owner_id>("u4", "u3") == 1);
  expect(tx.template reassign<&transfer::receiver_id>("u2", "tmp") == 3);
  expect(tx.template reassign<&transfer::receiver_id>("tmp", "u4") == 3);
  expect(tx.template erase_where<&transfer::sender_id>("u2") == 2);
  expect(tx.template erase_where<&note::owner_id>("u3") == 3);  // n4, n5 (moved), n1 (edited)
  tx.template insert<transfer>(transfer{"t-new", "tmp", "u4", 5});
  expect(tx.template find_by<&transfer::receiver_id>("u4").size() == 3);  // t1 and t3 moved, t-new
  expect(tx.template count<note>() == 2);                                  // n3, n-new
  expect(tx.template count<tag>() == 2);
  return sees_own_writes;
}

template <class B>
void write_commits(detail::checker& c, B& b) {
  const std::string answer = b.write([](auto& tx) {
    tx.insert_user(make_user("u1", "u1@example.com"));
    tx.template insert<note>(note{"n1", "u1", "first"});
    const auto mine = tx.template find_by<&note::owner_id>("u1");
    return tx.find_user("u1")->email + "/" + (mine.empty() ? std::string("none") : mine.front().text);
  });
  c.expect_equal(answer, "u1@example.com/first", "write(fn) returns what fn returns, and a writer reads its own writes");
  c.expect(b.read([](const auto& tx) {
    return tx.find_user("u1") && tx.template find<note>("n1") && tx.template find_by<&note::owner_id>("u1").size() == 1;
  }),
           "a write that returns has committed: a later read sees it");
}

template <class B>
void throw_rolls_back(detail::checker& c, B& b) {
  const std::string before = snapshot(b);
  bool reached = false, saw_own_writes = false;
  c.expect_throws<rollback_probe>(
      [&] {
        b.write([&](auto& tx) {
          saw_own_writes = mutate_everything(tx);
          reached = true;
          throw rollback_probe{};
        });
      },
      "write(fn) rethrows what fn throws, unchanged");
  c.expect(reached && saw_own_writes, "a writer reads each of its own writes, of every kind");
  c.expect_equal(snapshot(b), before, "a write whose fn throws leaves no trace, after writes of every kind");
}

template <class B>
void storage_error_rolls_back(detail::checker& c, B& b) {
  const std::string before = snapshot(b);
  c.expect_throws<storage_error>(
      [&] {
        b.write([](auto& tx) {
          (void)mutate_everything(tx);
          tx.insert_user(make_user("tmp2", "u3@example.com"));  // u3's email: refused
        });
      },
      "a refused write inside a transaction throws aa::storage_error out of write()");
  c.expect_equal(snapshot(b), before, "a storage_error inside a transaction rolls all of it back");
}

template <class B>
void commit_then_rollback(detail::checker& c, B& b) {
  const std::string before = snapshot(b);
  c.require(b.write([](auto& tx) { return mutate_everything(tx); }), "a writer reads each of its own writes");
  const std::string after = snapshot(b);
  c.expect(after != before, "a write of every kind that returns has committed");
  b.read([&](const auto& tx) {
    c.expect(tx.find_user("tmp") && tx.find_user("tmp")->name == "changed twice" && !tx.find_user("u2") &&
                 tx.find_user_by_email("renamed@example.com") && tx.template count<note>() == 2 &&
                 tx.template find_by<&transfer::receiver_id>("u4").size() == 3 && tx.find_account("gitlab", "gl-new"),
             "a committed write is seen whole by later reads");
  });
  c.expect_throws<rollback_probe>(
      [&] {
        b.write([](auto& tx) {
          tx.template insert<note>(note{"n-x", "tmp", "doomed"});
          (void)tx.template reassign<&note::owner_id>("tmp", "u4");
          (void)tx.erase_user("tmp");
          (void)tx.erase_sessions_of_user("tmp");
          throw rollback_probe{};
        });
      },
      "write(fn) rethrows what fn throws");
  c.expect_equal(snapshot(b), after, "a rolled-back write returns to the last committed state, not the first");
}

/// Whatever fn throws, std::exception or not, rolls the write back.
template <class B>
void any_throw_rolls_back(detail::checker& c, B& b) {
  const std::string before = snapshot(b);
  bool rethrown = false;
  try {
    b.write([](auto& tx) {
      (void)mutate_everything(tx);
      throw 42;  // no std::exception
    });
  } catch (int) {
    rethrown = true;
  } catch (...) {
  }
  c.expect(rethrown, "write(fn) rethrows what fn throws, even what is no std::exception");
  c.expect_equal(snapshot(b), before, "a write whose fn throws something that is no std::exception leaves no trace");
}

template <class B>
void usable_after_rollback(detail::checker& c, B& b) {
  c.expect_throws<rollback_probe>(
      [&] {
        b.write([](auto& tx) {
          tx.insert_user(make_user("tmp", "tmp@example.com"));
          throw rollback_probe{};
        });
      },
      "write(fn) rethrows what fn throws");
  b.write([](auto& tx) { tx.insert_user(make_user("tmp", "tmp@example.com")); });
  c.expect(b.read([](const auto& tx) { return tx.find_user_by_email("tmp@example.com") && tx.template count<member>() == 5; }),
           "after a rollback, the same keys can be written and the storage works on");
}

/// Writers on several threads, each committing two rows at once, while readers count: every
/// read sees whole writes only, and no write is lost.
template <class B>
void concurrent_writes(detail::checker& c, B& b) {
  constexpr int writers = 4, writes = 25;
  std::atomic<bool> torn{false}, failed{false};
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w)
    threads.emplace_back([&, w] {
      try {
        for (int i = 0; i < writes; ++i)
          b.write([&](auto& tx) {
            const std::string id = "c" + std::to_string(w) + "-" + std::to_string(i);
            tx.template insert<tag>(tag{id + "a", "pair"});
            tx.template insert<tag>(tag{id + "b", "pair"});
          });
      } catch (...) {
        failed = true;
      }
      ++done;
    });
  threads.emplace_back([&] {
    try {
      while (done.load() < writers)
        if (b.read([](const auto& tx) { return tx.template count<tag>(); }) % 2 != 0) torn = true;
    } catch (...) {
      failed = true;
    }
  });
  for (auto& t : threads) t.join();
  c.expect(!failed, "read and write may be called from many threads at once");
  c.expect(!torn, "a reader sees a write whole or not at all");
  const auto count = b.read([](const auto& tx) { return tx.template count<tag>(); });
  c.expect(count == 2 * writers * writes, "concurrent writes are all kept", std::to_string(count) + " rows");
}

// --- the purge's walk ---------------------------------------------------------------------------

template <class B>
std::vector<std::string> walk(detail::checker& c, B& b, timestamp cutoff, std::string_view after, std::size_t limit) {
  return b.read([&](const auto& tx) {
    std::vector<std::string> out;
    for (const auto& u : tx.anonymous_users_created_before(cutoff, after, limit)) {
      c.expect(u.is_anonymous, "anonymous_users_created_before returns guests only", u.id);
      out.push_back(u.id);
    }
    return out;
  });
}

template <class B>
void purge_walk(detail::checker& c, B& b) {
  const timestamp later = t0 + std::chrono::seconds{1};
  c.expect(walk(c, b, later, "", 10) == ids{"u2", "u4"}, "anonymous_users_created_before lists guests by id");
  c.expect(walk(c, b, t0, "", 10).empty(), "anonymous_users_created_before(t): created at t is not before t");
  c.expect(walk(c, b, later, "u2", 10) == ids{"u4"}, "anonymous_users_created_before lists ids after after_id only");
  c.expect(walk(c, b, later, "", 1) == ids{"u2"}, "anonymous_users_created_before returns at most limit guests");
  b.write([&](auto& tx) {
    auto fresh = make_user("u0", "u0@example.com", true);
    fresh.created_at = later;
    tx.insert_user(fresh);
    tx.insert_user(make_user("u5", "u5@example.com", true));
  });
  c.expect(walk(c, b, later, "", 10) == ids{"u2", "u4", "u5"} && walk(c, b, later, "", 2) == ids{"u2", "u4"},
           "a guest created at or after the cut-off is skipped, not counted against limit");
}

template <class B>
void purge_walk_follows_writes(detail::checker& c, B& b) {
  const timestamp later = t0 + std::chrono::seconds{1};
  auto change = [](auto& tx) {
    (void)tx.update_user(make_user("u2", "u2@example.com", false));  // promoted
    (void)tx.erase_user("u4");
    tx.insert_user(make_user("u6", "u6@example.com", true));
    (void)tx.update_user(make_user("u3", "u3@example.com", true));  // made a guest
  };
  c.expect_throws<rollback_probe>(
      [&] {
        b.write([&](auto& tx) {
          change(tx);
          c.expect(tx.anonymous_users_created_before(later, "", 10).size() == 2,
                   "a writer's walk sees its own promotions, deletions and new guests");
          throw rollback_probe{};
        });
      },
      "write(fn) rethrows what fn throws");
  c.expect(walk(c, b, later, "", 10) == ids{"u2", "u4"}, "a rolled-back promotion, deletion or new guest leaves the walk as it was");
  b.write(change);
  c.expect(walk(c, b, later, "", 10) == ids{"u3", "u6"} && walk(c, b, later, "u3", 10) == ids{"u6"},
           "the walk follows committed promotions, deletions and new guests");
}

}  // namespace anonauth::testing::kit
