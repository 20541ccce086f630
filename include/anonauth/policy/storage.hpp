// anonauth/policy/storage.hpp: the storage policy concept and its contract.
//
// docs/writing-a-storage.md walks through writing one; anonauth/testing/conformance.hpp checks
// every rule below against yours (`aa::testing::check_storage<S>()`).
//
// A storage policy S has
//   - `S::config`, default-constructible: what a backend is made from (a path, a connection);
//   - `S::backend<Schema>`, for any schema, constructible from `const S::config&`.
//
// Transactions. A backend runs all work in them, from many threads at once:
//   - `b.read(fn)` calls fn(const reader&) on a consistent snapshot and returns what fn returns;
//     reads may run in parallel with each other and with a write.
//   - `b.write(fn)` calls fn(writer&), which sees its own writes; when fn returns, everything it
//     did commits at once, and write returns what fn returned; when fn throws, or the commit
//     fails, nothing it did remains and the exception leaves write (the commit's as an
//     aa::storage_error). Writes are serializable: each behaves as if it ran alone.
//   - A backend may run fn more than once for one write (a retry after a conflict), each
//     attempt but the last rolled back; the core's fns do nothing outside the writer.
//   - A reader or writer is valid only during its fn. No function of one is called from two
//     threads at once.
//
// Failures. Every function may throw aa::storage_error (a duplicate key, an I/O error, a lost
// connection); an operation of the auth that returns aa::result answers it with its own error
// code (FAILED_TO_CREATE_USER, ...). A duplicate key is worded by aa::duplicate_key_error, the
// same message from every storage. Throw storage_error rather than your driver's exceptions:
// the core treats any std::exception but std::logic_error the same, but your users' code may
// not. std::logic_error is for programming errors (a call back into the auth inside its own
// transaction) and reaches the caller.
//
// Rows. Readers and writers speak in rows of the schema: User is `aa::user_row_t<Schema>`, app
// rows are those of its aa::table entries; every described member is a column, and every
// function returns every column as stored. Each function's rule is beside it in the concepts
// below. The core passes emails already lower-cased and compares them exactly.
//
// `tests/unit/archetypes.cpp` has the minimal model that proves anonymous_auth asks for
// nothing more.
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/core/time.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/diag/storage.hpp>
#include <anonauth/schema/schema.hpp>

#include <boost/hana/define_struct.hpp>

#include <concepts>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace anonauth {

// The preconditions of the row-typed functions, with one message for every storage. The core
// writes users only through insert_user/update_user/erase_user (which keep emails unique), and
// moves rows only along declared user references. A storage asserts them, e.g.
// `static_assert(aa::require_app_row<Schema, Row>())`, so that a direct call through
// auth.storage() that breaks one fails to compile the same way on every storage; each returns
// whether it holds, for an `if constexpr` that keeps the rest of the function from adding errors.
// Their diagnostics are in diag/storage.hpp.
template <class Schema, class Row>
consteval bool require_schema_row() {
  return diag::report<diag::unless_t<Schema::template has_row_v<Row>, diag::row_not_in_schema<Row>>>();
}
template <class Schema, class Row>
consteval bool require_app_row() {
  return diag::report<diag::unless_t<detail::is_app_row_v<Schema, Row>, diag::not_an_app_row<Row>>>();
}
template <class Schema, auto Member>
consteval bool require_user_reference() {
  return diag::report<
      diag::unless_t<detail::is_declared_user_ref<Schema, Member>(), diag::reassign_needs_user_reference<Member>>>();
}

/// One column of a key a write collided on: its name and its value, or no value for a column
/// that must not be shown: a session's token hash (the digest of a secret), a user's email (an
/// address has no place in a server's log).
struct key_column {
  std::string_view name;
  std::optional<std::string_view> value;
};

