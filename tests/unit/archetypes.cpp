// Archetypes: the least a policy can be and still model its concept. anonymous_auth built from
// nothing but archetypes compiles and works, so it asks for nothing beyond the documented
// concepts: email and naming (`std::string generate(aa::generation_context&)`), clock
// (`now() const`), random (`fill(std::span<std::uint8_t>)`), password hasher (`hash`, `verify`)
// and storage (exactly the reader and writer functions of anonauth/policy/storage.hpp). None of
// them can be copied, so the host never copies a policy either.
//
// Then the other side: types that miss one requirement do not model the concept, and the link
// migration checks name the expected diagnostic.
#include "catch.hpp"
#include "link_fixtures.hpp"

#include <anonauth/anonauth.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace {

using namespace link_fixtures;

struct no_copy {
  no_copy() = default;
  no_copy(const no_copy&) = delete;
  no_copy& operator=(const no_copy&) = delete;
};

// --- generation ---------------------------------------------------------------------------------

struct email_archetype : no_copy {
  std::string generate(aa::generation_context& ctx) { return "Guest-" + ctx.random_alphanumeric(16) + "@archetype.test"; }
};

struct naming_archetype : no_copy {
  std::string generate(aa::generation_context& ctx) { return "Archetype-" + ctx.random_string(6, "xyz"); }
};

// --- clock, random, hasher ----------------------------------------------------------------------

const aa::timestamp fixed_now{std::chrono::milliseconds{1'750'000'000'000}};

struct clock_archetype : no_copy {
  aa::timestamp now() const { return fixed_now; }
};

/// xorshift64*: deterministic, so two auths built alike hand out the same ids and tokens.
struct random_archetype : no_copy {
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  void fill(std::span<std::uint8_t> out) {
    for (auto& byte : out) {
      state ^= state >> 12;
      state ^= state << 25;
      state ^= state >> 27;
      byte = static_cast<std::uint8_t>((state * 0x2545F4914F6CDD1Dull) >> 56);
    }
  }
};

struct hasher_archetype : no_copy {
  std::string hash(std::string_view password) const { return "h:" + std::string(password); }
  bool verify(std::string_view encoded, std::string_view password) const { return encoded == "h:" + std::string(password); }
};

// --- storage ------------------------------------------------------------------------------------

/// A storage that exposes exactly the documented reader and writer functions (over the memory
/// storage, which has more). With Complete = false its writer lacks erase_accounts_of_user.
template <bool Complete>
struct basic_storage_archetype {
  struct config {};

  template <class Schema>
  class backend {
    using inner_type = aa::memory_storage::backend<Schema>;
    using user_type = aa::user_row_t<Schema>;

    template <class Tx>
    class reading {
     public:
      explicit reading(const Tx& tx) : rtx_(&tx) {}
      std::optional<user_type> find_user(std::string_view id) const { return rtx_->find_user(id); }
      std::optional<user_type> find_user_by_email(std::string_view email) const { return rtx_->find_user_by_email(email); }
      std::optional<aa::session_record> find_session(const aa::token_hash& h) const { return rtx_->find_session(h); }
      std::optional<aa::account> find_account(std::string_view provider, std::string_view account_id) const {
        return rtx_->find_account(provider, account_id);
      }
      std::vector<aa::account> accounts_of_user(std::string_view id) const { return rtx_->accounts_of_user(id); }
      std::vector<aa::session_record> sessions_of_user(std::string_view id) const { return rtx_->sessions_of_user(id); }
      std::vector<user_type> anonymous_users_created_before(aa::timestamp t, std::string_view after,
                                                            std::size_t limit) const {
        return rtx_->anonymous_users_created_before(t, after, limit);
      }
      template <class Row>
      std::optional<Row> find(std::string_view id) const {
        return rtx_->template find<Row>(id);
      }
      template <auto Member, class Value>
      auto find_by(const Value& value) const {
        return rtx_->template find_by<Member>(value);
      }
      template <class Row>
      std::size_t count() const {
        return rtx_->template count<Row>();
      }

     private:
      const Tx* rtx_;
    };

   public:
    class reader : public reading<typename inner_type::reader> {
     public:
      using reading<typename inner_type::reader>::reading;
    };

    class writer : public reading<typename inner_type::writer> {
     public:
      explicit writer(typename inner_type::writer& tx) : reading<typename inner_type::writer>(tx), tx_(&tx) {}

