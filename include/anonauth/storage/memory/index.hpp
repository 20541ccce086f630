// anonauth/storage/memory/index.hpp: the hash maps and indexes of the memory storage's tables.
#pragma once

#include <anonauth/core/types.hpp>

#include <cstddef>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace anonauth::detail::memory {

struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
struct digest_hash {
  std::size_t operator()(const token_hash& h) const noexcept {
    std::size_t v;
    std::memcpy(&v, h.data(), sizeof v);  // already uniformly distributed
    return v;
  }
};

/// The hash of a table's key: a string id, or a session's token hash.
template <class Key>
struct key_hash_of {
  using type = string_hash;
};
template <>
struct key_hash_of<token_hash> {
  using type = digest_hash;
};

template <class Key>
using key_set = std::unordered_set<Key, typename key_hash_of<Key>::type, std::equal_to<>>;
template <class Key, class V>
using key_map = std::unordered_map<Key, V, typename key_hash_of<Key>::type, std::equal_to<>>;
template <class V>
using string_map = key_map<std::string, V>;
using string_set = key_set<std::string>;

/// Orders pointers to rows by the rows' ids, and finds them by id: the index of guests. A row's
/// id never changes and its address is stable (see table_store), so the index holds pointers,
/// not copies of the ids.
struct by_id {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const noexcept {
    return id_of(a) < id_of(b);
  }
  template <class R>
  static std::string_view id_of(const R* r) noexcept {
    return r->id;
  }
  static std::string_view id_of(std::string_view id) noexcept { return id; }
};

/// value -> keys of the rows holding it, for one indexed (string) column.
template <class Key>
class index {
 public:
  using keys = key_set<Key>;

  void add(std::string_view value, const Key& key) { map_[std::string(value)].insert(key); }
  void remove(std::string_view value, const Key& key) {
    if (auto it = map_.find(value); it != map_.end()) {
      it->second.erase(key);
      if (it->second.empty()) map_.erase(it);
    }
  }
  [[nodiscard]] const keys* find(std::string_view value) const {
    auto it = map_.find(value);
    return it == map_.end() ? nullptr : &it->second;
  }
  /// Removes and returns the keys under `value`.
  keys take(std::string_view value) {
    auto it = map_.find(value);
    if (it == map_.end()) return {};
    keys out = std::move(it->second);
    map_.erase(it);
    return out;
  }
  void merge(std::string_view value, const keys& more) {
    auto& target = map_[std::string(value)];
    target.insert(more.begin(), more.end());
  }
  /// Files `moved` under `value`, which holds none: the set moves, no key is copied.
  void put(std::string_view value, keys&& moved) { map_.insert_or_assign(std::string(value), std::move(moved)); }

 private:
  string_map<keys> map_;
};

}  // namespace anonauth::detail::memory
