// Every storage we ship through the installed conformance kit (anonauth/testing/conformance.hpp),
// one Catch2 test case per storage, one check per rule the storage breaks. The out-of-tree
// storage of tests/package/storage passes the same kit from the installed package. The SQLite
// models are there when the build has anonauth::sqlite (ANONAUTH_HAS_SQLITE).
#include "catch.hpp"

#include "postgres_server.hpp"
#include "test_files.hpp"

#include <anonauth/anonauth.hpp>
#ifdef ANONAUTH_HAS_SQLITE
#include <anonauth/storage/sqlite/sqlite.hpp>
#endif
#include <anonauth/testing/conformance.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>
#include <string>

namespace {

namespace aa = anonauth;

#ifdef ANONAUTH_HAS_SQLITE
/// SQLite on a file (WAL, reader connections), beside SQLite in memory (one connection).
struct sqlite_file_storage : aa::sqlite_storage {};

aa::sqlite_config fresh_sqlite_file() {
  static int next = 0;
  aa::sqlite_config config;
  config.path = test_files::unique_path("conformance-" + std::to_string(++next) + ".db");
  return config;
}
#endif

void require_conformance(const aa::testing::conformance_report& report) {
  std::ostringstream text;
  text << report;
  INFO(text.str());
  for (const auto& f : report.failures) FAIL_CHECK(f.test + ": " + f.rule + (f.detail.empty() ? "" : " (" + f.detail + ")"));
  CHECK(report.tests.size() >= 32);
  CHECK(report.passed());
}

}  // namespace

TEST_CASE("storage.memory", "[conformance]") {
  STATIC_REQUIRE(aa::storage_policy<aa::memory_storage>);
  require_conformance(aa::testing::check_storage<aa::memory_storage>());
}

#ifdef ANONAUTH_HAS_SQLITE
TEST_CASE("storage.sqlite_in_memory", "[conformance]") {
  STATIC_REQUIRE(aa::storage_policy<aa::sqlite_storage>);
  require_conformance(aa::testing::check_storage<aa::sqlite_storage>());
}

TEST_CASE("storage.sqlite_file", "[conformance]") {
  require_conformance(aa::testing::check_storage<sqlite_file_storage>(fresh_sqlite_file));
}
#endif

#ifdef ANONAUTH_HAS_POSTGRES
TEST_CASE("storage.postgres", "[conformance]") {
  STATIC_REQUIRE(aa::storage_policy<aa::postgres_storage>);
  require_conformance(aa::testing::check_storage<aa::postgres_storage>([] { return postgres_server::fresh_config("kit"); }));
}

TEST_CASE("storage.postgres_serializable", "[conformance]") {
  require_conformance(aa::testing::check_storage<aa::postgres_storage>([] {
    auto config = postgres_server::fresh_config("kit_serializable");
    config.isolation = aa::postgres_isolation::serializable;
    return config;
  }));
}
#endif