      void insert_user(const user_type& u) { tx_->insert_user(u); }
      bool update_user(const user_type& u) { return tx_->update_user(u); }
      bool erase_user(std::string_view id) { return tx_->erase_user(id); }
      void insert_session(const aa::session_record& rec) { tx_->insert_session(rec); }
      bool update_session(const aa::session_record& rec) { return tx_->update_session(rec); }
      bool erase_session(const aa::token_hash& h) { return tx_->erase_session(h); }
      std::size_t erase_sessions_of_user(std::string_view id) { return tx_->erase_sessions_of_user(id); }
      void insert_account(const aa::account& a) { tx_->insert_account(a); }
      std::size_t erase_accounts_of_user(std::string_view id)
        requires Complete
      {
        return tx_->erase_accounts_of_user(id);
      }
      template <class Row>
      void insert(const Row& row) {
        tx_->template insert<Row>(row);
      }
      template <class Row>
      bool update(const Row& row) {
        return tx_->template update<Row>(row);
      }
      template <class Row>
      bool erase(std::string_view id) {
        return tx_->template erase<Row>(id);
      }
      template <auto Member>
      std::size_t reassign(std::string_view from, std::string_view to) {
        return tx_->template reassign<Member>(from, to);
      }
      template <auto Member, class Value>
      std::size_t erase_where(const Value& value) {
        return tx_->template erase_where<Member>(value);
      }

     private:
      typename inner_type::writer* tx_;
    };

    explicit backend(const config&) {}
    backend(const backend&) = delete;
    backend& operator=(const backend&) = delete;

    template <class Fn>
    decltype(auto) read(Fn&& fn) const {
      return inner_.read([&](const auto& tx) {
        const reader r(tx);
        return fn(r);
      });
    }
    template <class Fn>
    decltype(auto) write(Fn&& fn) {
      return inner_.write([&](auto& tx) {
        writer w(tx);
        return fn(w);
      });
    }

   private:
    inner_type inner_;
  };
};

using storage_archetype = basic_storage_archetype<true>;
using storage_missing_a_function = basic_storage_archetype<false>;

// --- the auth made of archetypes ----------------------------------------------------------------

/// A custom migrator on the archetype storage's writer: reads a table, edits the user.
struct counting_migrator {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    const auto mine = ctx.template table<cart_item>().template find_by<&cart_item::user_id>(ctx.new_user().id);
    ctx.update_user([n = mine.size()](auto& u) { u.location = "items:" + std::to_string(n); });
  }
};

using archetype_link = aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&draft::author_id>,
                                           aa::copy_if_empty<&user::bio>, aa::on_link<counting_migrator>>;

using archetype_auth =
    aa::anonymous_auth<app_schema, aa::random<random_archetype>, aa::clock<clock_archetype>,
                       aa::password_hasher<hasher_archetype>, aa::naming<naming_archetype>,
                       aa::email<email_archetype>, aa::storage<storage_archetype>, aa::link<archetype_link>>;

struct run {
  std::string guest_id, guest_token, guest_email, guest_name, user_id, user_token;
};

/// The same story on any archetype auth: a guest fills a cart and signs up.
run story(archetype_auth& auth) {
  auto g = auth.sign_in_anonymous(no_session());
  REQUIRE(g);
  fill_cart(auth, g->user.id, 3, "arch");
  set_profile(auth, g->token, "  archetypal  ", std::nullopt);
  auto up = auth.sign_up_email(sign_up_body("arch@example.com"), with_token(g->token));
  REQUIRE(up);
  return run{g->user.id, g->token, g->user.email, g->user.name, up->user.id, up->token};
}

// --- types that miss a requirement --------------------------------------------------------------

struct no_generate {
  std::string make(aa::generation_context&);
};
struct generate_wrong_parameter {
  std::string generate(int);
};
struct generate_returns_void {
  void generate(aa::generation_context&);
};

struct clock_wrong_return {
  std::chrono::system_clock::time_point now() const;  // not milliseconds
};
struct clock_seconds {
  std::chrono::sys_seconds now() const;
};
struct clock_not_const {
  aa::timestamp now();
};

struct random_without_fill {
  void generate(std::span<std::uint8_t>);
};
struct random_wrong_span {
  void fill(std::span<char>);
};

struct hasher_without_verify {
  std::string hash(std::string_view) const;
};
struct hasher_hash_returns_void {
  void hash(std::string_view) const;
  bool verify(std::string_view, std::string_view) const;
};
struct hasher_not_const {
  std::string hash(std::string_view);
  bool verify(std::string_view, std::string_view);
};

struct storage_without_config {
  template <class Schema>
  using backend = aa::memory_storage::backend<Schema>;
};

/// A row of no table of app_schema.
struct stranger {
  BOOST_HANA_DEFINE_STRUCT(stranger, (std::string, id), (std::string, owner));
};

}  // namespace

