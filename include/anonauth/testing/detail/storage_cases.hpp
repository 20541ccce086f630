// anonauth/testing/detail/storage_cases.hpp: the cases of the storage contract that speak to a
// backend directly: rows, users, sessions, accounts and bulk moves, then transactions.
//
// Each case gets a fresh backend from the user's config and states each rule it checks in the
// words of docs/writing-a-storage.md.
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/table_handle.hpp>
#include <anonauth/testing/detail/fixture.hpp>
#include <anonauth/testing/report.hpp>

#include <range/v3/range/traits.hpp>

#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace anonauth::testing::kit {

// --- application rows ---------------------------------------------------------------------------

template <class B>
void app_rows_find(detail::checker& c, B& b) {
  b.read([&](const auto& tx) {
    const auto n1 = tx.template find<note>("n1");
    c.require(n1.has_value(), "find<Row>(id) returns the row inserted under that id");
    c.expect_equal(describe(*n1), describe(note{"n1", "u1", "first"}), "find<Row>(id) returns every field as inserted");
    c.expect(!tx.template find<note>("missing").has_value(), "find<Row>(id) of no row is std::nullopt");
    c.expect_equal(describe_all(tx.template find_by<&note::owner_id>("u1")),
                   describe_all(std::vector<note>{{"n1", "u1", "first"}, {"n2", "u1", "second"}}),
                   "find_by<&Row::member>(value) returns every row whose member equals value");
    c.expect(tx.template find_by<&note::owner_id>("nobody").empty(), "find_by of a value no row has is empty");
    c.expect(tx.template find_by<&transfer::receiver_id>("u2").size() == 3 &&
                 tx.template find_by<&transfer::sender_id>("u2").size() == 2,
             "find_by on one of two user references of a row looks at that column only");
    c.expect(tx.template find_by<&note::text>("third").size() == 1 && tx.template find_by<&tag::label>("red").size() == 1,
             "find_by works on a column that is no user reference");
    c.expect(tx.template count<note>() == 5 && tx.template count<transfer>() == 4 && tx.template count<tag>() == 2,
             "count<Row>() is the number of rows of the table");
  });
}

/// where is an optional capability of a storage: table_handle runs the storage's lazy query if
/// it has one, else find_by; either way the rows are find_by's.
template <class Notes>
std::size_t by_owner_count(const Notes& notes) {
  std::size_t walked = 0;
  auto range = notes.template where<&note::owner_id>("u1");
  for (auto it = range.begin(); it != range.end(); ++it) ++walked;
  return walked;
}

template <class B>
void app_rows_where(detail::checker& c, B& b) {
  const table_handle<note, B> notes(b);
  // find_by first: a range from where holds the storage until the end of its full expression.
  const auto by_owner = b.read([](const auto& tx) { return describe_all(tx.template find_by<&note::owner_id>("u1")); });
  const auto by_text = b.read([](const auto& tx) { return describe_all(tx.template find_by<&note::text>("third")); });
  c.expect_equal(describe_all(notes.template where<&note::owner_id>("u1")), by_owner,
                 "table_handle::where<&Row::member>(value) yields the rows find_by returns");
  c.expect_equal(describe_all(notes.template where<&note::text>("third")), by_text,
                 "table_handle::where on a column that is no user reference yields find_by's rows");
  c.expect(describe_all(notes.template where<&note::owner_id>("nobody")) == "[]", "where of a value no row has is empty");
  using where_range = decltype(notes.template where<&note::owner_id>("u1"));
  c.expect(std::is_same_v<ranges::range_reference_t<where_range>, const note&>,
           "where's range yields const Row& (rows by value make a member projection dangle)");
  {
    // One range at a time: a range may hold the storage while it lives.
    const std::size_t walked = by_owner_count(notes);
    auto skipping = notes.template where<&note::owner_id>("u1");
    auto it = skipping.begin();
    std::size_t skipped = 0;
    for (; skipped < walked; ++skipped) ++it;  // no read and no end test between increments
    c.expect(walked > 1 && it == skipping.end(), "every increment of where's range moves one row");
  }
  b.write([&](auto& tx) {
    const transaction_table<note, std::remove_reference_t<decltype(tx)>> in_tx(tx);
    tx.template insert<note>(note{"n9", "u1", "in the transaction"});
    c.expect(describe_all(in_tx.template where<&note::owner_id>("u1")) ==
                 describe_all(tx.template find_by<&note::owner_id>("u1")),
             "where inside a write sees the write's own rows, as find_by does");
  });
}