/// The error of a write whose key exists: the one wording every storage uses.
///   duplicate key in table "notes": id "n1"
///   duplicate key in table "account": provider_id "github", account_id "gh-1"
///   duplicate key in table "session": token_hash
///   duplicate key in table "user": email
/// The table's name and the values are quoted, `"`, `\` and control characters escaped: one
/// line, whatever a key holds. Storages throw what it returns; a storage policy of one's own
/// should too.
inline storage_error duplicate_key_error(std::string_view table, const std::vector<key_column>& key) {
  auto quoted = [](std::string& out, std::string_view text) {
    static constexpr char digits[] = "0123456789abcdef";
    out.push_back('"');
    for (const char c : text) {
      const auto byte = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out.push_back('\\');
        out.push_back(c);
      } else if (c == '\n') {
        out.append("\\n");
      } else if (byte < 0x20 || byte == 0x7f) {
        out.append("\\x");
        out.push_back(digits[byte >> 4]);
        out.push_back(digits[byte & 0xf]);
      } else {
        out.push_back(c);
      }
    }
    out.push_back('"');
  };
  std::string message = "duplicate key in table ";
  quoted(message, table);
  message.push_back(':');
  bool first = true;
  for (const auto& column : key) {
    message.append(first ? " " : ", ");
    message.append(column.name);
    if (column.value) {
      message.push_back(' ');
      quoted(message, *column.value);
    }
    first = false;
  }
  return storage_error(message);
}