TEST_CASE("archetypes.model_their_concepts", "[archetypes]") {
  STATIC_REQUIRE(aa::email_policy<email_archetype>);
  STATIC_REQUIRE(aa::naming_policy<naming_archetype>);
  STATIC_REQUIRE(aa::email_policy<naming_archetype>);  // the same shape serves both
  STATIC_REQUIRE(aa::clock_policy<clock_archetype>);
  STATIC_REQUIRE(aa::random_policy<random_archetype>);
  STATIC_REQUIRE(aa::password_hasher_policy<hasher_archetype>);
  STATIC_REQUIRE(aa::storage_policy<storage_archetype>);
  STATIC_REQUIRE(aa::storage_backend<storage_archetype::backend<app_schema>, app_schema>);
  STATIC_REQUIRE_FALSE(std::is_copy_constructible_v<random_archetype>);
  STATIC_REQUIRE(std::is_same_v<archetype_auth::random_type, random_archetype>);
  STATIC_REQUIRE(std::is_same_v<archetype_auth::storage_type, storage_archetype>);
  STATIC_REQUIRE(std::is_same_v<archetype_auth::hasher_type, hasher_archetype>);
}

TEST_CASE("archetypes.types_missing_a_requirement_do_not_model_the_concept", "[archetypes]") {
  STATIC_REQUIRE_FALSE(aa::email_policy<no_generate>);
  STATIC_REQUIRE_FALSE(aa::email_policy<generate_wrong_parameter>);
  STATIC_REQUIRE_FALSE(aa::email_policy<generate_returns_void>);
  STATIC_REQUIRE_FALSE(aa::naming_policy<no_generate>);
  STATIC_REQUIRE_FALSE(aa::naming_policy<generate_returns_void>);
  STATIC_REQUIRE_FALSE(aa::email_policy<int>);

  STATIC_REQUIRE_FALSE(aa::clock_policy<clock_wrong_return>);
  STATIC_REQUIRE_FALSE(aa::clock_policy<clock_seconds>);
  STATIC_REQUIRE_FALSE(aa::clock_policy<clock_not_const>);

  STATIC_REQUIRE_FALSE(aa::random_policy<random_without_fill>);
  STATIC_REQUIRE_FALSE(aa::random_policy<random_wrong_span>);

  STATIC_REQUIRE_FALSE(aa::password_hasher_policy<hasher_without_verify>);
  STATIC_REQUIRE_FALSE(aa::password_hasher_policy<hasher_hash_returns_void>);
  STATIC_REQUIRE_FALSE(aa::password_hasher_policy<hasher_not_const>);

  STATIC_REQUIRE_FALSE(aa::storage_policy<int>);
  STATIC_REQUIRE_FALSE(aa::storage_policy<storage_without_config>);
  STATIC_REQUIRE_FALSE(aa::storage_policy<storage_missing_a_function>);
  STATIC_REQUIRE_FALSE(aa::storage_backend<storage_missing_a_function::backend<app_schema>, app_schema>);
}

TEST_CASE("archetypes.migration_checks_name_the_expected_diagnostic", "[archetypes]") {
  STATIC_REQUIRE(std::is_same_v<aa::migration_check_t<app_schema, seed_link>, aa::diag::ok>);
  STATIC_REQUIRE(std::is_same_v<aa::migration_check_t<app_schema, archetype_link>, aa::diag::ok>);

  // E003: the first user reference nobody handles.
  STATIC_REQUIRE(std::is_same_v<aa::migration_check_t<app_schema, aa::link_migrations<>>,
                                aa::diag::unhandled_user_reference<&cart_item::user_id>>);
  STATIC_REQUIRE(std::is_same_v<aa::migration_check_t<app_schema, aa::link_migrations<aa::drop<&cart_item::user_id>>>,
                                aa::diag::unhandled_user_reference<&draft::author_id>>);
  // E001: a member of no table of the schema.
  STATIC_REQUIRE(std::is_same_v<aa::migration_check_t<app_schema, aa::link_migrations<aa::reassign<&stranger::owner>>>,
                                aa::diag::column_not_in_schema<&stranger::owner>>);
  // E002: not a declared user reference; not of the user id type.
  STATIC_REQUIRE(std::is_same_v<aa::migration_check_t<app_schema, aa::link_migrations<aa::reassign<&cart_item::sku>>>,
                                aa::diag::not_a_user_reference<&cart_item::sku>>);
  STATIC_REQUIRE(
      std::is_same_v<aa::migration_check_t<app_schema, aa::link_migrations<aa::leave<&cart_item::quantity>>>,
                     aa::diag::user_reference_type_mismatch<&cart_item::quantity, std::string, int>>);
  // E004: a core field, or a member of another table.
  STATIC_REQUIRE(std::is_same_v<aa::migration_check_t<app_schema, aa::link_migrations<aa::copy_if_empty<&user::email>>>,
                                aa::diag::not_a_user_app_field<&user::email>>);
  STATIC_REQUIRE(
      std::is_same_v<aa::migration_check_t<app_schema, aa::link_migrations<aa::copy_fields<&user::bio, &cart_item::sku>>>,
                     aa::diag::not_a_user_app_field<&cart_item::sku>>);
  // E005: the same column twice.
  STATIC_REQUIRE(std::is_same_v<aa::migration_check_t<app_schema, aa::link_migrations<aa::reassign<&cart_item::user_id>,
                                                                                      aa::drop<&cart_item::user_id>,
                                                                                      aa::reassign<&draft::author_id>>>,
                                aa::diag::duplicate_migrator<&cart_item::user_id>>);
  // E113: not a link_migrations at all.
  STATIC_REQUIRE(std::is_same_v<aa::migration_check_t<app_schema, int>, aa::diag::not_link_migrations<int>>);
}