template <class B>
void app_rows_update(detail::checker& c, B& b) {
  c.expect(b.write([](auto& tx) { return tx.template update<note>(note{"n1", "u4", "moved"}); }),
           "update<Row>(row) of an existing id returns true");
  c.expect(!b.write([](auto& tx) { return tx.template update<note>(note{"missing", "u4", "x"}); }),
           "update<Row>(row) of no row returns false and inserts nothing");
  b.read([&](const auto& tx) {
    const auto n1 = tx.template find<note>("n1");
    c.expect(n1 && n1->text == "moved" && n1->owner_id == "u4", "update<Row>(row) replaces every field but the id");
    c.expect(tx.template find_by<&note::owner_id>("u1").size() == 1 && tx.template find_by<&note::owner_id>("u4").size() == 2,
             "after update, find_by sees the row under its new value and not its old one");
    c.expect(tx.template find_by<&note::text>("moved").size() == 1 && tx.template find_by<&note::text>("first").empty(),
             "after update, find_by on a column that is no user reference sees the new value");
    c.expect(tx.template count<note>() == 5 && !tx.template find<note>("missing"), "update adds and removes no row");
  });
}

template <class B>
void app_rows_erase(detail::checker& c, B& b) {
  c.expect(b.write([](auto& tx) { return tx.template erase<note>("n1"); }), "erase<Row>(id) of a row returns true");
  c.expect(!b.write([](auto& tx) { return tx.template erase<note>("n1"); }), "erase<Row>(id) of no row returns false");
  b.read([&](const auto& tx) {
    c.expect(!tx.template find<note>("n1") && tx.template find_by<&note::owner_id>("u1").size() == 1 &&
                 tx.template count<note>() == 4,
             "an erased row is gone from find, find_by and count");
  });
}

template <class B>
void app_rows_duplicate_key(detail::checker& c, B& b) {
  c.expect_throws<storage_error>([&] { b.write([](auto& tx) { tx.template insert<note>(note{"n1", "u2", "again"}); }); },
                                 "insert<Row>(row) of an id that exists throws aa::storage_error");
  c.expect_throws<storage_error>([&] { b.write([](auto& tx) { tx.template insert<tag>(tag{"tag1", "again"}); }); },
                                 "insert<Row>(row) of an id that exists throws aa::storage_error (table without user reference)");
  b.read([&](const auto& tx) {
    const auto n1 = tx.template find<note>("n1");
    c.expect(n1 && n1->text == "first" && tx.template count<note>() == 5, "a refused insert changes nothing");
  });
}

template <class B>
void reassign_moves_rows(detail::checker& c, B& b) {
  const std::size_t moved = b.write([](auto& tx) { return tx.template reassign<&transfer::receiver_id>("u2", "u3"); });
  c.expect(moved == 3, "reassign<&Row::member>(from, to) returns the number of rows moved", std::to_string(moved));
  b.read([&](const auto& tx) {
    c.expect(tx.template find_by<&transfer::receiver_id>("u2").empty(), "after reassign, no row has the old value");
    c.expect_equal(describe_all(tx.template find_by<&transfer::receiver_id>("u3")),
                   describe_all(std::vector<transfer>{{"t1", "u1", "u3", 10}, {"t3", "u3", "u3", 30}, {"t4", "u2", "u3", 40}}),
                   "after reassign, the moved rows have the new value and their other fields as they were");
    c.expect(tx.template find_by<&transfer::sender_id>("u2").size() == 2 && tx.template find<transfer>("t4")->sender_id == "u2",
             "reassign changes only the column it names");
  });
  c.expect(b.write([](auto& tx) { return tx.template reassign<&note::owner_id>("u1", "u3"); }) == 2,
           "reassign onto a user that has rows moves them all");
  c.expect(b.read([](const auto& tx) { return tx.template find_by<&note::owner_id>("u3").size(); }) == 3,
           "reassign onto a user that has rows merges them with the moved ones");
  c.expect(b.write([](auto& tx) { return tx.template reassign<&note::owner_id>("nobody", "u3"); }) == 0,
           "reassign from a value no row has returns 0");
  c.expect(b.write([](auto& tx) { return tx.template reassign<&note::owner_id>("u3", "u3"); }) == 0,
           "reassign onto the same value returns 0");
  c.expect(b.read([](const auto& tx) { return tx.template find_by<&note::owner_id>("u3").size() == 3 && tx.template count<note>() == 5; }),
           "reassign adds and removes no row");
}

