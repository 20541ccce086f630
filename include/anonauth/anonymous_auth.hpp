// anonauth/anonymous_auth.hpp: the composed host, `aa::anonymous_auth<Schema, Options...>`.
//
// One object serves every request thread: operations may be called concurrently. Writes run in
// storage transactions; password hashing runs outside them, so a slow hash never holds a lock.
#pragma once

#include <anonauth/audit/describe.hpp>
#include <anonauth/audit/events.hpp>
#include <anonauth/core/error.hpp>
#include <anonauth/core/result.hpp>
#include <anonauth/core/time.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/core/validate.hpp>
#include <anonauth/crypto/sodium.hpp>
#include <anonauth/diag/errors.hpp>
#include <anonauth/migrate/check.hpp>
#include <anonauth/migrate/context.hpp>
#include <anonauth/migrate/migrators.hpp>
#include <anonauth/options.hpp>
#include <anonauth/policy/crypto.hpp>
#include <anonauth/policy/generation.hpp>
#include <anonauth/policy/hashing.hpp>
#include <anonauth/policy/rate_limit.hpp>
#include <anonauth/policy/storage.hpp>
#include <anonauth/schema/core_fields.hpp>
#include <anonauth/schema/schema.hpp>
#include <anonauth/storage/memory.hpp>
#include <anonauth/table_handle.hpp>

#include <boost/hana/equal.hpp>

#include <array>
#include <chrono>
#include <concepts>
#include <mutex>
#include <optional>
#include <string>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace anonauth {

namespace detail {

/// The policy each option defaults to.
namespace defaults {
using storage = memory_storage;
using email = better_auth_email;
using naming = fixed_name<>;
using link = link_migrations<>;
using password_hasher = argon2id<>;
using clock = system_clock;
using random = sodium_random;
using sessions = better_auth_sessions;
using rate_limit = no_rate_limit;
using audit = no_audit;
using on_sign_up = create_and_migrate;
}  // namespace defaults

namespace fallback {
// What an invalid anonymous_auth is built from, so the one tagged error is the only error.
using schema = anonauth::schema<user_table<probe::user>>;
}  // namespace fallback

template <class Storage, class Schema>
struct writer_of {
  using type = typename Storage::template backend<Schema>::writer;
};

// argon2id's own static_assert guards direct use; inside anonymous_auth, E120 is checked first so
// that it is the only error.
template <class H>
inline constexpr bool argon2id_cost_too_low_v = false;
template <unsigned long long Ops, std::size_t Mem, class Floor>
inline constexpr bool argon2id_cost_too_low_v<argon2id<Ops, Mem, Floor>> =
    Ops < Floor::ops || Mem < Floor::mem || Ops < crypto_pwhash_OPSLIMIT_MIN || Mem < crypto_pwhash_MEMLIMIT_MIN;
template <class H>
struct argon2id_cost_diag {
  using type = diag::ok;
};
template <unsigned long long Ops, std::size_t Mem, class Floor>
struct argon2id_cost_diag<argon2id<Ops, Mem, Floor>> {
  using type = diag::argon2id_cost_too_low<Ops, Mem>;
};
template <class H>
using argon2id_cost_diag_t = typename argon2id_cost_diag<H>::type;

template <class Mig, class User, class Writer>
consteval auto check_custom_migrator() {
  if constexpr (Mig::kind != migrator_kind::custom) return diag::ok{};
  else {
    using f = typename Mig::function_type;
    if constexpr (std::default_initializable<f> && std::invocable<f&, link_context<User, Writer>&>) return diag::ok{};
    else return diag::not_a_custom_migrator<f>{};
  }
}

template <class User, class Writer, class... Migs>
consteval auto check_custom_migrators(link_migrations<Migs...>) {
  return first_failure_t<decltype(check_custom_migrator<Migs, User, Writer>())...>{};
}

/// Every compile-time check of an anonymous_auth, first failure wins: schema (E010-E016), options
/// (E100-E102), policies (E110-E122), link migrations (E001-E007, E113), custom migrators (E117).
template <class Schema, class... Options>
consteval auto check_auth() {
  using schema_result = schema_check_t<Schema>;
  if constexpr (!schema_result::is_ok) {
    return schema_result{};
  } else {
    using options_result = decltype(check_options<Options...>());
    using S = option_t<option_kind::storage, defaults::storage, Options...>;
    using E = option_t<option_kind::email, defaults::email, Options...>;
    using N = option_t<option_kind::naming, defaults::naming, Options...>;
    using L = option_t<option_kind::link, defaults::link, Options...>;
    using H = option_t<option_kind::password_hasher, defaults::password_hasher, Options...>;
    using C = option_t<option_kind::clock, defaults::clock, Options...>;
    using R = option_t<option_kind::random, defaults::random, Options...>;
    using P = option_t<option_kind::sessions, defaults::sessions, Options...>;
    using RL = option_t<option_kind::rate_limit, defaults::rate_limit, Options...>;
    using A = option_t<option_kind::audit, defaults::audit, Options...>;
    using U = option_t<option_kind::on_sign_up, defaults::on_sign_up, Options...>;
    if constexpr (!options_result::is_ok) return options_result{};
    else if constexpr (!storage_policy<S>) return diag::not_a_storage_policy<S>{};
    else if constexpr (!email_policy<E> || !std::default_initializable<E>) return diag::not_an_email_policy<E>{};
    else if constexpr (!naming_policy<N> || !std::default_initializable<N>) return diag::not_a_naming_policy<N>{};
    else if constexpr (!is_specialization_v<L, link_migrations>) return diag::not_link_migrations<L>{};
    else if constexpr (argon2id_cost_too_low_v<H>) return argon2id_cost_diag_t<H>{};
    else if constexpr (!password_hasher_policy<H> || !std::default_initializable<H>) return diag::not_a_password_hasher<H>{};
    else if constexpr (!clock_policy<C> || !std::default_initializable<C>) return diag::not_a_clock<C>{};
    else if constexpr (!random_policy<R> || !std::default_initializable<R>) return diag::not_a_random_source<R>{};
    else if constexpr (!session_policy<P>) return diag::not_a_session_policy<P>{};
    else if constexpr (!rate_limit_policy<RL> || !std::default_initializable<RL>) return diag::not_a_rate_limit_policy<RL>{};
    else if constexpr (!audit_sink<A> || !std::move_constructible<A>) return diag::not_an_audit_sink<A>{};
    else if constexpr (!std::is_same_v<U, create_and_migrate> && !std::is_same_v<U, promote_in_place>)
      return diag::not_a_sign_up_mode<U>{};
    else {
      using link_result = migration_check_t<Schema, L>;
      if constexpr (!link_result::is_ok) return link_result{};
      else return decltype(check_custom_migrators<user_row_t<Schema>, typename writer_of<S, Schema>::type>(L{})){};
    }
  }
}

/// The constructor argument of type T (moved from if it is an rvalue), or a default T.
template <class T>
T take_or_default() {
  if constexpr (std::default_initializable<T>) {
    return T{};
  } else {
    static_assert(dependent_false_t<T>,
                  "[anonauth.E121] this audit sink has no default constructor: pass one to the constructor, "
                  "e.g. auth_type auth{config, aa::json_lines_file{\"audit.jsonl\"}}");
    throw std::logic_error("unreachable");  // the one error above is all the compiler says
  }
}
template <class T, class First, class... Rest>
T take_or_default(First&& first, Rest&&... rest) {
  if constexpr (std::is_same_v<std::remove_cvref_t<First>, T>) return T(std::forward<First>(first));
  else return take_or_default<T>(std::forward<Rest>(rest)...);
}

/// What a sign-in did to the guest on its request, for the audit events. Empty without a sink.
template <bool Audited, std::size_t Migrators>
struct link_note {
  void attempt(const std::string&, const std::string&, bool) noexcept {}
};
template <std::size_t Migrators>
struct link_note<true, Migrators> {
  bool attempted = false;
  bool promoted = false;
  bool guest_deleted = false;
  std::string guest_id;
  std::string user_id;
  std::array<events::migrator_rows, Migrators> rows{};
  void attempt(const std::string& guest, const std::string& user, bool promote) {
    attempted = true;
    promoted = promote;
    guest_id = guest;
    user_id = user;
  }
};

template <class List>
struct list_size;
template <class... Ts>
struct list_size<type_list<Ts...>> : std::integral_constant<std::size_t, sizeof...(Ts)> {};

}  // namespace detail

