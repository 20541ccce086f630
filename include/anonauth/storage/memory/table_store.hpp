// anonauth/storage/memory/table_store.hpp: one table of the memory storage, any table: rows by
// key, an index per indexed column, unique keys, and every operation with its undo step.
//
// A table spec (tables.hpp) says what the table is: `row`; `key_type` (a string id or a
// session's token hash) and `key(row)`; `name()`; `key_error(row)`, the key columns a
// duplicate key names; `indexes`, a type_list of accessors of string columns (value -> keys);
// `uniques`, a type_list of unique keys (`U::value(row)`, `U::error(row)`); and whether it
// keeps its guests in id order (`orders_guests`, the user table, for the purge's walk). The
// user, session, account and application tables are all stores of this one template: one undo
// path, one index mechanism.
//
// The operations are members of the store, not of the backend, so their instantiations (and
// the undo steps' types) are named by the table alone: named by the whole schema, N tables
// would cost N symbols of O(N) characters each, and compile time would grow with N squared.
#pragma once

#include <anonauth/detail/meta.hpp>
#include <anonauth/policy/storage.hpp>
#include <anonauth/storage/memory/index.hpp>
#include <anonauth/storage/undo_log.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace anonauth::detail::memory {

struct no_guests {};

template <class Spec, class Indexes = typename Spec::indexes, class Uniques = typename Spec::uniques>
struct table_store;

template <class Spec, class... Indexed, class... Uniques>
struct table_store<Spec, type_list<Indexed...>, type_list<Uniques...>> {
  using row = typename Spec::row;
  using key_type = typename Spec::key_type;
  using row_map = key_map<key_type, row>;
  static constexpr std::size_t index_count = sizeof...(Indexed);

  row_map rows;
  std::array<index<key_type>, index_count> indexes;
  std::array<string_map<key_type>, sizeof...(Uniques)> uniques;
  /// The guests, by id: a purge walks this instead of every user.
  [[no_unique_address]] std::conditional_t<Spec::orders_guests, std::set<const row*, by_id>, no_guests> guests;

  template <class T, class... List>
  static constexpr std::size_t position_in() {
    std::size_t i = 0, found = sizeof...(List);
    ((std::is_same_v<T, List> ? (found = i, ++i) : ++i), ...);
    return found;
  }
  template <class Get>
  static constexpr std::size_t index_of() {
    return position_in<Get, Indexed...>();
  }

  // --- lookups ------------------------------------------------------------------------------

  template <class Key>
  const row* get(const Key& key) const {
    auto it = rows.find(key);
    return it == rows.end() ? nullptr : &it->second;
  }
  template <class Key>
  std::optional<row> find(const Key& key) const {
    const row* r = get(key);
    return r == nullptr ? std::nullopt : std::optional<row>(*r);
  }
  /// The row whose unique key U is `value`.
  template <class U>
  std::optional<row> find_unique(std::string_view value) const {
    const auto& map = uniques[position_in<U, Uniques...>()];
    auto it = map.find(value);
    return it == map.end() ? std::nullopt : find(it->second);
  }
  /// Every row whose column Get equals `value`, through its index when it has one.
  template <class Get, class Value>
  std::vector<row> find_by(const Value& value) const {
    std::vector<row> out;
    constexpr std::size_t idx = index_of<Get>();
    if constexpr (idx < index_count) {
      if (const auto* keys = indexes[idx].find(value)) {
        out.reserve(keys->size());
        for (const auto& key : *keys) out.push_back(rows.at(key));
      }
    } else {
      for (const auto& [key, r] : rows)
        if (Get{}(r) == value) out.push_back(r);
    }
    return out;
  }

  // --- changes, each with its undo step ---------------------------------------------------------
  //
  // Undo steps find a row through a pointer to it: an element of an unordered_map keeps its
  // address until erased, and within a transaction a row is only ever erased by extracting its
  // node, which the erase's undo step puts back, so later steps (undone first) leave it in place.

  void insert(const row& r, undo_log& log) {
    if (rows.contains(Spec::key(r))) throw duplicate_key_error(Spec::name(), Spec::key_error(r));
    check_uniques(r);
    struct remove_inserted {
      table_store* st;
      const row* inserted = nullptr;
      void operator()() {
        if (inserted == nullptr) return;
        st->unlink(*inserted);
        st->rows.erase(st->rows.find(Spec::key(*inserted)));
      }
    };
    log.apply(
        [&](remove_inserted& undo) {
          undo.inserted = &rows.emplace(Spec::key(r), r).first->second;
          link(*undo.inserted);
        },
        remove_inserted{this});
  }
  /// Replaces every column of the row with r's key.
  bool update(const row& r, undo_log& log) {
    auto it = rows.find(Spec::key(r));
    if (it == rows.end()) return false;
    check_uniques(r);
    struct restore {
      table_store* st;
      row* place;
      bool unlinked = false;
      std::optional<row> old{};
      void operator()() {
        if (old) {
          st->unlink(*place);
          *place = std::move(*old);
        }
        if (unlinked) st->link(*place);
      }
    };
    row replacement = r;  // copied before anything changes: the copy may throw
    log.apply(
        [&](restore& undo) {
          unlink(it->second);
          undo.unlinked = true;
          undo.old.emplace(std::move(it->second));
          it->second = std::move(replacement);
          link(it->second);
        },
        restore{this, &it->second});
    return true;
  }
  template <class Key>
  bool erase(const Key& key, undo_log& log) {
    auto it = rows.find(key);
    if (it == rows.end()) return false;
    struct restore {
      table_store* st;
      typename row_map::node_type node;
      void operator()() {
        if (node.empty()) return;
        st->link(st->rows.insert(std::move(node)).position->second);
      }
    };
    log.apply(
        [&](restore& undo) {
          unlink(it->second);
          undo.node = rows.extract(it);
        },
        restore{this, {}});
    return true;
  }