template <class B>
void erase_where_erases_rows(detail::checker& c, B& b) {
  c.expect(b.write([](auto& tx) { return tx.template erase_where<&transfer::sender_id>("u2"); }) == 2,
           "erase_where<&Row::member>(value) returns the number of rows erased");
  c.expect(b.write([](auto& tx) { return tx.template erase_where<&note::owner_id>("nobody"); }) == 0,
           "erase_where of a value no row has returns 0");
  b.read([&](const auto& tx) {
    c.expect(tx.template count<transfer>() == 2 && !tx.template find<transfer>("t2") && !tx.template find<transfer>("t4"),
             "erase_where erases exactly the rows whose member equals value");
    c.expect(tx.template find_by<&transfer::receiver_id>("u2").size() == 2 && tx.template find_by<&transfer::receiver_id>("u1").empty(),
             "rows erased by erase_where are gone from find_by on their other columns");
    c.expect(tx.template count<note>() == 5, "erase_where touches no other table");
  });
}

// --- users --------------------------------------------------------------------------------------

template <class B>
void users_find(detail::checker& c, B& b) {
  b.read([&](const auto& tx) {
    c.expect(tx.template count<member>() == 4, "count<User>() is the number of users");
    const auto u2 = tx.find_user("u2");
    c.require(u2.has_value(), "find_user(id) returns the user inserted under that id");
    c.expect_equal(describe(*u2), describe(make_user("u2", "u2@example.com", true)),
                   "find_user returns every field as inserted, app fields included");
    const auto by_email = tx.find_user_by_email("u3@example.com");
    c.expect(by_email && by_email->id == "u3", "find_user_by_email(email) returns the user with that email");
    c.expect(!tx.find_user("nobody") && !tx.find_user_by_email("nobody@example.com"),
             "find_user and find_user_by_email of no user are std::nullopt");
    const auto as_row = tx.template find<member>("u1");
    c.expect(as_row && as_row->email == "u1@example.com", "find<User>(id) reads the user table like any other");
  });
}

template <class B>
void users_duplicates(detail::checker& c, B& b) {
  c.expect_throws<storage_error>([&] { b.write([](auto& tx) { tx.insert_user(make_user("u1", "fresh@example.com")); }); },
                                 "insert_user of an id that exists throws aa::storage_error");
  c.expect_throws<storage_error>([&] { b.write([](auto& tx) { tx.insert_user(make_user("fresh", "u1@example.com")); }); },
                                 "insert_user of an email that exists throws aa::storage_error");
  c.expect_throws<storage_error>(
      [&] { b.write([](auto& tx) { (void)tx.update_user(make_user("u2", "u1@example.com")); }); },
      "update_user to another user's email throws aa::storage_error");
  b.read([&](const auto& tx) {
    c.expect(tx.template count<member>() == 4 && !tx.find_user("fresh"), "a refused insert_user adds no user");
    c.expect(tx.find_user_by_email("u1@example.com")->id == "u1" && tx.find_user_by_email("u2@example.com")->id == "u2",
             "a refused insert_user or update_user changes no email");
  });
}

template <class B>
void users_update(detail::checker& c, B& b) {
  member u = make_user("u1", "renamed@example.com", true);
  u.name = "Renamed";
  u.nickname = "nick";
  u.email_verified = true;
  u.image = "https://example.com/a.png";
  u.updated_at = t0 + std::chrono::hours(1);
  c.expect(b.write([&](auto& tx) { return tx.update_user(u); }), "update_user of an existing id returns true");
  c.expect(!b.write([](auto& tx) { return tx.update_user(make_user("nobody", "nobody@example.com")); }),
           "update_user of no user returns false and inserts nothing");
  b.read([&](const auto& tx) {
    c.expect_equal(describe(*tx.find_user("u1")), describe(u), "update_user replaces every field but the id");
    c.expect(tx.find_user_by_email("renamed@example.com")->id == "u1" && !tx.find_user_by_email("u1@example.com"),
             "after update_user, the user is found by its new email and not its old one");
    c.expect(tx.template count<member>() == 4 && !tx.find_user("nobody"), "update_user adds and removes no user");
  });
  b.write([](auto& tx) { tx.insert_user(make_user("tmp", "u1@example.com")); });
  c.expect(b.read([](const auto& tx) { return tx.find_user_by_email("u1@example.com")->id; }) == "tmp",
           "an email given up by update_user is free for another user");
}

template <class B>
void users_erase(detail::checker& c, B& b) {
  c.expect(b.write([](auto& tx) { return tx.erase_user("u2"); }), "erase_user of a user returns true");
  c.expect(!b.write([](auto& tx) { return tx.erase_user("u2"); }), "erase_user of no user returns false");
  b.read([&](const auto& tx) {
    c.expect(!tx.find_user("u2") && !tx.find_user_by_email("u2@example.com") && tx.template count<member>() == 3,
             "an erased user is gone by id, by email and from count");
  });
}