/// Guest accounts that upgrade to real accounts, over a static schema. See docs/getting-started.md.
///
/// Operations that return aa::result answer a storage failure with their error code and leave
/// storage unchanged; get_session, sign_out, find_user and table handles throw aa::storage_error.
/// The password hasher may throw (Argon2id out of memory), and so may an audit sink: it is called
/// once the change has committed, so its exception reaches the caller with the change kept.
/// Policies, migrators and update_user's edit run on request threads, some under the storage's
/// write lock: they must not call back into the same auth (the memory storage refuses it with
/// std::logic_error rather than deadlocking).
template <class Schema, class... Options>
class anonymous_auth {
  static constexpr bool valid = diag::report<decltype(detail::check_auth<Schema, Options...>())>();

  template <detail::option_kind Kind, class Default>
  using policy_t = std::conditional_t<valid, detail::option_t<Kind, Default, Options...>, Default>;

 public:
  using schema_type = std::conditional_t<valid, Schema, detail::fallback::schema>;
  using user_type = user_row_t<schema_type>;
  using storage_type = policy_t<detail::option_kind::storage, detail::defaults::storage>;
  using backend_type = typename storage_type::template backend<schema_type>;
  using storage_config = typename storage_type::config;
  using email_type = policy_t<detail::option_kind::email, detail::defaults::email>;
  using naming_type = policy_t<detail::option_kind::naming, detail::defaults::naming>;
  using link_type = policy_t<detail::option_kind::link, detail::defaults::link>;
  using hasher_type = policy_t<detail::option_kind::password_hasher, detail::defaults::password_hasher>;
  using clock_type = policy_t<detail::option_kind::clock, detail::defaults::clock>;
  using random_type = policy_t<detail::option_kind::random, detail::defaults::random>;
  using sessions_type = policy_t<detail::option_kind::sessions, detail::defaults::sessions>;
  using rate_limit_type = policy_t<detail::option_kind::rate_limit, detail::defaults::rate_limit>;
  using audit_type = policy_t<detail::option_kind::audit, detail::defaults::audit>;
  using sign_up_type = policy_t<detail::option_kind::on_sign_up, detail::defaults::on_sign_up>;

  /// aa::on_sign_up<aa::promote_in_place>: sign-up turns the guest's row into the user.
  static constexpr bool promotes_in_place = std::is_same_v<sign_up_type, promote_in_place>;
  /// Whether an aa::audit<Sink> is set: without one, no event is built.
  static constexpr bool audited = !std::is_same_v<audit_type, no_audit>;
  static constexpr bool rate_limited = !std::is_same_v<rate_limit_type, no_rate_limit>;
  /// aa::strict_linking: a sign-in links its guest only when request_context::link_guest is set.
  static constexpr bool links_only_when_asked = detail::has_option_v<detail::option_kind::strict_linking, Options...>;
  /// Whether a sign-in that verified a hash made at a lower cost stores a fresh one: the hasher
  /// has needs_rehash(hash) and the storage update_password_hash.
  static constexpr bool can_rehash =
      requires(const hasher_type& h, std::string_view s) {
        { h.needs_rehash(s) } -> std::convertible_to<bool>;
      } && requires(typename detail::writer_of<storage_type, schema_type>::type& w, const std::string& s, timestamp t) {
        { w.update_password_hash(s, s, t) } -> std::convertible_to<bool>;
      };

  /// Better Auth's disableDeleteAnonymousUser.
  static constexpr bool keeps_anonymous_user =
      detail::has_option_v<detail::option_kind::keep_anonymous_user, Options...>;
  /// How long a session lives (Better Auth's expiresIn), and after how long a use extends it
  /// (updateAge): aa::sessions<P>, by default 7 days and 1 day.
  static constexpr std::chrono::seconds session_lifetime{sessions_type::lifetime};
  static constexpr std::chrono::seconds session_update_age{sessions_type::update_age};
  /// How long a session opened with remember_me = false lives (Better Auth: one day).
  static constexpr std::chrono::seconds session_short_lifetime = detail::short_lifetime_of<sessions_type>();
  /// How recent a session must be for list_sessions (Better Auth's freshAge); 0: no limit.
  static constexpr std::chrono::seconds session_fresh_age = detail::fresh_age_of<sessions_type>();
  /// How long after it began a session ends however it is used; 0: never (Better Auth's rule).
  static constexpr std::chrono::seconds session_absolute_lifetime = detail::absolute_lifetime_of<sessions_type>();

  anonymous_auth() : anonymous_auth(storage_config{}) {}

  /// Builds the storage from its config; stateful policies may follow in any order, each
  /// replacing its default-constructed instance (e.g. aa::runtime_domain_email{"guest.app.com"},
  /// the audit sink aa::json_lines_file{"audit.jsonl"}, a configured aa::credential_limits, or
  /// aa::hashing_limits). Computes one hash (what unknown emails are checked against).
  template <class... Policies>
  explicit anonymous_auth(const storage_config& config, Policies&&... policies)
      // The sink is taken first, so it need not be default-constructible; assign_policy skips it.
      : backend_(config),
        audit_(detail::take_or_default<audit_type>(std::forward<Policies>(policies)...)),
        limiter_(detail::take_or_default<rate_limit_type>(std::forward<Policies>(policies)...)),
        gate_(detail::take_or_default<hashing_limits>(std::forward<Policies>(policies)...)) {
    (assign_policy(std::forward<Policies>(policies)), ...);
    // Made now, so that no sign-in pays for two hashes, and at the hasher's current cost.
    dummy_hash_ = hasher_.hash(crypto::random_string(random_, 32));
  }

