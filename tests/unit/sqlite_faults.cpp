// SQLite fault injection: every statement an operation runs is made to fail in turn (through
// sqlite_config::before_statement), and each time the operation answers with an error result
// and the database is exactly as before, row for row as a second connection reads it. Then
// the same operation, unhindered, succeeds on the same data.
//
// Covered: linking by email sign-up and by email sign-in, delete-anonymous-user, anonymous
// sign-in, and a custom migrator that throws in the middle of a link.
#include "catch.hpp"
#include "sqlite_fixtures.hpp"

#include <anonauth/anonauth.hpp>
#include <anonauth/storage/sqlite/sqlite.hpp>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace sqlite_fixtures;
using link_fixtures::cart_item;
using link_fixtures::draft;
using link_fixtures::identity;
using link_fixtures::user;

enum class operation { sign_up_email, sign_in_email, delete_anonymous_user, sign_in_anonymous };

const char* name_of(operation op) {
  switch (op) {
    case operation::sign_up_email: return "sign_up_email";
    case operation::sign_in_email: return "sign_in_email";
    case operation::delete_anonymous_user: return "delete_anonymous_user";
    case operation::sign_in_anonymous: return "sign_in_anonymous";
  }
  return "?";
}

/// The error codes an operation may answer a storage failure with: its own, and for the link
/// operations LINK_MIGRATION_FAILED (a failing reassign is a failing migrator).
std::set<std::string> failure_codes(operation op) {
  switch (op) {
    case operation::sign_up_email: return {"FAILED_TO_CREATE_USER", "LINK_MIGRATION_FAILED"};
    case operation::sign_in_email: return {"FAILED_TO_CREATE_SESSION", "LINK_MIGRATION_FAILED"};
    case operation::delete_anonymous_user:
      return {"FAILED_TO_DELETE_ANONYMOUS_USER", "FAILED_TO_DELETE_ANONYMOUS_USER_SESSIONS"};
    case operation::sign_in_anonymous: return {"FAILED_TO_CREATE_USER", "COULD_NOT_CREATE_SESSION"};
  }
  return {};
}

/// What an operation answered.
struct outcome {
  bool ok = false;
  std::string code;
  int status = 0;
  std::string user_id;  // of the signed-in user, on success
};

template <class R>
outcome outcome_of(const R& r) {
  outcome o;
  o.ok = r.has_value();
  if (!o.ok) {
    o.code = std::string(r.error().code());
    o.status = r.error().status();
  } else {
    if constexpr (requires { r->user.id; }) o.user_id = r->user.id;
  }
  return o;
}

/// One database (a file, or in memory when `file` is false) with the scene of an operation: a
/// guest with 3 cart items, 2 drafts and a bio; for sign_in_email also the account it signs in
/// to, with data of its own.
template <class Auth = seed_sqlite_auth>
class scene {
 public:
  scene(operation op, bool file, const std::string& name) : op_(op) {
    aa::sqlite_config config;
    if (file) config.path = test_files::unique_path(name + ".db");
    path_ = config.path;
    config.before_statement = faults.hook();
    auth = std::make_unique<Auth>(config);

    if (op == operation::sign_in_email) {
      owner = link_fixtures::new_account(*auth, "owner@example.com");
      link_fixtures::fill_cart(*auth, owner->id, 2, "owner");
      link_fixtures::write_drafts(*auth, owner->id, 1, "owner");
      link_fixtures::set_profile(*auth, owner->token, std::nullopt, "Paris");
    }
    guest = link_fixtures::new_guest(*auth);
    link_fixtures::fill_cart(*auth, guest.id, 3, "guest");
    link_fixtures::write_drafts(*auth, guest.id, 2, "guest");
    link_fixtures::set_profile(*auth, guest.token, "  I like tea  ", std::nullopt);
  }
  scene(const scene&) = delete;
  scene& operator=(const scene&) = delete;

  /// Runs the operation; an exception escaping it is reported as such and fails the test.
  outcome run() {
    try {
      switch (op_) {
        case operation::sign_up_email:
          return outcome_of(auth->sign_up_email(link_fixtures::sign_up_body("new@example.com"),
                                                link_fixtures::with_token(guest.token)));
        case operation::sign_in_email:
          return outcome_of(auth->sign_in_email(link_fixtures::sign_in_body("owner@example.com"),
                                                link_fixtures::with_token(guest.token)));
        case operation::delete_anonymous_user:
          return outcome_of(auth->delete_anonymous_user(link_fixtures::with_token(guest.token)));
        case operation::sign_in_anonymous: return outcome_of(auth->sign_in_anonymous(link_fixtures::no_session()));
      }
    } catch (const std::exception& e) {
      FAIL("an exception escaped " << name_of(op_) << ": " << e.what());
    }
    return {};
  }

  /// The database as a second connection sees it (a file), and as the storage's public reads
  /// see it (both kinds).
  std::string snapshot() {
    std::string out = storage_view();
    if (!path_.empty()) out += "--- raw ---\n" + dump(path_);
    return out;
  }

