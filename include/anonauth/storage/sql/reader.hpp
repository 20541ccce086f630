// anonauth/storage/sql/reader.hpp: every read of the storage contract, in SQL, for any dialect
// and connector (row_codec.hpp says what a connector provides).
#pragma once

#include <anonauth/core/types.hpp>
#include <anonauth/policy/storage.hpp>
#include <anonauth/schema/schema.hpp>
#include <anonauth/storage/sql/row_codec.hpp>
#include <anonauth/storage/sql/statements.hpp>
#include <anonauth/storage/sql/tables.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace anonauth::sql {

/// Whether a connector can step a statement's rows lazily: `Connection::stream<Row>::borrowed(c,
/// text, key, decode)`, a range valid while the transaction on c is (sqlite/cursor.hpp).
template <class Connection, class Row>
concept streams_rows = requires { typename Connection::template stream<Row>; };

/// Reads through one connection, inside a read transaction, or the writer's (`Locking`): then
/// each read locks the rows it returns until COMMIT where the dialect can (FOR UPDATE), so two
/// writers that read the same guest take turns and the second sees what the first committed.
/// The purge's walk skips guests another writer holds (SKIP LOCKED): they are in use.
template <class Schema, dialect D, class Connection, bool Locking = false>
class reader {
 protected:
  static constexpr row_lock lock = Locking ? lock_on<D>(row_lock::update) : row_lock::none;
  static constexpr row_lock walk_lock = Locking ? lock_on<D>(row_lock::update_skip_locked) : row_lock::none;
  template <class T, class Where, class OrderBy = order_by<>, limit Limit = limit::none>
  using select = sql::select<D, T, Where, OrderBy, Limit, lock>;

  using user = user_row_t<Schema>;
  template <class Row>
  using table = table_for_t<Schema, Row>;
  using users = table<user>;
  using sessions = table<session_record>;
  using accounts = table<account>;
  using sc = session_columns;
  using ac = account_columns;

 public:
  explicit reader(Connection& c) : c_(&c) {}

  /// The connection's own handle (SQLite: the sqlite3*), for the app's statements inside this
  /// transaction: they commit or roll back with it.
  [[nodiscard]] auto native_handle() const noexcept
    requires requires(const Connection& c) { c.handle(); }
  {
    return c_->handle();
  }

  std::optional<user> find_user(std::string_view id) const { return find<user>(id); }
  std::optional<user> find_user_by_email(std::string_view email) const {
    return fetch_one<user>(*c_, select<users, sql::where<eq<column_of<&user::email>>>>::text(), email);
  }
  std::optional<session_record> find_session(const token_hash& h) const {
    return fetch_one<session_record>(*c_, select<sessions, sql::where<eq<sc::token_hash>>>::text(), h);
  }
  /// The session with this hash and its user (none if the user row is gone), in one statement:
  /// a session lookup in one round trip (operations/sessions.hpp). A read's only: a writer
  /// locks what it reads, which the outer side of a join cannot be.
  std::optional<std::pair<session_record, std::optional<user>>> find_session_and_user(const token_hash& h) const
    requires(!Locking)
  {
    using text = select_joined<D, sessions, sc::user_id, users, sc::token_hash>;
    auto st = c_->prepare(text::text());
    st.bind(1, h);
    if (!st.step()) return std::nullopt;
    constexpr int user_first = static_cast<int>(column_count<session_record>());
    std::pair<session_record, std::optional<user>> out{read_row<session_record>(st), std::nullopt};
    constexpr int found = user_first + static_cast<int>(column_count<user>());
    if (st.template column<std::optional<std::string>>(found)) out.second = read_row_at<user>(st, user_first);
    return out;
  }
  std::optional<account> find_account(std::string_view provider, std::string_view account_id) const {
    using text = select<accounts, sql::where<eq<ac::provider_id>, eq<ac::account_id>>>;
    return fetch_one<account>(*c_, text::text(), provider, account_id);
  }
  std::vector<session_record> sessions_of_user(std::string_view user_id) const {
    using text = select<sessions, sql::where<eq<sc::user_id>>, order_by<sc::created_at, sc::id>>;
    return fetch_all<session_record>(*c_, text::text(), user_id);
  }
  std::vector<account> accounts_of_user(std::string_view user_id) const {
    using text = select<accounts, sql::where<eq<ac::user_id>>, order_by<ac::created_at, ac::id>>;
    return fetch_all<account>(*c_, text::text(), user_id);
  }
  std::vector<user> anonymous_users_created_before(timestamp cutoff, std::string_view after_id,
                                                   std::size_t limit) const {
    using text = sql::select<D, users,
                             sql::where<is_true<column_of<&user::is_anonymous>>, less<column_of<&user::created_at>>,
                                        greater<column_of<&user::id>>>,
                             order_by<column_of<&user::id>>, limit::param, walk_lock>;
    return fetch_all<user>(*c_, text::text(), cutoff, after_id, static_cast<std::int64_t>(limit));
  }

  template <class Row>
  std::size_t count() const {
    static_assert(require_schema_row<Schema, Row>());
    auto st = c_->prepare(sql::count<D, table<Row>>::text());
    st.step();
    return st.template column<std::size_t>(0);
  }
  template <class Row>
  std::optional<Row> find(std::string_view id) const {
    static_assert(require_schema_row<Schema, Row>());
    return fetch_one<Row>(*c_, select<table<Row>, sql::where<eq<typename table<Row>::id>>>::text(), id);
  }
  template <auto Member, class Value>
  std::vector<detail::class_of_t<Member>> find_by(const Value& value) const {
    using row = detail::class_of_t<Member>;
    static_assert(require_schema_row<Schema, row>());
    return fetch_all<row>(*c_, select_by<D, Schema, Member, lock>(), value);
  }
  /// find_by's rows, lazily, where the connector can stream them: a statement of its own,
  /// stepped on this transaction's connection; valid while the transaction is.
  template <auto Member, class Value>
    requires streams_rows<Connection, detail::class_of_t<Member>>
  auto where(const Value& value) const {
    using row = detail::class_of_t<Member>;
    static_assert(require_schema_row<Schema, row>());
    return Connection::template stream<row>::borrowed(*c_, select_by<D, Schema, Member, lock>(),
                                                      detail::member_type_t<Member>(value),
                                                      &read_row<row, typename Connection::statement>);
  }

 protected:
  Connection* c_;
};

}  // namespace anonauth::sql