  anonymous_auth(const anonymous_auth&) = delete;
  anonymous_auth& operator=(const anonymous_auth&) = delete;

  // --- operations ------------------------------------------------------------------------------

  /// POST /sign-in/anonymous: a new guest with a session. With aa::rate_limit, a request over
  /// its budget is TOO_MANY_REQUESTS (429) with error::retry_after(), as for every credential
  /// operation: the limit is taken first, so a refusal costs no hash and no write.
  result<signed_in<user_type>> sign_in_anonymous(const request_context& request) {
    if (auto refusal = rate_refusal(credential_operation::anonymous_sign_in, request)) return std::move(*refusal);
    if (auto refusal = request_refusal(request)) return std::move(*refusal);
    try {
      if (auto current = find_valid_session(request); current && current->second.is_anonymous)
        return errors::anonymous_users_cannot_sign_in_again_anonymously;
    } catch (...) {
      if (!detail::is_storage_failure()) throw;
      return errors::failed_to_create_user;
    }
    auto email = generate_email(request);
    if (!email) return email.error();
    auto name = generate_name(request);
    if (!name) return name.error();

    const timestamp now = clock_.now();
    user_type guest{};
    guest.id = new_id();
    guest.name = std::move(*name);
    guest.email = std::move(*email);
    guest.email_verified = false;
    guest.is_anonymous = true;
    guest.created_at = now;
    guest.updated_at = now;
    // Unlike Better Auth, a guest whose session cannot be created is not left behind.
    auto created = run_write<signed_in<user_type>>(errors::failed_to_create_user, [&](auto& tx) -> result<signed_in<user_type>> {
      tx.insert_user(guest);
      try {
        auto [token, record] = open_session(tx, guest.id, request, now);
        return signed_in<user_type>{std::move(token), std::move(record.session), guest};
      } catch (...) {
        if (!detail::is_storage_failure()) throw;
        return errors::could_not_create_session;
      }
    });
    if constexpr (audited) {
      if (created) audit_(events::guest_created{now, guest.id, request.ip_address});
    }
    return created;
  }

  /// GET /get-session: the session and user a token belongs to, if it is valid and unexpired.
  /// An expired session is deleted; one last extended `session_update_age` ago or more is
  /// extended to `session_lifetime` from now (Better Auth's refresh), unless it was opened with
  /// remember_me = false: such a session ends `session_short_lifetime` after it began.
  std::optional<session_view<user_type>> get_session(std::string_view token) {
    auto found = lookup_session(token);
    if (!found) return std::nullopt;
    return std::move(found->view);
  }

  /// get_session, told whether it may extend the session (`session_refresh::never` is Better
  /// Auth's disableRefresh and its rule for a remember_me = false session), and telling whether
  /// it did.
  std::optional<session_lookup<user_type>> lookup_session(std::string_view token,
                                                          session_refresh refresh = session_refresh::on_use) {
    if (!plausible_token(token)) return std::nullopt;
    const token_hash hash = crypto::hash_token(token);
    const timestamp now = clock_.now();
    enum class state { missing, expired, valid };
    state found = state::missing;
    std::optional<session_view<user_type>> view = backend_.read([&](const auto& tx) -> std::optional<session_view<user_type>> {
      auto record = tx.find_session(hash);
      if (!record || !crypto::equal_digests(record->hash, hash)) return std::nullopt;
      if (record->session.expires_at < now) {  // Better Auth: expired once expiresAt < now
        found = state::expired;
        return std::nullopt;
      }
      auto user = tx.find_user(record->session.user_id);
      if (!user) return std::nullopt;
      found = state::valid;
      return session_view<user_type>{std::move(record->session), std::move(*user)};
    });
    if (found == state::expired) backend_.write([&](auto& tx) { tx.erase_session(hash); });
    if (!view) return std::nullopt;
    const bool due = view->session.expires_at - session_lifetime + session_update_age <= now;
    // A session opened with remember_me = false spans less than a lifetime, and is never
    // extended: Better Auth's rule, kept here rather than by a cookie so a bearer client gets it.
    // (A session at its absolute end spans less too: there is nothing to extend.)
    const bool remembered = view->session.expires_at - view->session.updated_at >= session_lifetime;
    const timestamp extended_to = capped_expiry(view->session.created_at, now + session_lifetime);
    if (!due || !remembered || refresh == session_refresh::never || extended_to <= view->session.expires_at)
      return session_lookup<user_type>{std::move(*view), false};
    // Extended only if it is still there: a concurrent sign-out wins.
    const bool extended = backend_.write([&](auto& tx) {
      auto record = tx.find_session(hash);
      if (!record) return false;
      record->session.expires_at = extended_to;
      record->session.updated_at = now;
      return tx.update_session(*record);
    });
    if (!extended) return std::nullopt;
    view->session.expires_at = extended_to;
    view->session.updated_at = now;
    return session_lookup<user_type>{std::move(*view), true};
  }

  /// GET /list-sessions: the unexpired sessions of the request's user, oldest first, the
  /// request's own marked. UNAUTHORIZED without a valid session; SESSION_NOT_FRESH (403) when
  /// the request's session is `session_fresh_age` old or older (Better Auth's freshAge).
  result<std::vector<listed_session>> list_sessions(const request_context& request) {
    const auto hash = request_hash(request);
    if (!hash) return errors::unauthorized;
    const timestamp now = clock_.now();
    try {
      return backend_.read([&](const auto& tx) -> result<std::vector<listed_session>> {
        auto current = valid_session_in(tx, *hash, now);
        if (!current) return errors::unauthorized;
        if (session_fresh_age.count() > 0 && now - current->first.created_at >= session_fresh_age)
          return errors::session_not_fresh;
        std::vector<listed_session> out;
        for (auto& record : tx.sessions_of_user(current->second.id)) {
          if (record.session.expires_at <= now) continue;  // Better Auth lists expiresAt > now
          const bool mine = crypto::equal_digests(record.hash, *hash);
          out.push_back(listed_session{std::move(record.session), mine});
        }
        return out;
      });
    } catch (...) {
      if (!detail::is_storage_failure()) throw;
      return errors::failed_to_get_session;
    }
  }

  /// POST /revoke-session: ends one session of the request's user, named by its token or its
  /// id (list_sessions gives ids, never the tokens of other sessions: only their hashes are
  /// stored). A session of another user, or none, is left alone and the answer is the same.
  /// The value tells whether the session ended was the request's own.
  result<bool> revoke_session(const request_context& request, std::string_view token_or_id) {
    const auto hash = request_hash(request);
    if (!hash) return errors::unauthorized;
    const timestamp now = clock_.now();
    const std::optional<token_hash> named =
        plausible_token(token_or_id) ? std::optional<token_hash>(crypto::hash_token(token_or_id)) : std::nullopt;
    std::string user_id;
    bool ended = false;
    auto done = run_write<bool>(errors::failed_to_get_session, [&](auto& tx) -> result<bool> {
      auto current = valid_session_in(tx, *hash, now);
      if (!current) return errors::unauthorized;
      user_id = current->second.id;
      for (const auto& record : tx.sessions_of_user(current->second.id)) {
        if ((named && crypto::equal_digests(record.hash, *named)) || record.session.id == token_or_id) {
          ended = tx.erase_session(record.hash);
          return crypto::equal_digests(record.hash, *hash);
        }
      }
      return false;
    });
    if (done && ended) report(events::sessions_revoked{now, std::move(user_id), 1});
    return done;
  }