namespace detail::probe {
// A minimal schema the storage concept is checked against.
struct user {
  BOOST_HANA_DEFINE_STRUCT(user, (std::string, id), (std::string, name), (std::string, email),
                           (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
                           (timestamp, created_at), (timestamp, updated_at));
};
struct item {
  BOOST_HANA_DEFINE_STRUCT(item, (std::string, id), (std::string, owner));
};
using schema = anonauth::schema<user_table<user>, table<"items", item, user_ref<&item::owner>>>;
}  // namespace detail::probe

template <class R, class Schema>
concept storage_reader = requires(const R& r, std::string_view s, const token_hash& h, const std::string& id) {
  // The user with this id / this email (unique: see insert_user), or std::nullopt.
  { r.find_user(s) } -> std::same_as<std::optional<user_row_t<Schema>>>;
  { r.find_user_by_email(s) } -> std::same_as<std::optional<user_row_t<Schema>>>;
  // The session stored under this token hash (the key; the token itself is never stored).
  { r.find_session(h) } -> std::same_as<std::optional<session_record>>;
  // The account with this (provider_id, account_id), a unique pair.
  { r.find_account(s, s) } -> std::same_as<std::optional<account>>;
  // Every account / session of the user, ordered by created_at, then id.
  { r.accounts_of_user(s) } -> std::same_as<std::vector<account>>;
  { r.sessions_of_user(s) } -> std::same_as<std::vector<session_record>>;
  // The purge's walk: guests (is_anonymous) with created_at < t and id > after_id (byte order),
  // ordered by id, at most limit of them.
  { r.anonymous_users_created_before(timestamp{}, s, std::size_t{}) } -> std::same_as<std::vector<user_row_t<Schema>>>;
  // The number of rows of a table; Row may be the user row.
  { r.template count<user_row_t<Schema>>() } -> std::same_as<std::size_t>;
};

// The row-typed functions, checked on the probe schema's application table.
template <class R>
concept probe_row_reader = requires(const R& r, std::string_view s, const std::string& id) {
  { r.template count<detail::probe::item>() } -> std::same_as<std::size_t>;
  // The row with this id, of any table (the user table's included), or std::nullopt.
  { r.template find<detail::probe::item>(s) } -> std::same_as<std::optional<detail::probe::item>>;
  // Every row whose member equals value, in no particular order; on any column, not only
  // user references (those are what the core looks up, so index them).
  { r.template find_by<&detail::probe::item::owner>(id) } -> std::same_as<std::vector<detail::probe::item>>;
  { r.template find<detail::probe::user>(s) } -> std::same_as<std::optional<detail::probe::user>>;
};

template <class W>
concept probe_row_writer = probe_row_reader<W> && requires(W& w, const detail::probe::item& row, std::string_view s,
                                                            const std::string& id) {
  // App rows only (aa::require_app_row): insert throws storage_error if the id exists;
  // update replaces every column of the row with that id (false: none); erase (false: none).
  w.template insert<detail::probe::item>(row);
  { w.template update<detail::probe::item>(row) } -> std::same_as<bool>;
  { w.template erase<detail::probe::item>(s) } -> std::same_as<bool>;
  // Sets member to `to` on every row where it is `from`, as one statement, not row by row (a
  // link moves a guest's whole cart); returns the rows changed, 0 when from == to. Member is a
  // declared aa::user_ref (aa::require_user_reference).
  { w.template reassign<&detail::probe::item::owner>(s, s) } -> std::same_as<std::size_t>;
  // Erases every row whose member equals value; returns how many.
  { w.template erase_where<&detail::probe::item::owner>(id) } -> std::same_as<std::size_t>;
};

template <class W, class Schema>
concept storage_writer =
    storage_reader<W, Schema> &&
    requires(W& w, const user_row_t<Schema>& u, std::string_view s, const session_record& rec, const token_hash& h,
             const account& a) {
      // Throws storage_error if the id or the email exists.
      w.insert_user(u);
      // Replaces every column of the user with u.id, the email included (storage_error if it is
      // another user's); false if there is none.
      { w.update_user(u) } -> std::same_as<bool>;
      // Erases the user row only (the core erases its sessions, accounts and rows first).
      { w.erase_user(s) } -> std::same_as<bool>;
      // Throws storage_error if the token hash exists.
      w.insert_session(rec);
      // Sets expires_at, updated_at, ip_address and user_agent of the session stored under
      // rec.hash; its id, user_id and created_at stay. False if there is none.
      { w.update_session(rec) } -> std::same_as<bool>;
      { w.erase_session(h) } -> std::same_as<bool>;
      { w.erase_sessions_of_user(s) } -> std::same_as<std::size_t>;
      // Throws storage_error if the id or the (provider_id, account_id) exists.
      w.insert_account(a);
      { w.erase_accounts_of_user(s) } -> std::same_as<std::size_t>;
      // Optional, not required here: update_password_hash(account_id, hash, at) -> bool sets
      // password_hash and updated_at. Without it, a hash made at a lower cost than the hasher's
      // stays as it is (anonymous_auth::can_rehash).
    };

namespace detail {
struct reader_probe {
  template <class R>
  int operator()(const R&) const { return 0; }
};
struct writer_probe {
  template <class W>
  int operator()(W&) const { return 0; }
};
}  // namespace detail

/// The storage of one schema: readers, writers, and the row-typed functions on them.
template <class B, class Schema>
concept storage_backend =
    requires(B& b) {
      typename B::reader;
      typename B::writer;
      { b.read(detail::reader_probe{}) } -> std::same_as<int>;
      { b.write(detail::writer_probe{}) } -> std::same_as<int>;
    } && storage_reader<typename B::reader, Schema> && storage_writer<typename B::writer, Schema>;

namespace detail {
template <class B>
concept probe_backend = probe_row_reader<typename B::reader> && probe_row_writer<typename B::writer>;
}  // namespace detail

/// A storage policy: a config type and a backend for any schema (checked on a probe schema).
template <class S>
concept storage_policy =
    requires { typename S::config; typename S::template backend<detail::probe::schema>; } &&
    std::default_initializable<typename S::config> &&
    std::constructible_from<typename S::template backend<detail::probe::schema>, const typename S::config&> &&
    storage_backend<typename S::template backend<detail::probe::schema>, detail::probe::schema> &&
    detail::probe_backend<typename S::template backend<detail::probe::schema>>;

}  // namespace anonauth
