// anonauth/auth/inert_table.hpp: what table<Row>() returns once the schema failed its check, or
// for a Row that is no table of the schema (E001), so that the program's table calls add no
// error to the tagged one. Never run: such a program does not compile.
#pragma once

#include <anonauth/detail/meta.hpp>

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace anonauth::detail {

template <class Row>
struct inert_table {
  void insert(const Row&) const {}
  bool update(const Row&) const { return false; }
  bool erase(std::string_view) const { return false; }
  std::optional<Row> find(std::string_view) const { return std::nullopt; }
  template <auto Member, class Value>
  std::vector<class_of_t<Member>> find_by(const Value&) const {
    return {};
  }
  template <auto Member, class Value>
  std::vector<class_of_t<Member>> where(const Value&) const {
    return {};
  }
  std::size_t count() const { return 0; }
};

}  // namespace anonauth::detail
