// anonauth/table_handle.hpp: typed access to an application table.
//
//   auth.table<cart_item>().insert({...});                         // its own transaction
//   auth.table<cart_item>().find_by<&cart_item::user_id>(id);       // -> std::vector<cart_item>
//   auth.table<cart_item>().where<&cart_item::user_id>(id)          // the same rows, lazily,
//       | ranges::views::transform(&cart_item::sku);                //   as a range-v3 view
//   ctx.table<cart_item>() inside a migrator: the same calls, in the link transaction;
//   auth.transaction([&](auto& tx) { tx.table<order>().insert(...); ... tx.native_handle() ... });
//                                                                // the app's own write transaction
//
// where<&Row::member>(value) is the storage's lazy query when it has one, else find_by's vector
// in an owning view (anonauth/query/owned_rows.hpp). On a table_handle the range keeps a read
// transaction open for as long as it, or a copy, lives: on memory the shared lock (a writer
// waits; readers queue behind a waiting writer), on SQLite a read connection and its snapshot.
// While it lives, any call from the same thread into the same storage throws std::logic_error
// (it would wait for itself); destroy it on the thread that made it. In a migrator the range
// borrows the link's transaction, sees its writes, and is valid until the migrator returns;
// writing to the table while iterating it leaves which rows it yields undefined (memory:
// invalid), so collect first (ranges::to<std::vector>) to write.
//
// Every call may throw aa::storage_error when the storage fails, and has then changed nothing;
// docs/getting-started.md ("Table handles") has the whole list.
#pragma once

#include <anonauth/detail/meta.hpp>
#include <anonauth/diag/errors.hpp>
#include <anonauth/query/owned_rows.hpp>

#include <cstddef>
#include <optional>
#include <string_view>
#include <type_traits>
#include <vector>

namespace anonauth {

namespace detail {
/// The optional storage capability behind where: `source.where<&Row::member>(value)` returning a
/// range of Row (a backend's holds its own transaction; a reader's or writer's borrows theirs).
/// docs/writing-a-storage.md, "A lazy where"; without it, where runs find_by.
template <class Source, auto Member, class Value>
concept lazy_where = requires(Source& source, const Value& value) { source.template where<Member>(value); };

template <bool Writable, class Row>
constexpr void require_writable_table() {
  diag::report<diag::unless_t<Writable, diag::user_table_is_read_only<Row>>>();
}

/// E009 unless Member is one of Row's.
template <class Row, auto Member>
constexpr void require_member_of() {
  diag::report<diag::unless_t<std::is_same_v<class_of_t<Member>, Row>, diag::query_member_of_another_row<Row, Member>>>();
}
}  // namespace detail

/// A table seen through one open transaction (a storage writer). The user table's is read-only
/// (`Writable` false), as through table_handle: in a migrator, ctx.update_user edits the user.
template <class Row, class Writer, bool Writable = true>
class transaction_table {
 public:
  explicit transaction_table(Writer& tx) noexcept : tx_(&tx) {}

  // table_handle's calls, inside the link transaction (an exception left uncaught fails the link).

  /// Adds `row`; its id taken: aa::storage_error `duplicate key in table "t": id "..."`.
  void insert(const Row& row) const {
    detail::require_writable_table<Writable, Row>();
    if constexpr (Writable) tx_->template insert<Row>(row);
  }
  /// Replaces the row with `row.id`: false if there is none (nothing is inserted).
  bool update(const Row& row) const {
    detail::require_writable_table<Writable, Row>();
    if constexpr (Writable) return tx_->template update<Row>(row);
    else return false;
  }
  /// Deletes the row with this id: false if there is none.
  bool erase(std::string_view id) const {
    detail::require_writable_table<Writable, Row>();
    if constexpr (Writable) return tx_->template erase<Row>(id);
    else return false;
  }
  /// The row with this id, or nothing.
  [[nodiscard]] std::optional<Row> find(std::string_view id) const { return tx_->template find<Row>(id); }
  /// The rows whose Member equals `value`, in no set order; Member is one of Row's.
  template <auto Member, class Value>
  [[nodiscard]] std::vector<Row> find_by(const Value& value) const {
    detail::require_member_of<Row, Member>();
    if constexpr (std::is_same_v<detail::class_of_t<Member>, Row>) return tx_->template find_by<Member>(value);
    else return {};  // after E009: no second error
  }
  /// find_by's rows as a range-v3 view, borrowing the transaction: lazy where the writer can
  /// (see the file comment); valid until the migrator returns.
  template <auto Member, class Value>
  [[nodiscard]] auto where(const Value& value) const {
    detail::require_member_of<Row, Member>();
    if constexpr (!std::is_same_v<detail::class_of_t<Member>, Row>) return owned_rows<Row>();
    else if constexpr (detail::lazy_where<Writer, Member, Value>) return tx_->template where<Member>(value);
    else return owned_rows<Row>(tx_->template find_by<Member>(value));
  }
  /// How many rows the table holds.
  [[nodiscard]] std::size_t count() const { return tx_->template count<Row>(); }