  /// Counts, and everything stored about the known users, emails and tokens.
  std::string storage_view() {
    std::vector<std::string> ids{guest.id};
    std::vector<std::string> tokens{guest.token};
    if (owner) {
      ids.push_back(owner->id);
      tokens.push_back(owner->token);
    }
    return auth->storage().read([&](const auto& tx) {
      std::string out = "users=" + std::to_string(tx.template count<user>()) +
                        " carts=" + std::to_string(tx.template count<cart_item>()) +
                        " drafts=" + std::to_string(tx.template count<draft>()) + "\n";
      for (const auto& id : ids) {
        const auto u = tx.find_user(id);
        out += "user " + id + ": " + (u ? link_fixtures::describe(*u) : std::string("none")) + "\n";
        for (const auto& a : tx.accounts_of_user(id))
          out += "  account " + a.id + " " + a.provider_id + "/" + a.account_id + "\n";
        for (const auto& s : link_fixtures::describe_all(tx.template find_by<&cart_item::user_id>(id))) out += "  cart " + s + "\n";
        for (const auto& s : link_fixtures::describe_all(tx.template find_by<&draft::author_id>(id))) out += "  draft " + s + "\n";
      }
      for (const auto& token : tokens) {
        const auto s = tx.find_session(aa::crypto::hash_token(token));
        out += "session of token: " + (s ? s->session.id + " user " + s->session.user_id : std::string("none")) + "\n";
      }
      for (const char* email : {"new@example.com", "owner@example.com"}) {
        const auto u = tx.find_user_by_email(email);
        out += std::string(email) + ": " + (u ? u->id : std::string("none")) + "\n";
      }
      return out;
    });
  }

  /// Checks what the operation did when it succeeded.
  void check_succeeded(const outcome& o) {
    REQUIRE(o.ok);
    auto& a = *auth;
    switch (op_) {
      case operation::sign_up_email:
      case operation::sign_in_email: {
        // the guest was linked: its rows moved to the user, the guest is gone
        const std::string target = op_ == operation::sign_up_email ? o.user_id : owner->id;
        CHECK(o.user_id == target);
        const auto linked = a.find_user(target);
        REQUIRE(linked);
        CHECK_FALSE(linked->is_anonymous);
        CHECK(linked->bio == std::optional<std::string>("I like tea"));
        const std::size_t own = op_ == operation::sign_in_email ? 1 : 0;
        CHECK(link_fixtures::carts_of(a, target) == 3 + 2 * own);
        CHECK(link_fixtures::drafts_of(a, target) == 2 + own);
        CHECK_FALSE(a.find_user(guest.id).has_value());
        CHECK_FALSE(a.get_session(guest.token).has_value());
        CHECK(link_fixtures::carts_of(a, guest.id) == 0);
        break;
      }
      case operation::delete_anonymous_user:
        CHECK_FALSE(a.find_user(guest.id).has_value());
        CHECK_FALSE(a.get_session(guest.token).has_value());
        CHECK(link_fixtures::carts_of(a, guest.id) == 0);
        CHECK(link_fixtures::drafts_of(a, guest.id) == 0);
        CHECK(a.template table<cart_item>().count() == 0);
        break;
      case operation::sign_in_anonymous: {
        const auto created = a.find_user(o.user_id);
        REQUIRE(created);
        CHECK(created->is_anonymous);
        CHECK(a.template table<user>().count() == 2);
        CHECK(a.get_session(guest.token).has_value());
        break;
      }
    }
  }

  // Declared first: the auth's config refers to it, so it must outlive the auth.
  fault_injector faults;
  std::unique_ptr<Auth> auth;
  identity guest;
  std::optional<identity> owner;

 private:
  operation op_;
  std::string path_;
};

/// The statements the whole operation runs, unhindered (and checks that it succeeds).
std::vector<std::string> statements_of(operation op) {
  scene s(op, true, std::string("count-") + name_of(op));
  s.faults.arm(0);
  const outcome o = s.run();
  s.faults.disarm();
  INFO(name_of(op) << " ran:\n" << s.faults.listing());
  s.check_succeeded(o);
  return s.faults.statements;
}

/// Makes the k-th statement of the operation fail, for every k; see the file's comment.
void check_every_fault(operation op, bool file, const std::vector<std::size_t>& ks,
                       const std::vector<std::string>& expected) {
  for (const std::size_t k : ks) {
    INFO(name_of(op) << (file ? " on a file" : " in memory") << ", statement " << k << " of " << expected.size()
                     << " fails: " << expected[k - 1]);
    scene s(op, file, std::string("fault-") + name_of(op) + "-" + std::to_string(k));
    const std::string before = s.snapshot();

    s.faults.arm(k);
    const outcome failed = s.run();
    s.faults.disarm();

    // Failed where it was told to, answered with an error result, and ran nothing after it.
    CHECK(s.faults.failed_statement == expected[k - 1]);
    CHECK(s.faults.seen == k);
    REQUIRE_FALSE(failed.ok);
    INFO("answered " << failed.code << " " << failed.status);
    CHECK(failure_codes(op).count(failed.code) == 1);
    CHECK(failed.status >= 400);

    // Nothing changed, as the storage and as a second connection see it.
    CHECK(s.snapshot() == before);

    // The same operation on the same data now succeeds (the guest is still linkable).
    const outcome retried = s.run();
    s.check_succeeded(retried);
    CHECK(s.snapshot() != before);
  }
}

