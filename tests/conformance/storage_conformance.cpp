// The storage policy contract (anonauth/policy/storage.hpp), run against every storage model
// through `S::backend<Schema>` directly, with a schema of its own: rows by key and by
// user-reference index, users, sessions, accounts, bulk reassign/erase, and above all
// transactions: a write that throws leaves no trace, however much it changed.
//
// To run the suite against another storage, add it to ANONAUTH_CONFORMING_STORAGES (and, if
// its default config is not usable in a test, overload `test_config`). Catch2 names each case
// after the storage: "storage.users - aa::memory_storage". The SQLite models are there when the
// build has anonauth::sqlite (ANONAUTH_HAS_SQLITE).
#include "catch.hpp"
#include "link_fixtures.hpp"

#include "test_files.hpp"

#include <anonauth/anonauth.hpp>
#include <anonauth/storage/memory.hpp>
#ifdef ANONAUTH_HAS_SQLITE
#include <anonauth/storage/sqlite/sqlite.hpp>
#endif

#include <algorithm>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

namespace aa = anonauth;
using link_fixtures::describe;
using link_fixtures::describe_all;

// --- the schema ---------------------------------------------------------------------------------

struct member {
  BOOST_HANA_DEFINE_STRUCT(member, (std::string, id), (std::string, name), (std::string, email),
                           (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
                           (aa::timestamp, created_at), (aa::timestamp, updated_at),
                           (std::optional<std::string>, nickname));
};

/// One user reference (cascade).
struct note {
  BOOST_HANA_DEFINE_STRUCT(note, (std::string, id), (std::string, owner_id), (std::string, text));
};

/// Two user references in one row, one of them kept on delete.
struct transfer {
  BOOST_HANA_DEFINE_STRUCT(transfer, (std::string, id), (std::string, sender_id), (std::string, receiver_id),
                           (int, amount));
};

/// No user reference at all.
struct tag {
  BOOST_HANA_DEFINE_STRUCT(tag, (std::string, id), (std::string, label));
};

using schema = aa::schema<aa::user_table<member>, aa::table<"notes", note, aa::user_ref<&note::owner_id>>,
                          aa::table<"transfers", transfer, aa::user_ref<&transfer::sender_id>,
                                    aa::user_ref<&transfer::receiver_id, aa::on_delete::keep>>,
                          aa::table<"tags", tag>>;

// --- the models under test ----------------------------------------------------------------------

template <class S>
typename S::config test_config() {
  return typename S::config{};
}

#ifdef ANONAUTH_HAS_SQLITE
/// SQLite on a file (WAL, reader connections), beside SQLite in memory (one connection).
struct sqlite_file_storage : aa::sqlite_storage {};

template <>
aa::sqlite_config test_config<sqlite_file_storage>() {
  static int next = 0;
  aa::sqlite_config config;
  config.path = test_files::unique_path("conformance-" + std::to_string(++next) + ".db");
  return config;
}

// One macro, so that adding a model is one line and Catch2 can print each model's name.
#define ANONAUTH_CONFORMING_STORAGES aa::memory_storage, aa::sqlite_storage, sqlite_file_storage
#else
#define ANONAUTH_CONFORMING_STORAGES aa::memory_storage
#endif

template <class S>
using backend_of = typename S::template backend<schema>;

// --- values -------------------------------------------------------------------------------------

const aa::timestamp t0{std::chrono::milliseconds{1'700'000'000'000}};

member make_user(std::string id, std::string email, bool anonymous = false) {
  member m{};
  m.id = std::move(id);
  m.name = "Name of " + m.id;
  m.email = std::move(email);
  m.email_verified = false;
  m.is_anonymous = anonymous;
  m.created_at = t0;
  m.updated_at = t0;
  return m;
}

aa::session_record make_session(const std::string& token, std::string user_id) {
  aa::session_record rec;
  rec.hash = aa::crypto::hash_token(token);
  rec.session = aa::session{"sid-" + token, std::move(user_id), t0 + std::chrono::hours(24), t0, t0, "198.51.100.1", "ua"};
  return rec;
}

aa::account make_account(std::string id, std::string user_id, std::string provider, std::string account_id,
                         std::optional<std::string> hash = std::nullopt) {
  return aa::account{std::move(id), std::move(user_id), std::move(provider), std::move(account_id), std::move(hash), t0, t0};
}

std::string describe_session(const std::optional<aa::session_record>& rec) {
  if (!rec) return "none";
  const auto& s = rec->session;
  std::string hash;
  for (auto b : rec->hash) hash += std::to_string(b) + ".";
  return s.id + "|" + s.user_id + "|" + std::to_string(s.expires_at.time_since_epoch().count()) + "|" +
         std::to_string(s.created_at.time_since_epoch().count()) + "|" +
         std::to_string(s.updated_at.time_since_epoch().count()) + "|" + s.ip_address + "|" + s.user_agent + "|" + hash;
}

std::string describe_account(const aa::account& a) {
  return a.id + "|" + a.user_id + "|" + a.provider_id + "|" + a.account_id + "|" + a.password_hash.value_or("null") +
         "|" + std::to_string(a.created_at.time_since_epoch().count()) + "|" +
         std::to_string(a.updated_at.time_since_epoch().count());
}

// --- a standard population and a full snapshot --------------------------------------------------

// Every key the tests ever use, so that a snapshot sees every row that exists or could exist.
const std::vector<std::string> user_ids{"u1", "u2", "u3", "u4", "tmp", "tmp2"};
const std::vector<std::string> emails{"u1@example.com", "u2@example.com", "u3@example.com", "u4@example.com",
                                      "tmp@example.com", "renamed@example.com", "tmp2@example.com"};
const std::vector<std::string> tokens{"tok-1", "tok-2", "tok-3", "tok-4", "tok-new", "tok-x"};
const std::vector<std::pair<std::string, std::string>> provider_keys{
    {"credential", "u1"}, {"github", "gh-1"}, {"github", "gh-2"}, {"credential", "u3"}, {"gitlab", "gl-new"}};
const std::vector<std::string> note_ids{"n1", "n2", "n3", "n4", "n5", "n-new", "n-x"};
const std::vector<std::string> transfer_ids{"t1", "t2", "t3", "t4", "t-new"};
const std::vector<std::string> tag_ids{"tag1", "tag2", "tag-new"};

/// u1..u4 with sessions, accounts, notes, transfers; two tags.
template <class Backend>
void populate(Backend& b) {
  b.write([](auto& tx) {
    tx.insert_user(make_user("u1", "u1@example.com"));
    tx.insert_user(make_user("u2", "u2@example.com", true));
    tx.insert_user(make_user("u3", "u3@example.com"));
    tx.insert_user(make_user("u4", "u4@example.com", true));
    tx.insert_session(make_session("tok-1", "u1"));
    tx.insert_session(make_session("tok-2", "u2"));
    tx.insert_session(make_session("tok-3", "u3"));
    tx.insert_session(make_session("tok-4", "u3"));
    tx.insert_account(make_account("a1", "u1", "credential", "u1", "hash-1"));
    tx.insert_account(make_account("a2", "u1", "github", "gh-1"));
    tx.insert_account(make_account("a3", "u3", "credential", "u3", "hash-3"));
    tx.insert_account(make_account("a4", "u2", "github", "gh-2"));
    tx.template insert<note>(note{"n1", "u1", "first"});
    tx.template insert<note>(note{"n2", "u1", "second"});
    tx.template insert<note>(note{"n3", "u2", "third"});
    tx.template insert<note>(note{"n4", "u3", "fourth"});
    tx.template insert<note>(note{"n5", "u4", "fifth"});
    tx.template insert<transfer>(transfer{"t1", "u1", "u2", 10});
    tx.template insert<transfer>(transfer{"t2", "u2", "u1", 20});
    tx.template insert<transfer>(transfer{"t3", "u3", "u2", 30});
    tx.template insert<transfer>(transfer{"t4", "u2", "u2", 40});
    tx.template insert<tag>(tag{"tag1", "red"});
    tx.template insert<tag>(tag{"tag2", "blue"});
  });
}

/// Everything the backend holds under every key the tests use, as one string.
template <class Backend>
std::string snapshot(Backend& b) {
  return b.read([](const auto& tx) {
    std::string out = "counts " + std::to_string(tx.template count<member>()) + " " +
                      std::to_string(tx.template count<note>()) + " " + std::to_string(tx.template count<transfer>()) +
                      " " + std::to_string(tx.template count<tag>()) + "\n";
    auto lines = [&](const std::string& label, const std::vector<std::string>& items) {
      for (const auto& s : items) out += "  " + label + " " + s + "\n";
    };
    for (const auto& id : user_ids) {
      const auto u = tx.find_user(id);
      out += "user " + id + " " + (u ? describe(*u) : std::string("none")) + "\n";
      std::vector<std::string> accounts;
      for (const auto& a : tx.accounts_of_user(id)) accounts.push_back(describe_account(a));
      std::sort(accounts.begin(), accounts.end());
      lines("account", accounts);
      lines("note", describe_all(tx.template find_by<&note::owner_id>(id)));
      lines("sent", describe_all(tx.template find_by<&transfer::sender_id>(id)));
      lines("received", describe_all(tx.template find_by<&transfer::receiver_id>(id)));
    }
    for (const auto& e : emails) {
      const auto u = tx.find_user_by_email(e);
      out += "email " + e + " -> " + (u ? u->id : std::string("none")) + "\n";
    }
    for (const auto& t : tokens) out += "session " + t + " " + describe_session(tx.find_session(aa::crypto::hash_token(t))) + "\n";
    for (const auto& [p, a] : provider_keys) {
      const auto acc = tx.find_account(p, a);
      out += "provider " + p + "/" + a + " " + (acc ? describe_account(*acc) : std::string("none")) + "\n";
    }
    for (const auto& id : note_ids) {
      const auto r = tx.template find<note>(id);
      out += "note " + id + " " + (r ? describe(*r) : std::string("none")) + "\n";
    }
    for (const auto& id : transfer_ids) {
      const auto r = tx.template find<transfer>(id);
      out += "transfer " + id + " " + (r ? describe(*r) : std::string("none")) + "\n";
    }
    for (const auto& id : tag_ids) {
      const auto r = tx.template find<tag>(id);
      out += "tag " + id + " " + (r ? describe(*r) : std::string("none")) + "\n";
    }
    for (const char* label : {"red", "blue", "green"})
      lines("label", describe_all(tx.template find_by<&tag::label>(std::string(label))));
    for (const char* text : {"first", "second", "edited"})
      lines("text", describe_all(tx.template find_by<&note::text>(std::string(text))));
    return out;
  });
}

struct rollback_probe : std::runtime_error {
  rollback_probe() : std::runtime_error("rollback probe") {}
};

/// Every kind of mutation the writer has, several on the same rows. Returns what the writer
/// saw of its own writes (which must be everything).
template <class Writer>
bool mutate_everything(Writer& tx) {
  bool sees_own_writes = true;
  auto expect = [&](bool ok) { sees_own_writes = sees_own_writes && ok; };

  // users
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

  // sessions
  tx.insert_session(make_session("tok-new", "tmp"));
  auto longer = make_session("tok-1", "u1");
  longer.session.expires_at = t0 + std::chrono::hours(48);
  longer.session.ip_address = "192.0.2.99";
  expect(tx.update_session(longer));
  expect(tx.erase_session(aa::crypto::hash_token("tok-2")));
  expect(tx.erase_sessions_of_user("u3") == 2);
  expect(tx.find_session(aa::crypto::hash_token("tok-new")).has_value());
  expect(!tx.find_session(aa::crypto::hash_token("tok-3")).has_value());

  // accounts
  tx.insert_account(make_account("a-new", "tmp", "gitlab", "gl-new"));
  expect(tx.erase_accounts_of_user("u1") == 2);
  expect(tx.find_account("gitlab", "gl-new").has_value());
  expect(!tx.find_account("github", "gh-1").has_value());

  // app rows: insert, update (moving an indexed column), erase
  tx.template insert<note>(note{"n-new", "tmp", "new"});
  expect(tx.template update<note>(note{"n1", "u3", "edited"}));
  expect(tx.template erase<note>("n2"));
  tx.template insert<tag>(tag{"tag-new", "green"});
  expect(tx.template update<tag>(tag{"tag1", "green"}));
  expect(tx.template erase<tag>("tag2"));

  // one row through its whole life in the same transaction
  tx.template insert<note>(note{"n-x", "u4", "short-lived"});
  expect(tx.template update<note>(note{"n-x", "u1", "short-lived"}));
  expect(tx.template reassign<&note::owner_id>("u1", "tmp") == 1);  // only n-x is u1's now
  expect(tx.template erase<note>("n-x"));

  // bulk
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

}  // namespace

TEMPLATE_TEST_CASE("storage.models_the_concept", "[conformance]", ANONAUTH_CONFORMING_STORAGES) {
  STATIC_REQUIRE(aa::storage_policy<TestType>);
  STATIC_REQUIRE(aa::storage_backend<backend_of<TestType>, schema>);
  STATIC_REQUIRE(std::is_constructible_v<backend_of<TestType>, const typename TestType::config&>);
  backend_of<TestType> b(test_config<TestType>());
  CHECK(b.read([](const auto& tx) { return tx.template count<member>(); }) == 0);
  CHECK(b.read([](const auto& tx) { return tx.template count<note>(); }) == 0);
}

TEMPLATE_TEST_CASE("storage.app_rows", "[conformance]", ANONAUTH_CONFORMING_STORAGES) {
  backend_of<TestType> b(test_config<TestType>());
  populate(b);

  SECTION("find and find_by") {
    b.read([](const auto& tx) {
      const auto n1 = tx.template find<note>("n1");
      REQUIRE(n1);
      CHECK(describe(*n1) == describe(note{"n1", "u1", "first"}));
      CHECK_FALSE(tx.template find<note>("missing").has_value());
      CHECK(describe_all(tx.template find_by<&note::owner_id>("u1")) ==
            describe_all(std::vector<note>{{"n1", "u1", "first"}, {"n2", "u1", "second"}}));
      CHECK(tx.template find_by<&note::owner_id>("nobody").empty());
      CHECK(tx.template find_by<&transfer::receiver_id>("u2").size() == 3);
      CHECK(tx.template find_by<&transfer::sender_id>("u2").size() == 2);
      CHECK(tx.template find_by<&note::text>("third").size() == 1);  // a column without an index
      CHECK(tx.template find_by<&tag::label>("red").size() == 1);
      CHECK(tx.template count<note>() == 5);
      CHECK(tx.template count<transfer>() == 4);
      CHECK(tx.template count<tag>() == 2);
    });
  }
  SECTION("update moves the row between index entries") {
    CHECK(b.write([](auto& tx) { return tx.template update<note>(note{"n1", "u4", "moved"}); }));
    CHECK_FALSE(b.write([](auto& tx) { return tx.template update<note>(note{"missing", "u4", "x"}); }));
    b.read([](const auto& tx) {
      CHECK(tx.template find<note>("n1")->text == "moved");
      CHECK(tx.template find_by<&note::owner_id>("u1").size() == 1);
      CHECK(tx.template find_by<&note::owner_id>("u4").size() == 2);
      CHECK(tx.template find_by<&note::text>("moved").size() == 1);
      CHECK(tx.template find_by<&note::text>("first").empty());
      CHECK(tx.template count<note>() == 5);
    });
  }
  SECTION("erase") {
    CHECK(b.write([](auto& tx) { return tx.template erase<note>("n1"); }));
    CHECK_FALSE(b.write([](auto& tx) { return tx.template erase<note>("n1"); }));
    b.read([](const auto& tx) {
      CHECK_FALSE(tx.template find<note>("n1").has_value());
      CHECK(tx.template find_by<&note::owner_id>("u1").size() == 1);
      CHECK(tx.template count<note>() == 4);
    });
  }
  SECTION("a duplicate key throws storage_error") {
    CHECK_THROWS_AS(b.write([](auto& tx) { tx.template insert<note>(note{"n1", "u2", "again"}); }), aa::storage_error);
    CHECK_THROWS_AS(b.write([](auto& tx) { tx.template insert<tag>(tag{"tag1", "again"}); }), aa::storage_error);
    CHECK(b.read([](const auto& tx) { return tx.template find<note>("n1")->text; }) == "first");
    CHECK(b.read([](const auto& tx) { return tx.template count<note>(); }) == 5);
  }
}

TEMPLATE_TEST_CASE("storage.reassign", "[conformance]", ANONAUTH_CONFORMING_STORAGES) {
  backend_of<TestType> b(test_config<TestType>());
  populate(b);

  const std::size_t moved = b.write([](auto& tx) { return tx.template reassign<&transfer::receiver_id>("u2", "u3"); });
  CHECK(moved == 3);
  b.read([](const auto& tx) {
    CHECK(tx.template find_by<&transfer::receiver_id>("u2").empty());
    CHECK(describe_all(tx.template find_by<&transfer::receiver_id>("u3")) ==
          describe_all(std::vector<transfer>{{"t1", "u1", "u3", 10}, {"t3", "u3", "u3", 30}, {"t4", "u2", "u3", 40}}));
    // The other reference column of the same rows is untouched.
    CHECK(tx.template find_by<&transfer::sender_id>("u2").size() == 2);
    CHECK(tx.template find<transfer>("t4")->sender_id == "u2");
    CHECK(tx.template find_by<&transfer::receiver_id>("u1").size() == 1);
  });

  // Onto a user that already has rows: they merge.
  CHECK(b.write([](auto& tx) { return tx.template reassign<&note::owner_id>("u1", "u3"); }) == 2);
  CHECK(b.read([](const auto& tx) { return tx.template find_by<&note::owner_id>("u3").size(); }) == 3);
  CHECK(b.read([](const auto& tx) { return tx.template find_by<&note::owner_id>("u1").size(); }) == 0);
  // Nothing to move, or onto itself.
  CHECK(b.write([](auto& tx) { return tx.template reassign<&note::owner_id>("nobody", "u3"); }) == 0);
  CHECK(b.write([](auto& tx) { return tx.template reassign<&note::owner_id>("u3", "u3"); }) == 0);
  CHECK(b.read([](const auto& tx) { return tx.template find_by<&note::owner_id>("u3").size(); }) == 3);
  CHECK(b.read([](const auto& tx) { return tx.template count<note>(); }) == 5);
}

TEMPLATE_TEST_CASE("storage.erase_where", "[conformance]", ANONAUTH_CONFORMING_STORAGES) {
  backend_of<TestType> b(test_config<TestType>());
  populate(b);
  CHECK(b.write([](auto& tx) { return tx.template erase_where<&transfer::sender_id>("u2"); }) == 2);
  CHECK(b.write([](auto& tx) { return tx.template erase_where<&note::owner_id>("nobody"); }) == 0);
  b.read([](const auto& tx) {
    CHECK(tx.template count<transfer>() == 2);
    CHECK_FALSE(tx.template find<transfer>("t2").has_value());
    CHECK_FALSE(tx.template find<transfer>("t4").has_value());
    CHECK(tx.template find_by<&transfer::receiver_id>("u2").size() == 2);  // t1, t3 remain
    CHECK(tx.template find_by<&transfer::receiver_id>("u1").empty());      // t2 was u1's
    CHECK(tx.template count<note>() == 5);
  });
}

TEMPLATE_TEST_CASE("storage.users", "[conformance]", ANONAUTH_CONFORMING_STORAGES) {
  backend_of<TestType> b(test_config<TestType>());
  populate(b);

  b.read([](const auto& tx) {
    CHECK(tx.template count<member>() == 4);
    const auto u2 = tx.find_user("u2");
    REQUIRE(u2);
    CHECK(describe(*u2) == describe(make_user("u2", "u2@example.com", true)));
    CHECK(tx.find_user_by_email("u3@example.com")->id == "u3");
    CHECK_FALSE(tx.find_user("nobody").has_value());
    CHECK_FALSE(tx.find_user_by_email("nobody@example.com").has_value());
  });

  SECTION("duplicate id or email throws storage_error") {
    CHECK_THROWS_AS(b.write([](auto& tx) { tx.insert_user(make_user("u1", "fresh@example.com")); }), aa::storage_error);
    CHECK_THROWS_AS(b.write([](auto& tx) { tx.insert_user(make_user("fresh", "u1@example.com")); }), aa::storage_error);
    CHECK_THROWS_AS(b.write([](auto& tx) {
                      auto u = make_user("u2", "u1@example.com");
                      (void)tx.update_user(u);
                    }),
                    aa::storage_error);
    b.read([](const auto& tx) {
      CHECK(tx.template count<member>() == 4);
      CHECK_FALSE(tx.find_user("fresh").has_value());
      CHECK(tx.find_user_by_email("u1@example.com")->id == "u1");
      CHECK(tx.find_user_by_email("u2@example.com")->id == "u2");
    });
  }
  SECTION("update, including the email") {
    member u = make_user("u1", "renamed@example.com");
    u.nickname = "nick";
    CHECK(b.write([&](auto& tx) { return tx.update_user(u); }));
    CHECK_FALSE(b.write([](auto& tx) { return tx.update_user(make_user("nobody", "nobody@example.com")); }));
    b.read([&](const auto& tx) {
      CHECK(describe(*tx.find_user("u1")) == describe(u));
      CHECK(tx.find_user_by_email("renamed@example.com")->id == "u1");
      CHECK_FALSE(tx.find_user_by_email("u1@example.com").has_value());
      CHECK(tx.template count<member>() == 4);
    });
    // The old email is free again.
    b.write([](auto& tx) { tx.insert_user(make_user("tmp", "u1@example.com")); });
    CHECK(b.read([](const auto& tx) { return tx.find_user_by_email("u1@example.com")->id; }) == "tmp");
  }
  SECTION("erase") {
    CHECK(b.write([](auto& tx) { return tx.erase_user("u2"); }));
    CHECK_FALSE(b.write([](auto& tx) { return tx.erase_user("u2"); }));
    b.read([](const auto& tx) {
      CHECK_FALSE(tx.find_user("u2").has_value());
      CHECK_FALSE(tx.find_user_by_email("u2@example.com").has_value());
      CHECK(tx.template count<member>() == 3);
    });
  }
}

TEMPLATE_TEST_CASE("storage.sessions", "[conformance]", ANONAUTH_CONFORMING_STORAGES) {
  backend_of<TestType> b(test_config<TestType>());
  populate(b);
  const auto h1 = aa::crypto::hash_token("tok-1");

  b.read([&](const auto& tx) {
    const auto rec = tx.find_session(h1);
    REQUIRE(rec);
    CHECK(describe_session(rec) == describe_session(make_session("tok-1", "u1")));
    CHECK_FALSE(tx.find_session(aa::crypto::hash_token("no-such-token")).has_value());
  });

  SECTION("update") {
    auto rec = make_session("tok-1", "u1");
    rec.session.expires_at = t0 + std::chrono::hours(72);
    rec.session.updated_at = t0 + std::chrono::hours(1);
    CHECK(b.write([&](auto& tx) { return tx.update_session(rec); }));
    CHECK_FALSE(b.write([](auto& tx) { return tx.update_session(make_session("no-such-token", "u1")); }));
    CHECK(b.read([&](const auto& tx) { return describe_session(tx.find_session(h1)); }) == describe_session(rec));
  }
  SECTION("erase one, erase a user's") {
    CHECK(b.write([&](auto& tx) { return tx.erase_session(h1); }));
    CHECK_FALSE(b.write([&](auto& tx) { return tx.erase_session(h1); }));
    CHECK(b.write([](auto& tx) { return tx.erase_sessions_of_user("u3"); }) == 2);
    CHECK(b.write([](auto& tx) { return tx.erase_sessions_of_user("u3"); }) == 0);
    b.read([](const auto& tx) {
      CHECK_FALSE(tx.find_session(aa::crypto::hash_token("tok-1")).has_value());
      CHECK_FALSE(tx.find_session(aa::crypto::hash_token("tok-3")).has_value());
      CHECK_FALSE(tx.find_session(aa::crypto::hash_token("tok-4")).has_value());
      CHECK(tx.find_session(aa::crypto::hash_token("tok-2")).has_value());
    });
  }
  SECTION("a duplicate token hash throws storage_error") {
    CHECK_THROWS_AS(b.write([](auto& tx) { tx.insert_session(make_session("tok-2", "u1")); }), aa::storage_error);
    CHECK(b.read([](const auto& tx) { return tx.find_session(aa::crypto::hash_token("tok-2"))->session.user_id; }) ==
          "u2");
  }
}

TEMPLATE_TEST_CASE("storage.accounts", "[conformance]", ANONAUTH_CONFORMING_STORAGES) {
  backend_of<TestType> b(test_config<TestType>());
  populate(b);

  b.read([](const auto& tx) {
    const auto gh = tx.find_account("github", "gh-1");
    REQUIRE(gh);
    CHECK(describe_account(*gh) == describe_account(make_account("a2", "u1", "github", "gh-1")));
    CHECK(tx.find_account("credential", "u1")->password_hash == std::optional<std::string>("hash-1"));
    CHECK_FALSE(tx.find_account("github", "u1").has_value());
    CHECK_FALSE(tx.find_account("gitlab", "gh-1").has_value());
    CHECK(tx.accounts_of_user("u1").size() == 2);
    CHECK(tx.accounts_of_user("u4").empty());
  });

  SECTION("erase a user's") {
    CHECK(b.write([](auto& tx) { return tx.erase_accounts_of_user("u1"); }) == 2);
    CHECK(b.write([](auto& tx) { return tx.erase_accounts_of_user("u1"); }) == 0);
    b.read([](const auto& tx) {
      CHECK(tx.accounts_of_user("u1").empty());
      CHECK_FALSE(tx.find_account("github", "gh-1").has_value());
      CHECK(tx.find_account("github", "gh-2").has_value());
    });
    // The provider key is free again.
    b.write([](auto& tx) { tx.insert_account(make_account("a9", "u4", "github", "gh-1")); });
    CHECK(b.read([](const auto& tx) { return tx.find_account("github", "gh-1")->user_id; }) == "u4");
  }
  SECTION("a duplicate provider key or id throws storage_error") {
    CHECK_THROWS_AS(b.write([](auto& tx) { tx.insert_account(make_account("a-other", "u4", "github", "gh-1")); }),
                    aa::storage_error);
    CHECK_THROWS_AS(b.write([](auto& tx) { tx.insert_account(make_account("a1", "u4", "gitlab", "gl-new")); }),
                    aa::storage_error);
    b.read([](const auto& tx) {
      CHECK(tx.accounts_of_user("u4").empty());
      CHECK(tx.find_account("github", "gh-1")->user_id == "u1");
      CHECK_FALSE(tx.find_account("gitlab", "gl-new").has_value());
    });
  }
}

TEMPLATE_TEST_CASE("storage.write_commits_and_read_sees_it", "[conformance]", ANONAUTH_CONFORMING_STORAGES) {
  backend_of<TestType> b(test_config<TestType>());
  const std::string answer = b.write([](auto& tx) {
    tx.insert_user(make_user("u1", "u1@example.com"));
    tx.template insert<note>(note{"n1", "u1", "first"});
    // A writer reads its own writes.
    return tx.find_user("u1")->email + "/" + tx.template find_by<&note::owner_id>("u1").front().text;
  });
  CHECK(answer == "u1@example.com/first");
  b.read([](const auto& tx) {
    CHECK(tx.find_user("u1").has_value());
    CHECK(tx.template find<note>("n1").has_value());
    CHECK(tx.template find_by<&note::owner_id>("u1").size() == 1);
  });
  b.write([](auto& tx) { tx.template insert<note>(note{"n2", "u1", "second"}); });
  CHECK(b.read([](const auto& tx) { return tx.template count<note>(); }) == 2);
}

TEMPLATE_TEST_CASE("storage.failed_write_rolls_everything_back", "[conformance][rollback]", ANONAUTH_CONFORMING_STORAGES) {
  backend_of<TestType> b(test_config<TestType>());
  populate(b);
  const std::string before = snapshot(b);
  REQUIRE(before.find("user u1 {") != std::string::npos);  // the snapshot does see the rows

  SECTION("fn throws after mutations of every kind") {
    bool reached = false, saw_own_writes = false;
    CHECK_THROWS_AS(b.write([&](auto& tx) {
                      saw_own_writes = mutate_everything(tx);
                      reached = true;
                      throw rollback_probe{};
                    }),
                    rollback_probe);
    CHECK(reached);
    CHECK(saw_own_writes);
    CHECK(snapshot(b) == before);
  }
  SECTION("a storage_error from the storage itself, after mutations") {
    CHECK_THROWS_AS(b.write([](auto& tx) {
                      (void)mutate_everything(tx);
                      tx.insert_user(make_user("tmp2", "u3@example.com"));  // u3's email: refused
                    }),
                    aa::storage_error);
    CHECK(snapshot(b) == before);
  }
  SECTION("the same mutations commit when fn returns") {
    const bool ok = b.write([](auto& tx) { return mutate_everything(tx); });
    CHECK(ok);
    const std::string after = snapshot(b);
    CHECK(after != before);
    b.read([](const auto& tx) {
      CHECK(tx.find_user("tmp")->name == "changed twice");
      CHECK_FALSE(tx.find_user("u2").has_value());
      CHECK(tx.find_user_by_email("renamed@example.com")->id == "u1");
      CHECK(tx.template count<note>() == 2);
      CHECK(tx.template find_by<&transfer::receiver_id>("u4").size() == 3);
      CHECK(tx.find_account("gitlab", "gl-new").has_value());
    });
    // And a later failed write returns to exactly this state.
    CHECK_THROWS_AS(b.write([](auto& tx) {
                      tx.template insert<note>(note{"n-x", "tmp", "doomed"});
                      (void)tx.template reassign<&note::owner_id>("tmp", "u4");
                      (void)tx.erase_user("tmp");
                      (void)tx.erase_sessions_of_user("tmp");
                      throw rollback_probe{};
                    }),
                    rollback_probe);
    CHECK(snapshot(b) == after);
  }
  SECTION("the backend stays usable after a rollback") {
    CHECK_THROWS_AS(b.write([](auto& tx) {
                      tx.insert_user(make_user("tmp", "tmp@example.com"));
                      throw rollback_probe{};
                    }),
                    rollback_probe);
    b.write([](auto& tx) { tx.insert_user(make_user("tmp", "tmp@example.com")); });
    CHECK(b.read([](const auto& tx) { return tx.find_user_by_email("tmp@example.com")->id; }) == "tmp");
    CHECK(b.read([](const auto& tx) { return tx.template count<member>(); }) == 5);
  }
}

// The purge's walk: guests only, created before the cut-off, after the given id, in id order, at
// most `limit`; kept right by inserts, promotions, deletions, and by rollbacks of each.
TEMPLATE_TEST_CASE("storage.anonymous_users_created_before", "[conformance][purge]", ANONAUTH_CONFORMING_STORAGES) {
  backend_of<TestType> b(test_config<TestType>());
  populate(b);  // guests u2 and u4, real users u1 and u3, all created at t0
  const auto walk = [&](aa::timestamp cutoff, std::string_view after, std::size_t limit) {
    return b.read([&](const auto& tx) {
      std::vector<std::string> ids;
      for (const auto& u : tx.anonymous_users_created_before(cutoff, after, limit)) {
        CHECK(u.is_anonymous);
        ids.push_back(u.id);
      }
      return ids;
    });
  };
  using ids = std::vector<std::string>;
  const aa::timestamp later = t0 + std::chrono::seconds{1};
  CHECK(walk(later, "", 10) == ids{"u2", "u4"});
  CHECK(walk(t0, "", 10).empty());  // created at t0: not before t0
  CHECK(walk(later, "u2", 10) == ids{"u4"});
  CHECK(walk(later, "", 1) == ids{"u2"});

  b.write([&](auto& tx) {
    auto fresh = make_user("u0", "u0@example.com", true);
    fresh.created_at = later;  // a guest newer than the cut-off is skipped, not counted
    tx.insert_user(fresh);
    tx.insert_user(make_user("u5", "u5@example.com", true));
  });
  CHECK(walk(later, "", 10) == ids{"u2", "u4", "u5"});
  CHECK(walk(later, "", 2) == ids{"u2", "u4"});

  SECTION("a promotion, a deletion and a new guest, rolled back, leave the walk as it was") {
    CHECK_THROWS_AS(b.write([&](auto& tx) {
                      auto promoted = make_user("u2", "u2@example.com", false);
                      CHECK(tx.update_user(promoted));
                      CHECK(tx.erase_user("u4"));
                      tx.insert_user(make_user("u6", "u6@example.com", true));
                      auto demoted = make_user("u3", "u3@example.com", true);
                      CHECK(tx.update_user(demoted));
                      CHECK(tx.anonymous_users_created_before(later, "", 10).size() == 3);  // u3, u5, u6
                      throw rollback_probe{};
                    }),
                    rollback_probe);
    CHECK(walk(later, "", 10) == ids{"u2", "u4", "u5"});
  }
  SECTION("the same changes, committed") {
    b.write([&](auto& tx) {
      CHECK(tx.update_user(make_user("u2", "u2@example.com", false)));
      CHECK(tx.erase_user("u4"));
      tx.insert_user(make_user("u6", "u6@example.com", true));
      CHECK(tx.update_user(make_user("u3", "u3@example.com", true)));
    });
    CHECK(walk(later, "", 10) == ids{"u3", "u5", "u6"});
    CHECK(walk(later, "u3", 10) == ids{"u5", "u6"});
  }
}
