// anonauth/storage/sql/statements.hpp: the SQL text of every statement, generated from a table
// spec (tables.hpp) and a dialect, once per statement.
//
// A statement is a type: `select<D, T, where<eq<C>>, order_by<C2>>`, `update<D, T, set<C>,
// where<eq<C>>>`, ...; its `text()` is built on first use into a function-local static, so a
// hot path (a session lookup, a sign-in) builds no string, and a connection can key its cache
// of prepared statements by the text's address. Parameters are numbered in the order they
// appear: set values, then conditions, then the limit.
#pragma once

#include <anonauth/storage/sql/columns.hpp>
#include <anonauth/storage/sql/dialect.hpp>
#include <anonauth/storage/sql/tables.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace anonauth::sql {

/// Writes SQL text for dialect D: identifiers quoted, parameters numbered.
template <dialect D>
class text_builder {
 public:
  text_builder& raw(std::string_view s) {
    out_.append(s);
    return *this;
  }
  text_builder& name(std::string_view identifier) {
    D::quote_identifier(out_, identifier);
    return *this;
  }
  text_builder& param() {
    D::placeholder(out_, ++params_);
    return *this;
  }
  /// "a", "b", "c"
  text_builder& names(const std::vector<std::string_view>& identifiers) {
    for (std::size_t i = 0; i < identifiers.size(); ++i) {
      if (i != 0) raw(", ");
      name(identifiers[i]);
    }
    return *this;
  }
  std::string str() && { return std::move(out_); }

 private:
  std::string out_;
  int params_ = 0;
};

template <class Row>
std::vector<std::string_view> column_names() {
  std::vector<std::string_view> out;
  for_each_column<Row>([&](std::string_view name, const auto&) { out.push_back(name); });
  return out;
}

// --- clauses ------------------------------------------------------------------------------------

/// Conditions on column C (an accessor type): `C = ?`, `C < ?`, `C > ?`, `C = true`.
template <class C>
struct eq {
  static constexpr std::string_view op = " = ";
  static constexpr bool takes_param = true;
};
template <class C>
struct less {
  static constexpr std::string_view op = " < ";
  static constexpr bool takes_param = true;
};
template <class C>
struct greater {
  static constexpr std::string_view op = " > ";
  static constexpr bool takes_param = true;
};
template <class C>
struct is_true {
  static constexpr std::string_view op = " = ";
  static constexpr bool takes_param = false;
};

template <class Condition>
struct column_of_condition;
template <template <class> class Op, class C>
struct column_of_condition<Op<C>> {
  using type = C;
};

/// WHERE each condition, joined by AND.
template <class... Conditions>
struct where {
  template <dialect D, class Row>
  static void write(text_builder<D>& b) {
    if constexpr (sizeof...(Conditions) > 0) {
      b.raw(" WHERE ");
      bool first = true;
      (write_one<D, Row, Conditions>(b, std::exchange(first, false)), ...);
    }
  }

 private:
  template <dialect D, class Row, class Condition>
  static void write_one(text_builder<D>& b, bool first) {
    if (!first) b.raw(" AND ");
    b.name(name_of<Row, typename column_of_condition<Condition>::type>()).raw(Condition::op);
    if constexpr (Condition::takes_param) b.param();
    else b.raw(D::true_literal);
  }
};

/// ORDER BY the columns, ascending.
template <class... Columns>
struct order_by {
  template <dialect D, class Row>
  static void write(text_builder<D>& b) {
    if constexpr (sizeof...(Columns) > 0)
      b.raw(" ORDER BY ").names({name_of<Row, Columns>()...});
  }
};

/// The columns an UPDATE sets, each to a parameter.
template <class... Columns>
struct set {
  template <dialect D, class Row>
  static void write(text_builder<D>& b) {
    bool first = true;
    ((b.raw(std::exchange(first, false) ? "" : ", ").name(name_of<Row, Columns>()).raw(" = ").param()), ...);
  }
};

enum class limit { none, param };

// --- statements ---------------------------------------------------------------------------------

/// INSERT INTO t (every column) VALUES (?, ...).
template <dialect D, class T>
struct insert {
  static const std::string& text() {
    static const std::string s = [] {
      text_builder<D> b;
      const auto names = column_names<typename T::row>();
      b.raw("INSERT INTO ").name(T::name()).raw(" (").names(names).raw(") VALUES (");
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (i != 0) b.raw(", ");
        b.param();
      }
      return std::move(b.raw(")")).str();
    }();
    return s;
  }
};

