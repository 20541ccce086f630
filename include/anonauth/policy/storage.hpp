// anonauth/policy/storage.hpp: the storage policy concept.
//
// A storage policy S is a type with
//   - `S::config`: what its constructor takes (a path, a connection string; memory takes nothing
//     useful), default-constructible;
//   - `S::backend<Schema>`: the storage of one schema, constructible from `const S::config&`.
// A backend runs work in transactions:
//   - `b.read(fn)`:  fn(reader&) sees a consistent snapshot; returns what fn returns;
//   - `b.write(fn)`: fn(writer&) commits if fn returns, rolls back everything if it throws,
//     and rethrows. Writers exclude each other; a writer also has every reader function.
// Readers and writers speak in rows of the schema (User is `aa::user_row_t<Schema>`):
//
//   reader: find_user(id) / find_user_by_email(email)        -> std::optional<User>
//           find_session(const token_hash&)                   -> std::optional<session_record>
//           find_account(provider_id, account_id)              -> std::optional<account>
//           accounts_of_user(user_id)                          -> std::vector<account>
//           sessions_of_user(user_id)                          -> std::vector<session_record>
//           anonymous_users_created_before(t, after_id, limit) -> std::vector<User>
//               (guests created before t whose id sorts after after_id, by id, at most limit)
//           find<Row>(id)                                      -> std::optional<Row>
//           find_by<&Row::member>(value)                       -> std::vector<Row>
//           count<Row>() (Row may be the user row)             -> std::size_t
//   writer: insert_user(u), update_user(u) -> bool, erase_user(id) -> bool
//           insert_session(record), update_session(record) -> bool,
//           erase_session(hash) -> bool, erase_sessions_of_user(id) -> std::size_t
//           insert_account(a), erase_accounts_of_user(id) -> std::size_t
//           optional: update_password_hash(account_id, hash, at) -> bool (without it, a
//           hash stored at a lower cost than the hasher's is kept as it is)
//           insert<Row>(row), update<Row>(row) -> bool, erase<Row>(id) -> bool
//           reassign<&Row::member>(from, to) -> std::size_t   (one statement, not row by row)
//           erase_where<&Row::member>(value) -> std::size_t
// Inserting a row whose key (or a user's email) exists, or updating a user onto a taken email,
// throws aa::storage_error, worded by aa::duplicate_key_error: the same message from every storage.
// `tests/conformance` runs one suite against every model; `tests/unit/archetypes.cpp` has the
// minimal model that proves anonymous_auth asks for nothing more.
#pragma once

#include <anonauth/core/time.hpp>
#include <anonauth/core/types.hpp>
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

/// A storage failure: a broken constraint, an I/O error, a lost connection.
class storage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One column of a key a write collided on: its name and its value, or no value for a column
/// that must not be shown (a session's token hash, the digest of a secret).
struct key_column {
  std::string_view name;
  std::optional<std::string_view> value;
};

/// The error of a write whose key exists: the one wording every storage uses.
///   duplicate key in table "notes": id "n1"
///   duplicate key in table "account": provider_id "github", account_id "gh-1"
///   duplicate key in table "session": token_hash
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
  { r.find_user(s) } -> std::same_as<std::optional<user_row_t<Schema>>>;
  { r.find_user_by_email(s) } -> std::same_as<std::optional<user_row_t<Schema>>>;
  { r.find_session(h) } -> std::same_as<std::optional<session_record>>;
  { r.find_account(s, s) } -> std::same_as<std::optional<account>>;
  { r.accounts_of_user(s) } -> std::same_as<std::vector<account>>;
  { r.sessions_of_user(s) } -> std::same_as<std::vector<session_record>>;
  { r.anonymous_users_created_before(timestamp{}, s, std::size_t{}) } -> std::same_as<std::vector<user_row_t<Schema>>>;
  { r.template count<user_row_t<Schema>>() } -> std::same_as<std::size_t>;
};

// The row-typed functions, checked on the probe schema's application table.
template <class R>
concept probe_row_reader = requires(const R& r, std::string_view s, const std::string& id) {
  { r.template count<detail::probe::item>() } -> std::same_as<std::size_t>;
  { r.template find<detail::probe::item>(s) } -> std::same_as<std::optional<detail::probe::item>>;
  { r.template find_by<&detail::probe::item::owner>(id) } -> std::same_as<std::vector<detail::probe::item>>;
  { r.template find<detail::probe::user>(s) } -> std::same_as<std::optional<detail::probe::user>>;
};

template <class W>
concept probe_row_writer = probe_row_reader<W> && requires(W& w, const detail::probe::item& row, std::string_view s,
                                                            const std::string& id) {
  w.template insert<detail::probe::item>(row);
  { w.template update<detail::probe::item>(row) } -> std::same_as<bool>;
  { w.template erase<detail::probe::item>(s) } -> std::same_as<bool>;
  { w.template reassign<&detail::probe::item::owner>(s, s) } -> std::same_as<std::size_t>;
  { w.template erase_where<&detail::probe::item::owner>(id) } -> std::same_as<std::size_t>;
};

template <class W, class Schema>
concept storage_writer =
    storage_reader<W, Schema> &&
    requires(W& w, const user_row_t<Schema>& u, std::string_view s, const session_record& rec, const token_hash& h,
             const account& a) {
      w.insert_user(u);
      { w.update_user(u) } -> std::same_as<bool>;
      { w.erase_user(s) } -> std::same_as<bool>;
      w.insert_session(rec);
      { w.update_session(rec) } -> std::same_as<bool>;
      { w.erase_session(h) } -> std::same_as<bool>;
      { w.erase_sessions_of_user(s) } -> std::same_as<std::size_t>;
      w.insert_account(a);
      { w.erase_accounts_of_user(s) } -> std::same_as<std::size_t>;
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