 private:
  Writer* tx_;
};

/// One open write transaction, as the app sees it: auth.transaction(fn)'s argument, and what a
/// migrator's context (aa::link_context) extends. Its tables are read and written inside the
/// transaction (the user table's read-only); native_handle() is the storage's connection (the
/// sqlite3* on SQLite; E131 on a storage without one) for the app's own statements, which
/// commit or roll back with the rest.
template <class User, class Writer>
class write_transaction {
 public:
  explicit write_transaction(Writer& tx) noexcept : tx_(&tx) {}

  /// A table inside this transaction; the user table's is read-only (E008).
  template <class Row>
  [[nodiscard]] auto table() const noexcept {
    return transaction_table<Row, Writer, !std::is_same_v<Row, User>>(*tx_);
  }

  /// The storage's own connection, inside this transaction: run the app's SQL on it, never
  /// BEGIN, COMMIT or ROLLBACK (the transaction is the storage's).
  [[nodiscard]] auto native_handle() const noexcept {
    if constexpr (requires { tx_->native_handle(); }) {
      return tx_->native_handle();
    } else {
      diag::report<diag::storage_without_sql<Writer>>();
      return nullptr;
    }
  }

 protected:
  Writer* tx_;
};

/// A table of an auth's storage; every call is a transaction of its own. The user table's handle
/// is read-only (`Writable` false): users change only through the auth's operations.
template <class Row, class Backend, bool Writable = true>
class table_handle {
  static constexpr void require_writable() { detail::require_writable_table<Writable, Row>(); }

 public:
  explicit table_handle(Backend& backend) noexcept : backend_(&backend) {}

  /// Adds `row`; its id taken: aa::storage_error `duplicate key in table "t": id "..."`. The user
  /// table: E008.
  void insert(const Row& row) const {
    require_writable();
    if constexpr (Writable) backend_->write([&](auto& tx) { tx.template insert<Row>(row); });
  }
  /// Replaces the row with `row.id`: false if there is none (nothing is inserted). The user
  /// table: E008.
  bool update(const Row& row) const {
    require_writable();
    if constexpr (Writable) return backend_->write([&](auto& tx) { return tx.template update<Row>(row); });
    else return false;
  }
  /// Deletes the row with this id: false if there is none. The user table: E008.
  bool erase(std::string_view id) const {
    require_writable();
    if constexpr (Writable) return backend_->write([&](auto& tx) { return tx.template erase<Row>(id); });
    else return false;
  }
  /// The row with this id, or nothing.
  [[nodiscard]] std::optional<Row> find(std::string_view id) const {
    return backend_->read([&](const auto& tx) { return tx.template find<Row>(id); });
  }
  /// The rows whose Member equals `value`, in no set order; Member is one of Row's.
  template <auto Member, class Value>
  [[nodiscard]] std::vector<Row> find_by(const Value& value) const {
    detail::require_member_of<Row, Member>();
    if constexpr (std::is_same_v<detail::class_of_t<Member>, Row>)
      return backend_->read([&](const auto& tx) { return tx.template find_by<Member>(value); });
    else return {};  // after E009: no second error
  }
  /// find_by's rows as a range-v3 view, lazy where the storage can; the range holds a read
  /// transaction while it lives (see the file comment).
  template <auto Member, class Value>
  [[nodiscard]] auto where(const Value& value) const {
    detail::require_member_of<Row, Member>();
    if constexpr (!std::is_same_v<detail::class_of_t<Member>, Row>) return owned_rows<Row>();
    else if constexpr (detail::lazy_where<const Backend, Member, Value>) return backend_->template where<Member>(value);
    else return owned_rows<Row>(find_by<Member>(value));
  }
  /// How many rows the table holds.
  [[nodiscard]] std::size_t count() const {
    return backend_->read([](const auto& tx) { return tx.template count<Row>(); });
  }

 private:
  Backend* backend_;
};

}  // namespace anonauth