  /// POST /revoke-other-sessions: ends every session of the request's user but the request's
  /// own; how many there were.
  result<std::size_t> revoke_other_sessions(const request_context& request) {
    return revoke_sessions_of_request(request, false);
  }

  /// POST /revoke-sessions: ends every session of the request's user, its own included.
  result<std::size_t> revoke_sessions(const request_context& request) {
    return revoke_sessions_of_request(request, true);
  }

  /// Deletes the guests created before `cutoff` (with purge_by::last_seen, only those not seen
  /// since), with their sessions, accounts and, by the schema's on_delete rules, their rows: a
  /// one-call job for a cron or a thread. Works in transactions of at most `batch_size` guests,
  /// so it never holds the storage long; a guest linked or seen meanwhile is left alone. Returns
  /// how many guests it deleted.
  std::size_t purge_anonymous_users(timestamp cutoff, purge_by by = purge_by::created, std::size_t batch_size = 256) {
    if (batch_size == 0) throw std::invalid_argument("anonauth: purge_anonymous_users needs a batch size above 0");
    std::size_t purged = 0;
    std::string after;  // the walk goes by id, so guests kept by last_seen are not met again
    for (;;) {
      auto [examined, deleted, last_id] = backend_.write([&](auto& tx) {
        auto guests = tx.anonymous_users_created_before(cutoff, after, batch_size);
        std::size_t gone = 0;
        for (const auto& guest : guests) {
          if (by == purge_by::last_seen && seen_since(tx, guest.id, cutoff)) continue;
          delete_user_in(tx, guest.id);
          ++gone;
        }
        return std::tuple<std::size_t, std::size_t, std::string>{guests.size(), gone,
                                                                 guests.empty() ? std::string() : guests.back().id};
      });
      purged += deleted;
      if (examined < batch_size) break;
      after = std::move(last_id);
    }
    if constexpr (audited) {
      if (purged > 0) audit_(events::guests_purged{clock_.now(), cutoff, by, purged});
    }
    return purged;
  }

  /// Ends every session of a user (all devices): how many there were.
  std::size_t revoke_sessions(std::string_view user_id) {
    const std::size_t ended = backend_.write([&](auto& tx) { return tx.erase_sessions_of_user(user_id); });
    if (ended > 0) report(events::sessions_revoked{clock_.now(), std::string(user_id), ended});
    return ended;
  }

  /// POST /sign-up/email. With a guest's session on the request, links the guest to the new
  /// account: account, migrations and the guest's deletion commit together or not at all. With
  /// aa::on_sign_up<aa::promote_in_place>, the guest's own row becomes the account instead.
  result<signed_in<user_type>> sign_up_email(const email_sign_up& body, const request_context& request) {
    return sign_up_email(body, request, [](user_type&) {});
  }

  /// sign_up_email, with `init(User&)` setting the new user's application fields (Better
  /// Auth's additional fields in the sign-up body) before anything is stored. `init` may not
  /// change a core field (std::invalid_argument); text it sets follows update_user's rules.
  template <class Init>
    requires std::invocable<Init&, user_type&>
  result<signed_in<user_type>> sign_up_email(const email_sign_up& body, const request_context& request, Init&& init) {
    constexpr auto op = credential_operation::email_sign_up;
    if (auto refusal = rate_refusal(op, request, body.email)) return std::move(*refusal);
    if (body.email.size() > limits::max_email || !is_valid_email(body.email)) return errors::invalid_email;
    if (auto refusal = detail::name_refusal(body.name)) return std::move(*refusal);
    if (auto refusal = detail::image_refusal(body.image)) return std::move(*refusal);
    if (auto refusal = password_refusal(body.password)) return std::move(*refusal);  // before its length means anything
    const std::size_t length = utf16_length(body.password);
    if (length < limits::min_password) return errors::password_too_short;
    if (length > limits::max_password) return errors::password_too_long;
    if (auto refusal = request_refusal(request)) return std::move(*refusal);
    const std::string email = to_lower_ascii(body.email);

    // Refuse a taken email before paying for the hash (Better Auth's order); checked again below.
    try {
      if (backend_.read([&](const auto& tx) { return tx.find_user_by_email(email).has_value(); }))
        return errors::user_already_exists_use_another_email;
    } catch (...) {
      if (!detail::is_storage_failure()) throw;
      return errors::failed_to_create_user;
    }
    std::string password_hash;
    {
      auto slot = hashing_slot(op, request);
      if (!slot) return slot.error();
      password_hash = hasher_.hash(body.password);  // outside any transaction
    }

    const timestamp now = clock_.now();
    user_type created{};
    created.id = new_id();
    created.name = body.name;
    created.email = email;
    created.email_verified = false;
    created.image = body.image;
    created.is_anonymous = false;
    created.created_at = now;
    created.updated_at = now;
    if (auto refusal = apply_app_fields(created, init)) return std::move(*refusal);
    note_type note;
    auto done = run_write<signed_in<user_type>>(errors::failed_to_create_user, [&](auto& tx) -> result<signed_in<user_type>> {
      if (tx.find_user_by_email(email)) return errors::user_already_exists_use_another_email;
      if constexpr (promotes_in_place) {
        if (auto guest = guest_of(tx, request, now)) {
          user_type promoted = std::move(guest->second);
          if (auto refusal = apply_app_fields(promoted, init)) return std::move(*refusal);
          promoted.name = body.name;
          promoted.email = email;
          promoted.email_verified = false;
          promoted.image = body.image;
          return promote(tx, promoted, account{new_id(), promoted.id, credential_provider, promoted.id, password_hash, now, now},
                         request, now, note, body.remember_me);
        }
      }
      tx.insert_user(created);
      tx.insert_account(account{new_id(), created.id, credential_provider, created.id, password_hash, now, now});
      return finish_sign_in(tx, created, request, now, note, body.remember_me);
    });
    report_link(note, events::link_via::sign_up_email, done, now);
    if (done) report(events::signed_up{now, done->user.id, op, request.ip_address});
    return done;
  }