// The kit itself: a storage that breaks a rule is caught, with the rule in words. The memory
// storage behind forwarding reader and writer, whose update_session changes every field (as
// the memory storage once did) and whose accounts_of_user lists in reverse.
namespace {
template <class Inner>
struct forwarding_reader {
  const Inner* r;
  auto find_user(std::string_view id) const { return r->find_user(id); }
  auto find_user_by_email(std::string_view e) const { return r->find_user_by_email(e); }
  auto find_session(const aa::token_hash& h) const { return r->find_session(h); }
  auto find_account(std::string_view p, std::string_view a) const { return r->find_account(p, a); }
  auto accounts_of_user(std::string_view id) const {
    auto out = r->accounts_of_user(id);
    std::reverse(out.begin(), out.end());
    return out;
  }
  auto sessions_of_user(std::string_view id) const { return r->sessions_of_user(id); }
  auto anonymous_users_created_before(aa::timestamp t, std::string_view after, std::size_t n) const {
    return r->anonymous_users_created_before(t, after, n);
  }
  template <class Row>
  std::size_t count() const { return r->template count<Row>(); }
  template <class Row>
  std::optional<Row> find(std::string_view id) const { return r->template find<Row>(id); }
  template <auto M, class V>
  auto find_by(const V& v) const { return r->template find_by<M>(v); }
};
template <class Inner>
struct forwarding_writer : forwarding_reader<Inner> {
  Inner* w;
  explicit forwarding_writer(Inner& inner) : forwarding_reader<Inner>{&inner}, w(&inner) {}
  template <class U> void insert_user(const U& u) { w->insert_user(u); }
  template <class U> bool update_user(const U& u) { return w->update_user(u); }
  bool erase_user(std::string_view id) { return w->erase_user(id); }
  void insert_session(const aa::session_record& r) { w->insert_session(r); }
  bool update_session(const aa::session_record& r) {  // every field: the broken rule
    if (!w->find_session(r.hash)) return false;
    (void)w->erase_session(r.hash);
    w->insert_session(r);
    return true;
  }
  bool erase_session(const aa::token_hash& h) { return w->erase_session(h); }
  std::size_t erase_sessions_of_user(std::string_view id) { return w->erase_sessions_of_user(id); }
  void insert_account(const aa::account& a) { w->insert_account(a); }
  std::size_t erase_accounts_of_user(std::string_view id) { return w->erase_accounts_of_user(id); }
  template <class Row> void insert(const Row& row) { w->template insert<Row>(row); }
  template <class Row> bool update(const Row& row) { return w->template update<Row>(row); }
  template <class Row> bool erase(std::string_view id) { return w->template erase<Row>(id); }
  template <auto M> std::size_t reassign(std::string_view from, std::string_view to) { return w->template reassign<M>(from, to); }
  template <auto M, class V> std::size_t erase_where(const V& v) { return w->template erase_where<M>(v); }
};
struct rule_breaking_storage {
  using config = aa::memory_storage::config;
  template <class Schema>
  class backend {
    using inner_type = aa::memory_storage::backend<Schema>;

   public:
    using reader = forwarding_reader<typename inner_type::reader>;
    using writer = forwarding_writer<typename inner_type::writer>;
    explicit backend(const config& c) : inner_(c) {}
    template <class Fn>
    decltype(auto) read(Fn&& fn) {
      return inner_.read([&](const auto& r) { return fn(reader{&r}); });
    }
    template <class Fn>
    decltype(auto) write(Fn&& fn) {
      return inner_.write([&](auto& w) {
        writer fw(w);
        return fn(fw);
      });
    }

   private:
    inner_type inner_;
  };
};
}  // namespace

TEST_CASE("storage.kit_catches_a_broken_rule", "[conformance]") {
  STATIC_REQUIRE(aa::storage_policy<rule_breaking_storage>);
  const auto report = aa::testing::check_storage<rule_breaking_storage>();
  std::vector<std::string> broken;
  for (const auto& f : report.failures) broken.push_back(f.test + ": " + f.rule);
  CHECK(report.tests.size() >= 32);
  CHECK(broken == std::vector<std::string>{
                      "sessions.update_changes_only_what_a_refresh_changes: update_session changes expires_at, "
                      "updated_at, ip_address and user_agent only: id, user_id and created_at stay",
                      "sessions.update_changes_only_what_a_refresh_changes: update_session never moves a session to "
                      "another user",
                      "accounts.of_user_in_creation_order: accounts_of_user lists the accounts by created_at, then by id",
                  });
  // A run of some cases only, by the start of their names.
  const auto sessions = aa::testing::check_storage<rule_breaking_storage>({}, "sessions.");
  CHECK(sessions.tests.size() == 5);
  CHECK(sessions.failures.size() == 2);
}

