// anonauth/storage/sql/schema_check.hpp: creating the tables a schema needs, or checking that a
// database's tables hold it.
//
// A missing table is created with its indexes; an existing one must have every column the
// schema declares, with its type and nullability, and no NOT NULL column without a default that
// the schema does not know (inserts would fail). Indexes are created if missing; with
// aa::schema_migration::additive, missing columns too. The error names the table and the column.
#pragma once

#include <anonauth/core/error.hpp>
#include <anonauth/storage/sql/dialect.hpp>
#include <anonauth/storage/sql/row_codec.hpp>
#include <anonauth/storage/sql/schema_migration.hpp>
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

/// The names of the table's indexes as the database has them.
template <dialect D, class Connection>
std::vector<std::string> existing_indexes(Connection& c, std::string_view table) {
  static const std::string query(D::table_indexes_query);
  auto st = c.prepare(query);
  st.bind(1, table);
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.template column<std::string>(0));
  return out;
}

/// The statements that bring `table` (its columns as the database has them in `have`, nothing
/// if it does not exist; its indexes' names in `have_indexes`) to what the schema wants: a
/// CREATE TABLE, or with `additive` the columns it lacks, and the indexes it lacks. Throws aa::storage_error, naming the
/// table and the column, for what no statement may fix: a column missing (without `additive`,
/// or one that cannot be added), of another type or nullability, or a NOT NULL column without
/// a default that the schema does not know (inserts would fail). Not a template of the table
/// spec: one instantiation serves every table.
template <dialect D>
std::vector<std::string> table_plan(std::string_view table, const std::optional<std::vector<column_spec>>& have,
                                    const std::vector<std::string>& have_indexes, const std::vector<column_spec>& want, const std::vector<index_spec>& indexes,
                                    schema_migration migrate) {
  const std::string lead = std::string(D::storage_name) + ": table \"" + std::string(table) + "\"";
  std::vector<std::string> out;
  if (!have) {
    out.push_back(create_table<D>(table, want));
  } else {
    for (const auto& w : want) {
      auto it = std::find_if(have->begin(), have->end(), [&](const auto& h) { return h.name == w.name; });
      if (it == have->end()) {
        const bool addable = !w.primary_key && (w.nullable || !w.default_sql.empty());
        if (addable && migrate == schema_migration::additive) {
          out.push_back(add_column<D>(table, w));
          continue;
        }
        throw storage_error(lead + " has no column \"" + w.name + "\" that the schema declares" +
                            (!addable ? std::string(" (a key, a user reference or a core field: add it yourself)")
                                      : std::string(" (aa::schema_migration::additive adds it)")));
      }
      if (!D::type_matches(it->type, w.type) || it->nullable != w.nullable)
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
  for (const auto& index : indexes)
    if (std::find(have_indexes.begin(), have_indexes.end(), index_name(table, index)) == have_indexes.end())
      out.push_back(create_index<D>(table, index));
  return out;
}

/// The statements that bring Schema's tables (tables_of, in order) to what it declares, without
/// running them: against no database (`c` null) the whole schema, else what the database lacks,
/// empty when nothing does. Throws as table_plan does, before any statement runs. Tables the
/// schema does not name are never read.
template <dialect D, class Schema, class Connection>
std::vector<std::string> schema_plan(Connection* c, schema_migration migrate) {
  std::vector<std::string> out;
  []<class... Tables>(Connection* conn, schema_migration m, std::vector<std::string>& o, detail::type_list<Tables...>) {
    const auto add = [&](std::string_view name, const std::vector<column_spec>& want,
                         const std::vector<index_spec>& indexes) {
      auto have = conn != nullptr ? existing_columns<D>(*conn, name) : std::nullopt;
      const auto have_indexes = have ? existing_indexes<D>(*conn, name) : std::vector<std::string>{};
      for (auto& statement : table_plan<D>(name, have, have_indexes, want, indexes, m)) o.push_back(std::move(statement));
    };
    (add(Tables::name(), column_specs<D, Tables>(), Tables::indexes()), ...);
  }(c, migrate, out, typename tables_of<Schema>::type{});
  return out;
}

/// Creates or checks every table of Schema: runs schema_plan's statements inside the caller's
/// write transaction, so that every change commits together or not at all.
template <dialect D, class Schema, class Connection>
void create_or_check_schema(Connection& c, schema_migration migrate = schema_migration::none) {
  for (const auto& statement : schema_plan<D, Schema>(&c, migrate)) c.execute(statement);
}

}  // namespace anonauth::sql