  /// POST /sign-in/email. With a guest's session on the request, links the guest to the account.
  result<signed_in<user_type>> sign_in_email(const email_sign_in& body, const request_context& request) {
    constexpr auto op = credential_operation::email_sign_in;
    if (auto refusal = rate_refusal(op, request, body.email)) return std::move(*refusal);
    if (body.email.size() > limits::max_email || !is_valid_email(body.email)) return errors::invalid_email;
    // Better Auth's cap (assertPasswordNotTooLong): hashing megabytes of "password" is a denial
    // of service, and no stored password is longer.
    if (utf16_length(body.password) > limits::max_password) return errors::password_too_long;
    if (auto refusal = request_refusal(request)) return std::move(*refusal);
    const std::string email = to_lower_ascii(body.email);
    std::optional<std::pair<user_type, account>> found;
    try {
      found = backend_.read([&](const auto& tx) -> std::optional<std::pair<user_type, account>> {
        auto user = tx.find_user_by_email(email);
        if (!user) return std::nullopt;
        auto credential = credential_of(tx, user->id);
        if (!credential) return std::nullopt;
        return std::pair<user_type, account>{std::move(*user), std::move(*credential)};
      });
    } catch (...) {
      if (!detail::is_storage_failure()) throw;
      return errors::failed_to_create_session_on_sign_in;
    }
    const timestamp checked_at = clock_.now();
    auto failed = [&]() -> result<signed_in<user_type>> {
      report(events::sign_in_failed{checked_at, found ? std::optional<std::string>(found->first.id) : std::nullopt, op,
                                    request.ip_address, std::string(errors::invalid_email_or_password.code)});
      return errors::invalid_email_or_password;
    };
    // No stored password holds these, so the answer is the same as for a wrong password.
    if (password_refusal(body.password)) return failed();
    std::optional<std::string> rehashed;
    {
      auto slot = hashing_slot(op, request);
      if (!slot) return slot.error();
      // An unknown email costs one verification too, so timing does not tell which emails exist.
      const bool matches = hasher_.verify(found ? *found->second.password_hash : dummy_hash_, body.password);
      if (!found || !matches) return failed();
      if constexpr (can_rehash) {
        if (hasher_.needs_rehash(*found->second.password_hash)) rehashed = hasher_.hash(body.password);
      }
    }

    const timestamp now = clock_.now();
    note_type note;
    auto done = run_write<signed_in<user_type>>(errors::failed_to_create_session_on_sign_in,
                                                [&](auto& tx) -> result<signed_in<user_type>> {
      auto user = tx.find_user(found->first.id);
      // The user deleted, or the password changed, since it was checked.
      auto credential = user ? credential_of(tx, user->id) : std::nullopt;
      if (!credential || credential->password_hash != found->second.password_hash) return errors::invalid_email_or_password;
      if constexpr (can_rehash) {
        if (rehashed) tx.update_password_hash(credential->id, *rehashed, now);
      }
      return finish_sign_in(tx, *user, request, now, note, body.remember_me);
    });
    report_link(note, events::link_via::sign_in_email, done, now);
    if (done) report(events::signed_in{now, done->user.id, op, request.ip_address});
    return done;
  }

  /// A verified identity from an OAuth callback. Signs in the account that owns it, or the user
  /// with its email (only when both the provider and the user verified it), or creates a user.
  /// With a guest's session on the request, links the guest to that account; with
  /// aa::on_sign_up<aa::promote_in_place>, a first social sign-in promotes the guest instead.
  result<signed_in<user_type>> sign_in_social(const social_profile& profile, const request_context& request) {
    constexpr auto op = credential_operation::social_sign_in;
    if (auto refusal = rate_refusal(op, request)) return std::move(*refusal);
    if (profile.provider_id.empty() || profile.account_id.empty() || profile.provider_id == credential_provider)
      return errors::invalid_social_profile;
    if (auto refusal = detail::text_refusal(profile.provider_id, "provider_id", limits::max_identifier))
      return std::move(*refusal);
    if (auto refusal = detail::text_refusal(profile.account_id, "account_id", limits::max_identifier))
      return std::move(*refusal);
    if (profile.email.size() > limits::max_email || !is_valid_email(profile.email)) return errors::invalid_email;
    if (!profile.name.empty())
      if (auto refusal = detail::name_refusal(profile.name)) return std::move(*refusal);
    if (auto refusal = detail::image_refusal(profile.image)) return std::move(*refusal);
    if (auto refusal = request_refusal(request)) return std::move(*refusal);
    const std::string email = to_lower_ascii(profile.email);
    // Providers may omit the name (Apple after the first consent): use the email's local part.
    const std::string name = profile.name.empty() ? email.substr(0, email.find('@')) : profile.name;
    const timestamp now = clock_.now();
    note_type note;
    bool created_user = false;
    std::optional<std::string> refused_user;
    auto done = run_write<signed_in<user_type>>(errors::failed_to_create_user, [&](auto& tx) -> result<signed_in<user_type>> {
      if (auto linked = tx.find_account(profile.provider_id, profile.account_id)) {
        auto user = tx.find_user(linked->user_id);
        if (!user) return errors::failed_to_create_user;
        return finish_sign_in(tx, *user, request, now, note);
      }
      if (auto existing = tx.find_user_by_email(email)) {
        if (!profile.email_verified || !existing->email_verified || existing->is_anonymous) {
          refused_user = existing->id;
          return errors::account_not_linked;
        }
        tx.insert_account(account{new_id(), existing->id, profile.provider_id, profile.account_id, std::nullopt, now, now});
        return finish_sign_in(tx, *existing, request, now, note);
      }
      if constexpr (promotes_in_place) {
        if (auto guest = guest_of(tx, request, now)) {
          user_type promoted = std::move(guest->second);
          promoted.name = name;
          promoted.email = email;
          promoted.email_verified = profile.email_verified;
          promoted.image = profile.image;
          created_user = true;
          return promote(tx, promoted,
                         account{new_id(), promoted.id, profile.provider_id, profile.account_id, std::nullopt, now, now},
                         request, now, note);
        }
      }
      user_type created{};
      created.id = new_id();
      created.name = name;
      created.email = email;
      created.email_verified = profile.email_verified;
      created.image = profile.image;
      created.is_anonymous = false;
      created.created_at = now;
      created.updated_at = now;
      tx.insert_user(created);
      tx.insert_account(account{new_id(), created.id, profile.provider_id, profile.account_id, std::nullopt, now, now});
      created_user = true;
      return finish_sign_in(tx, created, request, now, note);
    });
    report_link(note, events::link_via::sign_in_social, done, now);
    if (done && created_user) report(events::signed_up{now, done->user.id, op, request.ip_address});
    else if (done) report(events::signed_in{now, done->user.id, op, request.ip_address});
    else if (done.error().is(errors::account_not_linked))
      report(events::sign_in_failed{now, refused_user, op, request.ip_address, std::string(done.error().code())});
    return done;
  }

