// anonauth/storage/sql/row_codec.hpp: rows to parameters and result columns back to rows, and
// the three ways a statement runs (one row, every row, changes only).
//
// What a connector provides (sqlite/connection.hpp is one):
//   c.prepare(text) -> statement   the cached prepared statement for a text with static storage
//                                  duration, reset when the returned guard ends;
//   st.bind(i, v)                  v of every value kind and std::optional of one, i from 1;
//   st.step() -> bool              the next row, false when there is none;
//   st.run() -> std::size_t        runs to the end and returns the rows changed;
//   st.column<T>(i) -> T           column i from 0, T as for bind.
// A broken unique key leaves bind/step/run as sql::unique_violation (tables.hpp).
#pragma once

#include <anonauth/storage/sql/columns.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace anonauth::sql {

/// Binds every column of `row`, in table order, from parameter `first`.
template <class Row, class Statement>
void bind_row(Statement& st, const Row& row, int first = 1) {
  int i = first;
  for_each_column<Row>([&](std::string_view, const auto& get) { st.bind(i++, get(row)); });
}

/// The row in the statement's current result, its columns in table order from column `first`
/// (a join's second row).
template <class Row, class Statement>
Row read_row_at(const Statement& st, int first) {
  Row row{};
  int c = first;
  for_each_column<Row>([&](std::string_view, const auto& get) {
    auto& field = get(row);
    field = st.template column<std::remove_cvref_t<decltype(field)>>(c++);
  });
  return row;
}

/// The row in the statement's current result, its columns in table order from column 0.
template <class Row, class Statement>
Row read_row(const Statement& st) {
  return read_row_at<Row>(st, 0);
}

/// Binds `values` to parameters 1, 2, ...
template <class Statement, class... Values>
void bind_values(Statement& st, const Values&... values) {
  int i = 1;
  (st.bind(i++, values), ...);
}

/// The first row the statement yields, or none.
template <class Row, class Connection, class... Values>
std::optional<Row> fetch_one(Connection& c, const std::string& text, const Values&... values) {
  auto st = c.prepare(text);
  bind_values(st, values...);
  if (!st.step()) return std::nullopt;
  return read_row<Row>(st);
}

/// Every row the statement yields.
template <class Row, class Connection, class... Values>
std::vector<Row> fetch_all(Connection& c, const std::string& text, const Values&... values) {
  auto st = c.prepare(text);
  bind_values(st, values...);
  std::vector<Row> out;
  while (st.step()) out.push_back(read_row<Row>(st));
  return out;
}

/// Runs a statement that yields no rows; the rows it changed.
template <class Connection, class... Values>
std::size_t execute(Connection& c, const std::string& text, const Values&... values) {
  auto st = c.prepare(text);
  bind_values(st, values...);
  return st.run();
}

}  // namespace anonauth::sql