std::vector<std::size_t> one_to(std::size_t n) {
  std::vector<std::size_t> ks(n);
  for (std::size_t i = 0; i < n; ++i) ks[i] = i + 1;
  return ks;
}

/// A few k for the in-memory database: the first, the middle, the last two.
std::vector<std::size_t> a_few_of(std::size_t n) {
  std::vector<std::size_t> ks{1, std::max<std::size_t>(1, n / 2), std::max<std::size_t>(1, n - 1), n};
  std::sort(ks.begin(), ks.end());
  ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
  return ks;
}

void check_operation(operation op) {
  const std::vector<std::string> statements = statements_of(op);
  const std::size_t n = statements.size();
  INFO(name_of(op) << ": N = " << n << " statements:\n" << [&] {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += std::to_string(i + 1) + ": " + statements[i] + "\n";
    return out;
  }());
  REQUIRE(n >= 4);
  // One write transaction (reads have their own BEGIN ... COMMIT), and COMMIT is the last
  // statement: no fault can come after it.
  CHECK(statements.back() == "COMMIT");
  CHECK(std::count(statements.begin(), statements.end(), std::string("BEGIN IMMEDIATE")) == 1);
  CHECK(std::count(statements.begin(), statements.end(), std::string("COMMIT")) ==
        std::count(statements.begin(), statements.end(), std::string("BEGIN IMMEDIATE")) +
            std::count(statements.begin(), statements.end(), std::string("BEGIN")));

  check_every_fault(op, true, one_to(n), statements);
  check_every_fault(op, false, a_few_of(n), statements);
}

// --- a custom migrator that throws halfway through a link -----------------------------------------

/// Writes through every kind of call, then throws: nothing of it may stay.
struct throwing_migrator {
  static inline bool ran = false;

  template <class Ctx>
  void operator()(Ctx& ctx) const {
    ran = true;
    ctx.template table<draft>().insert(draft{"migrator-draft", ctx.new_user().id, "written in the link"});
    auto carts = ctx.template table<cart_item>();
    carts.erase("guest-cart-0");
    if (auto item = carts.find("guest-cart-1")) {
      item->quantity = 42;
      carts.update(*item);
    }
    ctx.update_user([](auto& u) { u.location = "set by the migrator"; });
    throw std::runtime_error("the warehouse is unreachable");
  }
};

using throwing_link = aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&draft::author_id>,
                                          aa::copy_if_empty<&user::bio>, aa::on_link<throwing_migrator>>;
using throwing_auth = sqlite_auth_of<app_schema, throwing_link>;

}  // namespace

TEST_CASE("sqlite_faults.sign_up_email_link_is_all_or_nothing", "[sqlite][faults]") {
  check_operation(operation::sign_up_email);
}

TEST_CASE("sqlite_faults.sign_in_email_link_is_all_or_nothing", "[sqlite][faults]") {
  check_operation(operation::sign_in_email);
}

TEST_CASE("sqlite_faults.delete_anonymous_user_is_all_or_nothing", "[sqlite][faults]") {
  check_operation(operation::delete_anonymous_user);
}

TEST_CASE("sqlite_faults.sign_in_anonymous_creates_nothing_on_failure", "[sqlite][faults]") {
  check_operation(operation::sign_in_anonymous);
}

TEST_CASE("sqlite_faults.throwing_migrator_rolls_the_link_back", "[sqlite][faults]") {
  for (const bool file : {true, false}) {
    INFO((file ? "on a file" : "in memory"));
    scene<throwing_auth> s(operation::sign_up_email, file, file ? "throwing-migrator" : "");
    const std::string before = s.snapshot();
    const std::size_t users_before = s.auth->table<user>().count();

    throwing_migrator::ran = false;
    s.faults.arm(0);  // counts only
    const outcome o = s.run();
    s.faults.disarm();

    REQUIRE(throwing_migrator::ran);
    REQUIRE_FALSE(o.ok);
    CHECK(o.code == "LINK_MIGRATION_FAILED");
    CHECK(o.status == 500);
    // The migrator's writes did reach the database inside the transaction...
    CHECK(std::count_if(s.faults.statements.begin(), s.faults.statements.end(),
                        [](const std::string& sql) { return sql.rfind("INSERT INTO \"drafts\"", 0) == 0; }) == 1);
    // ...and none of them, nor the new user, survived.
    CHECK(s.snapshot() == before);
    CHECK(s.auth->table<user>().count() == users_before);
    CHECK_FALSE(s.auth->table<draft>().find("migrator-draft").has_value());
    CHECK(s.auth->table<cart_item>().find("guest-cart-1")->quantity == 2);
    CHECK(link_fixtures::carts_of(*s.auth, s.guest.id) == 3);
    const auto guest = s.auth->get_session(s.guest.token);
    REQUIRE(guest);
    CHECK(guest->user.is_anonymous);
    CHECK_FALSE(guest->user.location.has_value());
  }
}