  /// POST /update-user: `edit(User&)` may change name, image and app fields. Changing the email
  /// is EMAIL_CAN_NOT_BE_UPDATED, another core field FIELD_NOT_ALLOWED, nothing NO_FIELDS_TO_UPDATE.
  template <class Fn>
    requires std::invocable<Fn&, user_type&>
  result<user_type> update_user(const request_context& request, Fn&& edit) {
    const auto hash = request_hash(request);
    if (!hash) return errors::unauthorized;
    const timestamp now = clock_.now();
    return run_write<user_type>(errors::failed_to_update_user, [&](auto& tx) -> result<user_type> {
      auto current = valid_session_in(tx, *hash, now);
      if (!current) return errors::unauthorized;
      return edit_user_in(tx, current->second, edit, now, true);
    });
  }

  /// The server's own edit of a user, by id: what update_user does, without a request, and with
  /// the schema's aa::server_set fields (a role, a plan) writable. Core fields stay refused.
  /// USER_NOT_FOUND (404) for an unknown id.
  template <class Fn>
    requires std::invocable<Fn&, user_type&>
  result<user_type> update_user_by_id(std::string_view user_id, Fn&& edit) {
    const timestamp now = clock_.now();
    return run_write<user_type>(errors::failed_to_update_user, [&](auto& tx) -> result<user_type> {
      auto current = tx.find_user(user_id);
      if (!current) return errors::user_not_found;
      return edit_user_in(tx, *current, edit, now, false);
    });
  }

  /// POST /delete-anonymous-user, with Better Auth's checks in its order.
  result<void> delete_anonymous_user(const request_context& request) {
    const auto hash = request_hash(request);
    if (!hash) return errors::unauthorized;
    const timestamp now = clock_.now();
    auto done = run_write<std::string>(errors::failed_to_delete_anonymous_user, [&](auto& tx) -> result<std::string> {
      auto current = valid_session_in(tx, *hash, now);
      if (!current) return errors::unauthorized;
      if constexpr (keeps_anonymous_user) return errors::delete_anonymous_user_disabled;
      if (!current->second.is_anonymous) return errors::user_is_not_anonymous;
      try {
        tx.erase_sessions_of_user(current->second.id);
      } catch (...) {
        if (!detail::is_storage_failure()) throw;
        return errors::failed_to_delete_anonymous_user_sessions;
      }
      delete_user_in(tx, current->second.id);
      return std::move(current->second.id);
    });
    if (!done) return done.error();
    if constexpr (audited) audit_(events::guest_deleted{now, std::move(*done)});
    return {};
  }

  /// POST /sign-out: ends the request's session, if any. Always succeeds, as in Better Auth.
  result<void> sign_out(const request_context& request) {
    const auto hash = request_hash(request);
    if (!hash) return {};
    if constexpr (audited) {
      auto ended = backend_.write([&](auto& tx) -> std::optional<session> {
        auto record = tx.find_session(*hash);
        if (!record || !tx.erase_session(*hash)) return std::nullopt;
        return std::move(record->session);
      });
      if (ended) report(events::signed_out{clock_.now(), std::move(ended->user_id), std::move(ended->id)});
    } else {
      backend_.write([&](auto& tx) { tx.erase_session(*hash); });
    }
    return {};
  }

  /// A user by id (any user: guest or not).
  std::optional<user_type> find_user(std::string_view id) {
    return backend_.read([&](const auto& tx) { return tx.find_user(id); });
  }

  /// Typed access to an application table. The user table is readable here (count, find,
  /// find_by); users are written only through the operations above.
  template <class Row>
  table_handle<Row, backend_type, !std::is_same_v<Row, user_type>> table() noexcept {
    static_assert(schema_type::template has_row_v<Row>, "[anonauth.E001] table<Row>(): Row is no table of the schema");
    return table_handle<Row, backend_type, !std::is_same_v<Row, user_type>>(backend_);
  }

  backend_type& storage() noexcept { return backend_; }

 private:
  using note_type = detail::link_note<audited, detail::list_size<typename link_type::migrators>::value>;

  // --- policies --------------------------------------------------------------------------------
  template <class P>
  void assign_policy(P&& p) {
    using T = std::remove_cvref_t<P>;
    if constexpr (std::is_same_v<T, email_type>) email_ = std::forward<P>(p);
    else if constexpr (std::is_same_v<T, naming_type>) naming_ = std::forward<P>(p);
    else if constexpr (std::is_same_v<T, hasher_type>) hasher_ = std::forward<P>(p);
    else if constexpr (std::is_same_v<T, clock_type>) clock_ = std::forward<P>(p);
    else if constexpr (std::is_same_v<T, random_type>) random_ = std::forward<P>(p);
    else if constexpr (std::is_same_v<T, audit_type> || std::is_same_v<T, rate_limit_type> ||
                       std::is_same_v<T, hashing_limits>)
      return;  // taken by the constructor
    else
      static_assert(detail::dependent_false_t<T>,
                    "[anonauth.E103] a constructor argument is none of this auth's policy types: pass a configured "
                    "policy object of the type its option names (a limiter's config goes in it: "
                    "aa::credential_limits{config}), or aa::hashing_limits{...}");
  }

  std::string new_id() { return crypto::random_string(random_, 32); }

  result<std::string> generate_email(const request_context& request) {
    generation_context ctx(random_, request);
    std::string email = email_.generate(ctx);
    if constexpr (!detail::trusted_format_v<email_type>) {
      if (email.empty()) email = better_auth_email{}.generate(ctx);  // Better Auth's fallback
      else if (email.size() > limits::max_email || !is_valid_email(email)) return errors::invalid_email_format;
    }
    return to_lower_ascii(email);
  }

  result<std::string> generate_name(const request_context& request) {
    generation_context ctx(random_, request);
    std::string name = naming_.generate(ctx);
    if (name.empty()) return std::string(default_guest_name.view());
    if (auto refusal = detail::name_refusal(name)) return std::move(*refusal);
    return name;
  }

  /// The user's email-and-password account, if it has one.
  template <class Tx>
  static std::optional<account> credential_of(const Tx& tx, std::string_view user_id) {
    for (auto& a : tx.accounts_of_user(user_id))
      if (a.provider_id == credential_provider && a.password_hash) return std::move(a);
    return std::nullopt;
  }

