// anonauth/auth/inert_table.hpp: what table<Row>() returns once the schema failed its check, or
// for a Row that is no table of the schema (E001), and what an operation answers once the schema
// failed, so that the program's calls add no error to the tagged one. Never run: such a program
// does not compile.
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/detail/meta.hpp>
#include <anonauth/query/owned_rows.hpp>

#include <cstddef>
#include <optional>
#include <string_view>
#include <type_traits>
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
  owned_rows<class_of_t<Member>> where(const Value&) const {  // a view, as where's always is
    return {};
  }
  std::size_t count() const { return 0; }
};

/// An operation's answer once the schema failed its check (the host does not call the operation).
template <class R>
R inert_answer() {
  if constexpr (std::is_default_constructible_v<R>) return R{};
  else return R(errors::failed_to_create_user);
}

}  // namespace anonauth::detail