/// SELECT every column FROM t [WHERE ...] [ORDER BY ...] [LIMIT ?].
template <dialect D, class T, class Where = where<>, class OrderBy = order_by<>, limit Limit = limit::none>
struct select {
  static const std::string& text() {
    static const std::string s = [] {
      using row = typename T::row;
      text_builder<D> b;
      b.raw("SELECT ").names(column_names<row>()).raw(" FROM ").name(T::name());
      Where::template write<D, row>(b);
      OrderBy::template write<D, row>(b);
      if constexpr (Limit == limit::param) b.raw(" LIMIT ").param();
      return std::move(b).str();
    }();
    return s;
  }
};

/// UPDATE t SET ... WHERE ...; `update_row` sets every column of the row with that id.
template <dialect D, class T, class Set, class Where>
struct update {
  static const std::string& text() {
    static const std::string s = [] {
      using row = typename T::row;
      text_builder<D> b;
      b.raw("UPDATE ").name(T::name()).raw(" SET ");
      Set::template write<D, row>(b);
      Where::template write<D, row>(b);
      return std::move(b).str();
    }();
    return s;
  }
};

template <dialect D, class T>
struct update_row {
  static const std::string& text() {
    static const std::string s = [] {
      using row = typename T::row;
      text_builder<D> b;
      b.raw("UPDATE ").name(T::name()).raw(" SET ");
      bool first = true;
      for (std::string_view name : column_names<row>())
        b.raw(std::exchange(first, false) ? "" : ", ").name(name).raw(" = ").param();
      where<eq<typename T::id>>::template write<D, row>(b);
      return std::move(b).str();
    }();
    return s;
  }
};

/// DELETE FROM t WHERE ...
template <dialect D, class T, class Where>
struct erase {
  static const std::string& text() {
    static const std::string s = [] {
      text_builder<D> b;
      b.raw("DELETE FROM ").name(T::name());
      Where::template write<D, typename T::row>(b);
      return std::move(b).str();
    }();
    return s;
  }
};

/// SELECT every column of Member's row WHERE Member = ?: find_by, and the lazy where.
template <dialect D, class Schema, auto Member>
const std::string& select_by() {
  return select<D, table_for_t<Schema, detail::class_of_t<Member>>, where<eq<column_of<Member>>>>::text();
}

/// SELECT count(*) FROM t
template <dialect D, class T>
struct count {
  static const std::string& text() {
    static const std::string s = std::move(text_builder<D>{}.raw("SELECT count(*) FROM ").name(T::name())).str();
    return s;
  }
};

// --- schema -------------------------------------------------------------------------------------

/// One column as a table declares it: name, SQL type, nullable; a primary key ("id") counts as
/// NOT NULL. What create_table writes and what introspection of an existing table yields.
struct column_spec {
  std::string name;
  std::string type;
  bool nullable = false;
  bool has_default = false;
};

template <dialect D, class Row>
std::vector<column_spec> column_specs() {
  std::vector<column_spec> out;
  for_each_column<Row>([&](std::string_view name, const auto& get) {
    using field = field_t<Row, std::remove_cvref_t<decltype(get)>>;
    if constexpr (require_storable<field>())
      out.push_back({std::string(name), std::string(D::type_name(kind_of<field>::value)), nullable_v<field>});
  });
  return out;
}

/// CREATE TABLE t ("id" TYPE PRIMARY KEY, "c" TYPE NOT NULL, "nullable" TYPE, ...)
template <dialect D>
std::string create_table(std::string_view table, const std::vector<column_spec>& columns) {
  text_builder<D> b;
  b.raw("CREATE TABLE ").name(table).raw(" (");
  bool first = true;
  for (const auto& c : columns) {
    b.raw(std::exchange(first, false) ? "" : ", ").name(c.name).raw(" ").raw(c.type);
    if (c.name == "id") b.raw(" PRIMARY KEY");
    else if (!c.nullable) b.raw(" NOT NULL");
  }
  return std::move(b.raw(")")).str();
}

/// CREATE [UNIQUE] INDEX IF NOT EXISTS "t_suffix" ON t (columns)
template <dialect D>
std::string create_index(std::string_view table, const index_spec& index) {
  text_builder<D> b;
  b.raw(index.unique ? "CREATE UNIQUE INDEX IF NOT EXISTS " : "CREATE INDEX IF NOT EXISTS ");
  b.name(std::string(table) + "_" + index.suffix).raw(" ON ").name(table).raw(" (").names(index.columns).raw(")");
  return std::move(b).str();
}

}  // namespace anonauth::sql