  // --- abuse resistance ------------------------------------------------------------------------
  /// The clock rate limits run on: the clock policy's steady_now() if it has one (a test clock),
  /// else std::chrono::steady_clock. Never the wall clock: stepping it would lock clients out.
  monotonic_time monotonic_now() const {
    if constexpr (requires { { clock_.steady_now() } -> std::same_as<monotonic_time>; }) return clock_.steady_now();
    else return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now());
  }

  /// TOO_MANY_REQUESTS, reported, if the rate limit refuses this operation now.
  std::optional<error> rate_refusal(credential_operation op, const request_context& request,
                                    std::string_view email = {}) {
    if constexpr (rate_limited) {
      // The email keys a bucket only once it could be valid; a longer one is refused anyway.
      std::string key = email.size() <= limits::max_email ? to_lower_ascii(email) : std::string();
      if (const auto wait = limiter_.acquire(rate_limit_request{op, request.ip_address, key}, monotonic_now()))
        return refused(op, request, errors::too_many_requests, std::chrono::ceil<std::chrono::seconds>(*wait));
    } else {
      (void)op;
      (void)request;
      (void)email;
    }
    return std::nullopt;
  }

  error refused(credential_operation op, const request_context& request, const error_code& code,
                std::chrono::seconds retry_after) {
    retry_after = std::max(retry_after, std::chrono::seconds{1});
    report(events::request_refused{clock_.now(), op, request.ip_address, std::string(code.code), retry_after});
    return error(code).with_retry_after(retry_after);
  }

  /// A slot to hash in, or SERVER_BUSY once aa::hashing_limits' wait is over.
  result<detail::hash_gate::permit> hashing_slot(credential_operation op, const request_context& request) {
    auto permit = gate_.acquire();
    if (!permit)
      return refused(op, request, errors::server_busy,
                     std::chrono::ceil<std::chrono::seconds>(std::max(gate_.max_wait(), std::chrono::milliseconds{1})));
    return permit;
  }

  /// Reports an event to the sink if it takes it (the sign-in events are optional for a sink).
  template <class Event>
  void report(const Event& event) {
    if constexpr (audited && std::invocable<audit_type&, const Event&>) audit_(event);
    else (void)event;
  }

  /// update_user and update_user_by_id in the caller's transaction: `edit` on a copy of
  /// `current`, checked (aa::server_set fields too when the edit is a client's), then stored.
  template <class Tx, class Fn>
  static result<user_type> edit_user_in(Tx& tx, const user_type& current, Fn& edit, timestamp now, bool by_client) {
    user_type edited = current;
    edit(edited);  // under the write lock: edit must not call back into this auth
    if (auto refusal = detail::edit_refusal(current, edited)) return std::move(*refusal);
    if (by_client)
      if (auto refusal = detail::server_set_refusal<schema_type>(current, edited)) return std::move(*refusal);
    if (boost::hana::equal(edited, current)) return errors::no_fields_to_update;
    edited.updated_at = now;
    tx.update_user(edited);
    return edited;
  }

  /// Runs a sign-up's `init` on `row`: it may set application fields only, and not those the
  /// schema marks aa::server_set.
  template <class Init>
  static std::optional<error> apply_app_fields(user_type& row, Init& init) {
    user_type edited = row;
    init(edited);
    if (edited.id != row.id || edited.name != row.name || edited.email != row.email ||
        edited.email_verified != row.email_verified || edited.image != row.image ||
        edited.is_anonymous != row.is_anonymous || edited.created_at != row.created_at ||
        edited.updated_at != row.updated_at)
      throw std::invalid_argument("anonauth: a sign-up's init may set application fields only, not core fields");
    if (auto refusal = detail::edit_refusal(row, edited)) return refusal;
    if (auto refusal = detail::server_set_refusal<schema_type>(row, edited)) return refusal;
    row = std::move(edited);
    return std::nullopt;
  }

  // --- input rules -----------------------------------------------------------------------------
  /// What a session stores of the request is stored as given, so it follows the text rules.
  static std::optional<error> request_refusal(const request_context& request) {
    if (auto refusal = detail::text_refusal(request.ip_address, "ip_address", limits::max_ip_address)) return refusal;
    return detail::text_refusal(request.user_agent, "user_agent", limits::max_user_agent);
  }

  /// A password is hashed, never stored or shown: any character may be in it but NUL (which C
  /// APIs would cut it at) and invalid UTF-8 (which no client can have typed).
  static std::optional<error> password_refusal(std::string_view password) {
    return detail::text_refusal(password, "password", std::string_view::npos, true);
  }

  // --- sessions --------------------------------------------------------------------------------
  static bool plausible_token(std::string_view token) { return !token.empty() && token.size() <= limits::max_token; }

  static std::optional<token_hash> request_hash(const request_context& request) {
    if (!request.session_token || !plausible_token(*request.session_token)) return std::nullopt;
    return crypto::hash_token(*request.session_token);
  }

  /// `wanted`, or the session's absolute end if that comes first.
  static timestamp capped_expiry(timestamp created_at, timestamp wanted) {
    if constexpr (session_absolute_lifetime.count() > 0) return std::min(wanted, created_at + session_absolute_lifetime);
    else return wanted;
  }

  template <class Tx>
  std::pair<std::string, session_record> open_session(Tx& tx, const std::string& user_id,
                                                       const request_context& request, timestamp now,
                                                       bool remember = true) {
    std::string token = crypto::random_string(random_, 32);
    session_record record;
    record.hash = crypto::hash_token(token);
    const auto lifetime = remember ? session_lifetime : session_short_lifetime;
    record.session = session{new_id(), user_id, capped_expiry(now, now + lifetime), now, now, request.ip_address,
                             request.user_agent};
    tx.insert_session(record);
    return {std::move(token), std::move(record)};
  }

  /// The unexpired session with this hash and its user, seen through `tx`.
  template <class Tx>
  static std::optional<std::pair<session, user_type>> valid_session_in(const Tx& tx, const token_hash& hash,
                                                                       timestamp now) {
    auto record = tx.find_session(hash);
    if (!record || !crypto::equal_digests(record->hash, hash) || record->session.expires_at < now) return std::nullopt;
    auto user = tx.find_user(record->session.user_id);
    if (!user) return std::nullopt;
    return std::pair<session, user_type>{std::move(record->session), std::move(*user)};
  }

  std::optional<std::pair<session, user_type>> find_valid_session(const request_context& request) {
    const auto hash = request_hash(request);
    if (!hash) return std::nullopt;
    const timestamp now = clock_.now();
    return backend_.read([&](const auto& tx) { return valid_session_in(tx, *hash, now); });
  }

  // --- writes, linking, deletion ---------------------------------------------------------------

  result<std::size_t> revoke_sessions_of_request(const request_context& request, bool own_too) {
    const auto hash = request_hash(request);
    if (!hash) return errors::unauthorized;
    const timestamp now = clock_.now();
    std::string user_id;
    auto done = run_write<std::size_t>(errors::failed_to_get_session, [&](auto& tx) -> result<std::size_t> {
      auto current = valid_session_in(tx, *hash, now);
      if (!current) return errors::unauthorized;
      user_id = current->second.id;
      if (own_too) return tx.erase_sessions_of_user(current->second.id);
      std::size_t ended = 0;
      for (const auto& record : tx.sessions_of_user(current->second.id))
        if (!crypto::equal_digests(record.hash, *hash) && tx.erase_session(record.hash)) ++ended;
      return ended;
    });
    if (done && *done > 0) report(events::sessions_revoked{now, std::move(user_id), *done});
    return done;
  }

  /// Runs `fn` in a write transaction. A returned error rolls back too: it is thrown through the
  /// storage as an error_exception and caught here. A storage failure becomes `on_failure`.
  template <class T, class Fn>
  result<T> run_write(const error_code& on_failure, Fn&& fn) {
    try {
      return backend_.write([&](auto& tx) -> T {
        result<T> r = fn(tx);
        if (!r) throw error_exception(r.error());
        return std::move(*r);
      });
    } catch (const error_exception& e) {
      return e.error();
    } catch (...) {
      if (!detail::is_storage_failure()) throw;
      return on_failure;
    }
  }

  /// The guest whose valid session the request carries, seen through `tx`.
  template <class Tx>
  static std::optional<std::pair<session, user_type>> guest_of(const Tx& tx, const request_context& request,
                                                               timestamp now) {
    if constexpr (links_only_when_asked) {
      if (!request.link_guest) return std::nullopt;
    }
    const auto hash = request_hash(request);
    if (!hash) return std::nullopt;
    auto current = valid_session_in(tx, *hash, now);
    if (!current || !current->second.is_anonymous) return std::nullopt;
    return current;
  }

  /// Opens the session of a successful sign-in and, when the request carries a guest's session,
  /// links the guest to `user`, all in the caller's transaction.
  template <class Tx>
  result<signed_in<user_type>> finish_sign_in(Tx& tx, user_type user, const request_context& request, timestamp now,
                                              note_type& note, bool remember = true) {
    auto [token, record] = open_session(tx, user.id, request, now, remember);
    if (auto guest = guest_of(tx, request, now)) link(tx, *guest, user, request, now, note);
    return signed_in<user_type>{std::move(token), std::move(record.session), std::move(user)};
  }

  /// Turns the guest's row into the real user `promoted` (its id, with the new email, name and
  /// credential), ends the guest's sessions and opens the user's: nothing moves.
  template <class Tx>
  result<signed_in<user_type>> promote(Tx& tx, user_type promoted, const account& credential,
                                       const request_context& request, timestamp now, note_type& note,
                                       bool remember = true) {
    note.attempt(promoted.id, promoted.id, true);
    promoted.is_anonymous = false;
    promoted.updated_at = now;
    // The guest's tokens must not grant the account: a shared device may still hold one.
    tx.erase_sessions_of_user(promoted.id);
    tx.update_user(promoted);
    tx.insert_account(credential);
    auto [token, record] = open_session(tx, promoted.id, request, now, remember);
    return signed_in<user_type>{std::move(token), std::move(record.session), std::move(promoted)};
  }

  /// Reports the outcome of a sign-in's link or promotion, if one was attempted, to the sink.
  template <class T>
  void report_link(const note_type& note, events::link_via via, const result<T>& outcome, timestamp now) {
    if constexpr (audited) {
      if (!note.attempted) return;
      if (!outcome) {
        audit_(events::link_failed{now, note.guest_id, note.user_id, via, std::string(outcome.error().code()),
                                   std::string(outcome.error().message())});
      } else if (note.promoted) {
        audit_(events::guest_promoted{now, note.user_id, via});
      } else {
        audit_(events::guest_linked{now, note.guest_id, note.user_id, via, note.rows, note.guest_deleted});
      }
    } else {
      (void)note;
      (void)via;
      (void)outcome;
      (void)now;
    }
  }

  /// Runs the link migrations and deletes the guest, unless the target is the guest itself or
  /// another guest (Better Auth's guards), or the guest is kept. Throws to abort the transaction.
  template <class Tx>
  void link(Tx& tx, const std::pair<session, user_type>& guest, user_type& target, const request_context& request,
            timestamp now, note_type& note) {
    const user_type& anonymous = guest.second;
    if (anonymous.id == target.id || target.is_anonymous) return;
    note.attempt(anonymous.id, target.id, false);
    const user_type before = target;
    try {
      run_migrators(tx, guest, target, request, note, typename link_type::migrators{});
    } catch (const error_exception&) {
      throw;
    } catch (const storage_error&) {
      throw;  // the operation's own storage-failure code
    } catch (...) {
      throw error_exception(errors::link_migration_failed);
    }
    if (!boost::hana::equal(before, target)) {
      target.updated_at = now;
      tx.update_user(target);
    }
    if constexpr (!keeps_anonymous_user) delete_user_in(tx, anonymous.id);
    if constexpr (audited) note.guest_deleted = !keeps_anonymous_user;
  }

  // A fold of plain calls, not of lambdas: each lambda would be a function of its own, named by
  // the whole auth type (schema and migrations), so N migrators would cost O(N^2) characters of
  // symbols; plain calls inline into this one function.
  template <class Tx, class... Migs>
  void run_migrators(Tx& tx, const std::pair<session, user_type>& guest, user_type& target,
                     const request_context& request, note_type& note, detail::type_list<Migs...>) {
    [[maybe_unused]] std::size_t i = 0;
    (record_migrator<Migs>(note, i++, run_migrator<Migs>(tx, guest, target, request)), ...);
  }

  template <class Mig>
  static void record_migrator(note_type& note, [[maybe_unused]] std::size_t i, std::optional<std::size_t> rows) {
    if constexpr (audited) {
      note.rows[i] = detail::describe_migrator<schema_type, Mig>();
      note.rows[i].rows = rows;
    } else {
      (void)note;
      (void)rows;
    }
  }

  /// What the migrator moved (rows or fields), or nothing for a custom migrator.
  template <class Mig, class Tx>
  std::optional<std::size_t> run_migrator(Tx& tx, const std::pair<session, user_type>& guest, user_type& target,
                                          const request_context& request) {
    if constexpr (Mig::kind == detail::migrator_kind::custom) {
      link_context<user_type, Tx> ctx(tx, guest.second, guest.first, target, request);
      typename Mig::function_type migrator{};
      migrator(ctx);
      return std::nullopt;
    } else {
      return Mig::run(tx, guest.second, target);
    }
  }

  /// Whether a user had a session created or extended at or after `since`.
  template <class Tx>
  static bool seen_since(const Tx& tx, std::string_view user_id, timestamp since) {
    for (const auto& record : tx.sessions_of_user(user_id))
      if (record.session.updated_at >= since) return true;
    return false;
  }

  /// Deletes a user with its sessions, accounts and, by the schema's on_delete rules, its rows.
  template <class Tx>
  void delete_user_in(Tx& tx, const std::string& id) {
    tx.erase_sessions_of_user(id);
    tx.erase_accounts_of_user(id);
    []<class... Entries>(Tx& t, const std::string& uid, detail::type_list<Entries...>) {
      ((Entries::rule == on_delete::cascade ? (void)t.template erase_where<Entries::member>(uid) : void()), ...);
    }(tx, id, typename schema_type::user_refs{});
    tx.erase_user(id);
  }

  backend_type backend_;
  [[no_unique_address]] audit_type audit_;
  [[no_unique_address]] rate_limit_type limiter_{};
  [[no_unique_address]] email_type email_{};
  [[no_unique_address]] naming_type naming_{};
  [[no_unique_address]] hasher_type hasher_{};
  [[no_unique_address]] clock_type clock_{};
  [[no_unique_address]] random_type random_{};
  detail::hash_gate gate_;
  std::string dummy_hash_;
};

}  // namespace anonauth