// --- sessions -----------------------------------------------------------------------------------

template <class B>
void sessions_find(detail::checker& c, B& b) {
  b.read([&](const auto& tx) {
    c.expect_equal(describe_session(tx.find_session(crypto::hash_token("tok-1"))), describe_session(make_session("tok-1", "u1")),
                   "find_session(hash) returns every field of the session stored under that hash");
    c.expect(!tx.find_session(crypto::hash_token("no-such-token")), "find_session of an unknown hash is std::nullopt");
  });
}

template <class B>
void sessions_update(detail::checker& c, B& b) {
  auto rec = make_session("tok-1", "u1");
  rec.session.expires_at = t0 + std::chrono::hours(72);
  rec.session.updated_at = t0 + std::chrono::hours(1);
  rec.session.ip_address = "192.0.2.99";
  rec.session.user_agent = "another agent";
  auto changed = rec;  // what may not change, changed too: the storage must leave it
  changed.session.id = "sid-other";
  changed.session.user_id = "u3";
  changed.session.created_at = t0 + std::chrono::hours(5);
  c.expect(b.write([&](auto& tx) { return tx.update_session(changed); }), "update_session of a stored hash returns true");
  c.expect(!b.write([](auto& tx) { return tx.update_session(make_session("no-such-token", "u1")); }),
           "update_session of an unknown hash returns false and inserts nothing");
  c.expect_equal(b.read([](const auto& tx) { return describe_session(tx.find_session(crypto::hash_token("tok-1"))); }),
                 describe_session(rec),
                 "update_session changes expires_at, updated_at, ip_address and user_agent only: id, user_id and "
                 "created_at stay");
  c.expect(b.read([](const auto& tx) { return tx.sessions_of_user("u3").size() == 2 && tx.sessions_of_user("u1").size() == 1; }),
           "update_session never moves a session to another user");
}

template <class B>
void sessions_erase(detail::checker& c, B& b) {
  const auto h1 = crypto::hash_token("tok-1");
  c.expect(b.write([&](auto& tx) { return tx.erase_session(h1); }), "erase_session of a stored hash returns true");
  c.expect(!b.write([&](auto& tx) { return tx.erase_session(h1); }), "erase_session of an unknown hash returns false");
  c.expect(b.write([](auto& tx) { return tx.erase_sessions_of_user("u3"); }) == 2,
           "erase_sessions_of_user returns the number of sessions erased");
  c.expect(b.write([](auto& tx) { return tx.erase_sessions_of_user("u3"); }) == 0,
           "erase_sessions_of_user of a user without sessions returns 0");
  b.read([&](const auto& tx) {
    c.expect(!tx.find_session(h1) && !tx.find_session(crypto::hash_token("tok-3")) && !tx.find_session(crypto::hash_token("tok-4")) &&
                 tx.sessions_of_user("u3").empty(),
             "erased sessions are gone by hash and from sessions_of_user");
    c.expect(tx.find_session(crypto::hash_token("tok-2")).has_value(), "erasing sessions leaves other users' sessions");
  });
}

template <class B>
void sessions_duplicate(detail::checker& c, B& b) {
  c.expect_throws<storage_error>([&] { b.write([](auto& tx) { tx.insert_session(make_session("tok-2", "u1")); }); },
                                 "insert_session of a token hash that exists throws aa::storage_error");
  c.expect(b.read([](const auto& tx) { return tx.find_session(crypto::hash_token("tok-2"))->session.user_id == "u2"; }),
           "a refused insert_session changes nothing");
}

template <class B>
void sessions_in_order(detail::checker& c, B& b) {
  // Inserted out of creation order, two of them at the same time, and the first created with the
  // id that sorts last: the order is (created_at, id), neither insertion order nor id order.
  b.write([](auto& tx) {
    tx.insert_session(make_session("late", "u4", t0 + std::chrono::hours(3)));
    tx.insert_session(make_session("b-early", "u4", t0 + std::chrono::hours(1)));
    tx.insert_session(make_session("z-first", "u4", t0));
    tx.insert_session(make_session("a-early", "u4", t0 + std::chrono::hours(1)));
  });
  const auto seen = b.read([](const auto& tx) {
    std::string out;
    for (const auto& r : tx.sessions_of_user("u4")) out += r.session.id + " ";
    return out;
  });
  c.expect_equal(seen, "sid-z-first sid-a-early sid-b-early sid-late ",
                 "sessions_of_user lists the user's sessions by created_at, then by id");
}

// --- accounts -----------------------------------------------------------------------------------