namespace {

using namespace aa::testing::kit;

// One macro, so that adding a model is one line and Catch2 can print each model's name.
#ifdef ANONAUTH_HAS_SQLITE
#define ANONAUTH_CONFORMING_STORAGES aa::memory_storage, aa::sqlite_storage, sqlite_file_storage
#else
#define ANONAUTH_CONFORMING_STORAGES aa::memory_storage
#endif

template <class S>
typename S::config test_config() {
  return typename S::config{};
}
#ifdef ANONAUTH_HAS_SQLITE
template <>
aa::sqlite_config test_config<sqlite_file_storage>() {
  return fresh_sqlite_file();
}
#endif
template <class S>
using backend_of = typename S::template backend<aa::testing::conformance_schema>;

/// What a write threw: the message of its aa::storage_error, or what happened instead.
template <class Backend, class Fn>
std::string storage_error_of(Backend& b, Fn fn) {
  try {
    (void)b.write(fn);
  } catch (const aa::storage_error& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("<not an aa::storage_error: ") + e.what() + ">";
  }
  return "<no exception>";
}

std::string hex(const aa::token_hash& h, const char* digits) {
  std::string out;
  for (auto b : h) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0xf]);
  }
  return out;
}

}  // namespace

// A collision names its table and key in the same words on every storage, so the application's
// log says what collided; a session's key is a secret's digest and is never shown.
TEMPLATE_TEST_CASE("storage.duplicate_keys_are_named", "[conformance]", ANONAUTH_CONFORMING_STORAGES) {
  backend_of<TestType> b(test_config<TestType>());
  populate(b);
  const std::string before = snapshot(b);

  SECTION("application rows") {
    CHECK(storage_error_of(b, [](auto& tx) { tx.template insert<note>(note{"n1", "u2", "again"}); }) ==
          R"(duplicate key in table "notes": id "n1")");
    CHECK(storage_error_of(b, [](auto& tx) { tx.template insert<tag>(tag{"tag1", "again"}); }) ==
          R"(duplicate key in table "tags": id "tag1")");
    // A key is quoted and escaped: the message stays one line, whatever the key holds.
    b.write([](auto& tx) { tx.template insert<tag>(tag{"say \"hi\"\n\\", "odd"}); });
    CHECK(storage_error_of(b, [](auto& tx) { tx.template insert<tag>(tag{"say \"hi\"\n\\", "again"}); }) ==
          R"(duplicate key in table "tags": id "say \"hi\"\n\\")");
    b.write([](auto& tx) { CHECK(tx.template erase<tag>("say \"hi\"\n\\")); });
  }
  SECTION("users: id, email, and an update onto a taken email") {
    CHECK(storage_error_of(b, [](auto& tx) { tx.insert_user(make_user("u1", "fresh@example.com")); }) ==
          R"(duplicate key in table "user": id "u1")");
    CHECK(storage_error_of(b, [](auto& tx) { tx.insert_user(make_user("fresh", "u1@example.com")); }) ==
          R"(duplicate key in table "user": email)");
    CHECK(storage_error_of(b, [](auto& tx) { (void)tx.update_user(make_user("u2", "u1@example.com")); }) ==
          R"(duplicate key in table "user": email)");
  }
  SECTION("accounts: id, provider and account id") {
    CHECK(storage_error_of(b, [](auto& tx) { tx.insert_account(make_account("a1", "u4", "gitlab", "gl-new")); }) ==
          R"(duplicate key in table "account": id "a1")");
    CHECK(storage_error_of(b, [](auto& tx) { tx.insert_account(make_account("a-other", "u4", "github", "gh-1")); }) ==
          R"(duplicate key in table "account": provider_id "github", account_id "gh-1")");
  }
  SECTION("sessions: the token hash is named, never shown") {
    auto rec = make_session("tok-2", "u1");
    rec.session.id = "sid-fresh";  // only the token hash collides
    const std::string message = storage_error_of(b, [&](auto& tx) { tx.insert_session(rec); });
    CHECK(message == R"(duplicate key in table "session": token_hash)");
    CHECK(message.find("tok-2") == std::string::npos);
    CHECK(message.find(hex(rec.hash, "0123456789abcdef")) == std::string::npos);
    CHECK(message.find(hex(rec.hash, "0123456789ABCDEF")) == std::string::npos);
  }
  CHECK(snapshot(b) == before);  // and nothing of any refused write stayed
}