  /// Moves every row whose column Get equals `from` to `to`, through the column's index: one
  /// operation, like `UPDATE t SET column = to WHERE column = from`.
  template <class Get>
  std::size_t reassign(std::string_view from, std::string_view to, undo_log& log) {
    constexpr std::size_t idx = index_of<Get>();
    static_assert(idx < index_count, "a reassigned column is indexed");
    using keys = typename index<key_type>::keys;
    if (from == to || indexes[idx].find(from) == nullptr) return 0;
    struct restore {
      table_store* st;
      std::string from, to;
      keys moved;          // the keys moved, while the mutation runs or when `to` had rows
      bool whole = false;  // `to` had no rows: the index's set moved whole and is `to`'s now
      void operator()() {
        auto& ix = st->indexes[idx];
        keys all = whole ? ix.take(to) : keys{};
        if (whole) all.merge(moved);
        else
          for (const auto& key : moved) ix.remove(to, key);
        for (const auto& key : whole ? all : moved) Get{}(st->rows.at(key)) = from;
        if (whole) ix.put(from, std::move(all));
        else ix.merge(from, moved);
      }
    };
    std::size_t count = 0;
    log.apply(
        [&](restore& undo) {
          auto& ix = indexes[idx];
          undo.moved = ix.take(from);
          count = undo.moved.size();
          for (const auto& key : undo.moved) Get{}(rows.at(key)) = undo.to;
          if (ix.find(undo.to) == nullptr) {
            // The usual link: the new user has no rows yet, so the set of keys moves whole
            // instead of being copied.
            undo.whole = true;
            ix.put(undo.to, std::move(undo.moved));
            undo.moved.clear();
          } else {
            ix.merge(undo.to, undo.moved);
          }
        },
        restore{this, std::string(from), std::string(to), {}, false});
    return count;
  }

  /// Deletes every row whose column Get equals `value` (through the index when it has one).
  template <class Get, class Value>
  std::size_t erase_where(const Value& value, undo_log& log) {
    constexpr std::size_t idx = index_of<Get>();
    std::vector<key_type> keys;
    if constexpr (idx < index_count) {
      if (const auto* indexed = indexes[idx].find(value)) keys.assign(indexed->begin(), indexed->end());
    } else {
      for (const auto& [key, r] : rows)
        if (Get{}(r) == value) keys.push_back(key);
    }
    for (const auto& key : keys) erase(key, log);
    return keys.size();
  }

 private:
  /// Throws if a unique key of r belongs to another row.
  void check_uniques(const row& r) const { (check_unique<Uniques>(r), ...); }
  template <class U>
  void check_unique(const row& r) const {
    const auto& map = uniques[position_in<U, Uniques...>()];
    auto it = map.find(U::value(r));
    if (it != map.end() && it->second != Spec::key(r)) throw duplicate_key_error(Spec::name(), U::error(r));
  }

  /// Files a row in the indexes, unique keys and guests.
  void link(const row& r) {
    [[maybe_unused]] const key_type& key = Spec::key(r);
    (indexes[index_of<Indexed>()].add(Indexed{}(r), key), ...);
    (uniques[position_in<Uniques, Uniques...>()].emplace(U_value<Uniques>(r), key), ...);
    if constexpr (Spec::orders_guests)
      if (r.is_anonymous) guests.insert(&r);
  }
  /// Takes a row out of them again; tolerates a row only partly filed (a link that threw).
  void unlink(const row& r) {
    [[maybe_unused]] const key_type& key = Spec::key(r);
    if constexpr (Spec::orders_guests) guests.erase(&r);
    (unlist<Uniques>(r, key), ...);
    (indexes[index_of<Indexed>()].remove(Indexed{}(r), key), ...);
  }
  template <class U>
  static std::string U_value(const row& r) {
    return std::string(U::value(r));
  }
  template <class U>
  void unlist(const row& r, const key_type& key) {
    auto& map = uniques[position_in<U, Uniques...>()];
    if (auto it = map.find(U::value(r)); it != map.end() && it->second == key) map.erase(it);
  }
};

}  // namespace anonauth::detail::memory