template <class B>
void accounts_find(detail::checker& c, B& b) {
  b.read([&](const auto& tx) {
    const auto gh = tx.find_account("github", "gh-1");
    c.require(gh.has_value(), "find_account(provider_id, account_id) returns the account stored under them");
    c.expect_equal(describe_account(*gh), describe_account(make_account("a2", "u1", "github", "gh-1")),
                   "find_account returns every field as inserted");
    c.expect(tx.find_account("credential", "u1")->password_hash == std::optional<std::string>("hash-1"),
             "find_account returns the password hash of a credential account");
    c.expect(!tx.find_account("github", "u1") && !tx.find_account("gitlab", "gh-1"),
             "find_account matches provider and account id together");
    c.expect(tx.accounts_of_user("u1").size() == 2 && tx.accounts_of_user("u4").empty(),
             "accounts_of_user returns every account of the user");
  });
}

template <class B>
void accounts_in_order(detail::checker& c, B& b) {
  b.write([](auto& tx) {
    tx.insert_account(make_account("z-late", "u4", "gitlab", "gl-1", std::nullopt, t0 + std::chrono::hours(3)));
    tx.insert_account(make_account("b-early", "u4", "gitlab", "gl-2", std::nullopt, t0 + std::chrono::hours(1)));
    tx.insert_account(make_account("a-early", "u4", "gitlab", "gl-3", std::nullopt, t0 + std::chrono::hours(1)));
    tx.insert_account(make_account("c-first", "u4", "gitlab", "gl-4", std::nullopt, t0));
  });
  const auto seen = b.read([](const auto& tx) {
    std::string out;
    for (const auto& a : tx.accounts_of_user("u4")) out += a.id + " ";
    return out;
  });
  c.expect_equal(seen, "c-first a-early b-early z-late ", "accounts_of_user lists the accounts by created_at, then by id");
}

template <class B>
void accounts_erase(detail::checker& c, B& b) {
  c.expect(b.write([](auto& tx) { return tx.erase_accounts_of_user("u1"); }) == 2,
           "erase_accounts_of_user returns the number of accounts erased");
  c.expect(b.write([](auto& tx) { return tx.erase_accounts_of_user("u1"); }) == 0,
           "erase_accounts_of_user of a user without accounts returns 0");
  b.read([&](const auto& tx) {
    c.expect(tx.accounts_of_user("u1").empty() && !tx.find_account("github", "gh-1") && tx.find_account("github", "gh-2"),
             "erased accounts are gone by provider key and from accounts_of_user; others stay");
  });
  b.write([](auto& tx) { tx.insert_account(make_account("a9", "u4", "github", "gh-1")); });
  c.expect(b.read([](const auto& tx) { return tx.find_account("github", "gh-1")->user_id == "u4"; }),
           "the provider key of an erased account is free again");
}

template <class B>
void accounts_duplicate(detail::checker& c, B& b) {
  c.expect_throws<storage_error>(
      [&] { b.write([](auto& tx) { tx.insert_account(make_account("a-other", "u4", "github", "gh-1")); }); },
      "insert_account of a (provider_id, account_id) that exists throws aa::storage_error");
  c.expect_throws<storage_error>(
      [&] { b.write([](auto& tx) { tx.insert_account(make_account("a1", "u4", "gitlab", "gl-new")); }); },
      "insert_account of an id that exists throws aa::storage_error");
  b.read([&](const auto& tx) {
    c.expect(tx.accounts_of_user("u4").empty() && tx.find_account("github", "gh-1")->user_id == "u1" &&
                 !tx.find_account("gitlab", "gl-new"),
             "a refused insert_account changes nothing");
  });
}

template <class B>
void accounts_rehash(detail::checker& c, B& b) {
  using writer = typename B::writer;
  if constexpr (requires(writer& w, const std::string& s, timestamp t) { w.update_password_hash(s, s, t); }) {
    const timestamp later = t0 + std::chrono::hours(2);
    c.expect(b.write([&](auto& tx) { return tx.update_password_hash("a1", "hash-1b", later); }),
             "update_password_hash of an existing account returns true");
    c.expect(!b.write([&](auto& tx) { return tx.update_password_hash("no-such-account", "x", later); }),
             "update_password_hash of no account returns false");
    const auto a1 = b.read([](const auto& tx) { return tx.find_account("credential", "u1"); });
    c.expect(a1 && a1->password_hash == std::optional<std::string>("hash-1b") && a1->updated_at == later &&
                 a1->created_at == t0 && a1->user_id == "u1",
             "update_password_hash changes the hash and updated_at only");
  }
}

}  // namespace anonauth::testing::kit
