// anonauth/storage/memory/where.hpp: where<&Row::member>(value) on the memory storage, lazily.
//
// The rows are `const Row&` straight from the store: through the column's index when it has one
// (a user reference), else a lazy scan of the table. Nothing is copied.
//   - reader::where (inside read(fn), or a writer's inside write(fn)): valid while the
//     transaction is; a migrator's sees the link's own writes. Writing to the table while
//     iterating such a range invalidates it (collect first: ranges::to<std::vector>).
//   - backend::where (auth.table<Row>().where<...>(v)): holds the storage's shared lock, and this
//     thread's claim on the storage, for as long as the range or a copy of it lives.
#pragma once

#include <anonauth/detail/meta.hpp>
#include <anonauth/storage/accessors.hpp>
#include <anonauth/storage/reentrancy.hpp>

#include <range/v3/view/facade.hpp>
#include <range/v3/view/interface.hpp>

#include <memory>
#include <shared_mutex>
#include <utility>

namespace anonauth::detail::memory {

/// The rows of `Map` (key -> row) whose keys one index entry lists: a forward range over the entry.
template <class Map, class Ids>
class indexed_rows : public ranges::view_facade<indexed_rows<Map, Ids>, ranges::finite> {
  using row = typename Map::mapped_type;

 public:
  indexed_rows() = default;
  indexed_rows(const Map& rows, const Ids* ids) : rows_(&rows), ids_(ids != nullptr ? ids : &none()) {}

 private:
  friend ranges::range_access;
  struct cursor {
    const Map* rows = nullptr;
    typename Ids::const_iterator at{};
    const row& read() const { return rows->find(*at)->second; }
    void next() { ++at; }
    bool equal(const cursor& other) const { return at == other.at; }
  };
  cursor begin_cursor() const { return {rows_, ids_->begin()}; }
  cursor end_cursor() const { return {rows_, ids_->end()}; }

  static const Ids& none() {  // the entry of a value no row holds
    static const Ids empty;
    return empty;
  }
  const Map* rows_ = nullptr;
  const Ids* ids_ = &none();
};

/// The rows of `Map` whose Member equals a value, found by walking the table lazily.
template <auto Member, class Map>
class scanned_rows : public ranges::view_facade<scanned_rows<Member, Map>, ranges::finite> {
  using row = typename Map::mapped_type;
  using value_type = member_type_t<Member>;

 public:
  scanned_rows() = default;
  scanned_rows(const Map& rows, value_type value) : rows_(&rows), value_(std::move(value)) {}

 private:
  friend ranges::range_access;
  struct cursor {
    const scanned_rows* view = nullptr;
    typename Map::const_iterator at{};
    void skip() {
      while (at != view->rows_->end() && !(at->second.*Member == view->value_)) ++at;
    }
    const row& read() const { return at->second; }
    void next() {
      ++at;
      skip();
    }
    bool equal(const cursor& other) const { return at == other.at; }
  };
  cursor begin_cursor() const {
    cursor c{this, rows_->begin()};
    c.skip();
    return c;
  }
  cursor end_cursor() const { return {this, rows_->end()}; }

  static const Map& none() {
    static const Map empty;
    return empty;
  }
  const Map* rows_ = &none();
  value_type value_{};
};

/// The rows of one table store whose Member equals `value`: through the column's index if the
/// store keeps one, else by a scan.
template <auto Member, class Store, class Value>
auto rows_where(const Store& store, const Value& value) {
  constexpr auto index = Store::template index_of<field<Member>>();
  if constexpr (index < Store::index_count) {
    const auto* ids = store.indexes[index].find(value);
    return indexed_rows<typename Store::row_map, std::remove_cvref_t<decltype(*ids)>>(store.rows, ids);
  } else {
    return scanned_rows<Member, typename Store::row_map>(store.rows, member_type_t<Member>(value));
  }
}

/// A borrowed range of rows and what keeps it valid outside any transaction: the storage's
/// shared lock and this thread's claim on the storage (a call into the storage from this thread
/// while it lives throws std::logic_error instead of waiting for itself). Copies share them; the
/// last copy to go releases them. Destroy it on the thread that made it: a lock belongs to its
/// thread.
template <class Rows, class Mutex>
class locked_rows : public ranges::view_interface<locked_rows<Rows, Mutex>> {
  struct hold {
    reentrancy_guard claim;  // first: a re-entrant call throws before it waits on the lock
    std::shared_lock<Mutex> lock;
    hold(const void* storage, Mutex& mutex) : claim(storage, reentrancy_guard::holder::range), lock(mutex) {}
    ~hold() { claim.require_home_thread(); }  // checked before the lock is released
  };

 public:
  locked_rows() = default;
  /// Locks, then has `make` build the rows under the lock.
  template <class Make>
  locked_rows(const void* storage, Mutex& mutex, Make&& make)
      : hold_(std::make_shared<const hold>(storage, mutex)), rows_(std::forward<Make>(make)()) {}

  auto begin() const { return rows_.begin(); }
  auto end() const { return rows_.end(); }

 private:
  std::shared_ptr<const hold> hold_;  // before rows_: taken first, released last
  Rows rows_;
};

/// locked_rows of what `make` returns, made under `mutex` shared.
template <class Mutex, class Make>
auto hold_shared(const void* storage, Mutex& mutex, Make&& make) {
  return locked_rows<decltype(make()), Mutex>(storage, mutex, std::forward<Make>(make));
}

}  // namespace anonauth::detail::memory
