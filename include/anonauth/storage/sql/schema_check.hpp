// anonauth/storage/sql/schema_check.hpp: creating the tables a schema needs, or checking that a
// database's tables hold it.
//
// A missing table is created with its indexes; an existing one must have every column the
// schema declares, with its type and nullability, and no NOT NULL column without a default that
// the schema does not know (inserts would fail). Indexes are created if missing. The error
// names the table and the column.
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/storage/sql/dialect.hpp>
#include <anonauth/storage/sql/row_codec.hpp>
#include <anonauth/storage/sql/statements.hpp>
#include <anonauth/storage/sql/tables.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anonauth::sql {

inline std::string upper(std::string s) {  // SQL type names are case-insensitive
  for (char& ch : s)
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  return s;
}

/// The table's columns as the database has them, or nothing if the table does not exist.
template <dialect D, class Connection>
std::optional<std::vector<column_spec>> existing_columns(Connection& c, std::string_view table) {
  static const std::string query(D::table_columns_query);
  auto st = c.prepare(query);
  st.bind(1, table);
  std::vector<column_spec> out;
  while (st.step())
    out.push_back({st.template column<std::string>(0), upper(st.template column<std::string>(1)),
                   st.template column<bool>(2), st.template column<bool>(3)});
  if (out.empty()) return std::nullopt;
  return out;
}

/// Creates `table` with `columns` and `indexes`, or checks the existing one and adds missing
/// indexes. Not a template of the table spec: one instantiation serves every table.
template <dialect D, class Connection>
void create_or_check_table(Connection& c, std::string_view table, const std::vector<column_spec>& want,
                           const std::vector<index_spec>& indexes) {
  const std::string lead = std::string(D::storage_name) + ": table \"" + std::string(table) + "\"";
  if (auto have = existing_columns<D>(c, table); !have) {
    c.execute(create_table<D>(table, want));
  } else {
    for (const auto& w : want) {
      auto it = std::find_if(have->begin(), have->end(), [&](const auto& h) { return h.name == w.name; });
      if (it == have->end())
        throw storage_error(lead + " has no column \"" + w.name + "\" that the schema declares");
      if (it->type != w.type || it->nullable != w.nullable)
        throw storage_error(lead + " column \"" + w.name + "\" is " + it->type + (it->nullable ? "" : " NOT NULL") +
                            ", the schema needs " + w.type + (w.nullable ? "" : " NOT NULL"));
    }
    for (const auto& h : *have) {
      const bool known = std::any_of(want.begin(), want.end(), [&](const auto& w) { return w.name == h.name; });
      if (!known && !h.nullable && !h.has_default)
        throw storage_error(lead + " has a NOT NULL column \"" + h.name +
                            "\" the schema does not know: inserts would fail");
    }
  }
  for (const auto& index : indexes) c.execute(create_index<D>(table, index));
}

/// Every table of Schema (tables_of), in order. Runs inside the caller's write transaction.
template <dialect D, class Schema, class Connection>
void create_or_check_schema(Connection& c) {
  []<class... Tables>(Connection& conn, detail::type_list<Tables...>) {
    (create_or_check_table<D>(conn, Tables::name(), column_specs<D, Tables>(), Tables::indexes()), ...);
  }(c, typename tables_of<Schema>::type{});
}

}  // namespace anonauth::sql