TEST_CASE("archetypes.anonymous_auth_runs_on_archetypes_alone", "[archetypes]") {
  archetype_auth auth;
  const run r = story(auth);

  // Email and name come from the archetypes (the email lower-cased, as always).
  CHECK(r.guest_email.rfind("guest-", 0) == 0);
  CHECK(r.guest_email.size() == std::string("guest-@archetype.test").size() + 16);
  CHECK(r.guest_email.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string::npos);
  CHECK(r.guest_name.rfind("Archetype-", 0) == 0);
  CHECK(r.guest_name.size() == 16);
  CHECK(r.guest_name.find_first_not_of("xyz", 10) == std::string::npos);

  // Times come from the clock archetype.
  const auto view = auth.get_session(r.user_token);
  REQUIRE(view);
  CHECK(view->user.id == r.user_id);
  CHECK(view->user.created_at == fixed_now);
  CHECK(view->session.created_at == fixed_now);
  CHECK(view->session.expires_at == fixed_now + std::chrono::days(7));

  // The link ran on the storage archetype: rows moved, bio copied, custom migrator's edit kept.
  CHECK(carts_of(auth, r.user_id) == 3);
  CHECK(carts_of(auth, r.guest_id) == 0);
  CHECK(view->user.bio == std::optional<std::string>("archetypal"));
  CHECK(view->user.location == std::optional<std::string>("items:3"));
  CHECK_FALSE(auth.find_user(r.guest_id).has_value());
  CHECK_FALSE(auth.get_session(r.guest_token).has_value());

  // The hasher archetype's hash is what is stored, and what sign-in checks.
  const auto accounts = auth.storage().read([&](const auto& tx) { return tx.accounts_of_user(r.user_id); });
  REQUIRE(accounts.size() == 1);
  CHECK(accounts.front().provider_id == "credential");
  CHECK(accounts.front().password_hash == std::optional<std::string>("h:" + std::string(test_password)));
  auto in = auth.sign_in_email(sign_in_body("arch@example.com"), no_session());
  REQUIRE(in);
  CHECK(in->user.id == r.user_id);
  auto wrong = auth.sign_in_email(aa::email_sign_in{"arch@example.com", "not the password"}, no_session());
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code() == "INVALID_EMAIL_OR_PASSWORD");

  // Deleting a guest (cascade through erase_where) and social sign-in work too.
  auto g = auth.sign_in_anonymous(no_session());
  REQUIRE(g);
  fill_cart(auth, g->user.id, 2, "doomed");
  REQUIRE(auth.delete_anonymous_user(with_token(g->token)));
  CHECK(carts_of(auth, g->user.id) == 0);
  CHECK_FALSE(auth.find_user(g->user.id).has_value());
  auto social = auth.sign_in_social(profile("github", "gh-arch", "social@example.com"), no_session());
  REQUIRE(social);
  CHECK(auth.storage().read([&](const auto& tx) { return tx.find_account("github", "gh-arch").has_value(); }));
}

TEST_CASE("archetypes.deterministic_random_gives_reproducible_ids_and_tokens", "[archetypes]") {
  archetype_auth first;
  archetype_auth second;
  const run a = story(first);
  const run b = story(second);
  CHECK(a.guest_id == b.guest_id);
  CHECK(a.guest_token == b.guest_token);
  CHECK(a.guest_email == b.guest_email);
  CHECK(a.guest_name == b.guest_name);
  CHECK(a.user_id == b.user_id);
  CHECK(a.user_token == b.user_token);
  // Within one auth, of course, every id and token differs.
  CHECK(a.guest_id != a.user_id);
  CHECK(a.guest_token != a.user_token);
  CHECK(a.guest_id.size() == 32);
  // The reproducible token really opens a session in each auth.
  CHECK(first.get_session(a.user_token)->user.id == a.user_id);
  CHECK(second.get_session(b.user_token)->user.id == b.user_id);
}
