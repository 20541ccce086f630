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

#include <anonauth/core/time.hpp>

#include <charconv>
#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
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

/// The column names of T (a table spec or a row type), in table order.
template <class T>
std::vector<std::string_view> column_names() {
  std::vector<std::string_view> out;
  for_each_named_column<T>([&](std::string_view name, const auto&) { out.push_back(name); });
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

// A clause is written for a table spec T (a row type names columns as its members).

/// WHERE each condition, joined by AND.
template <class... Conditions>
struct where {
  template <dialect D, class T>
  static void write(text_builder<D>& b) {
    if constexpr (sizeof...(Conditions) > 0) {
      b.raw(" WHERE ");
      bool first = true;
      (write_one<D, T, Conditions>(b, std::exchange(first, false)), ...);
    }
  }

 private:
  template <dialect D, class T, class Condition>
  static void write_one(text_builder<D>& b, bool first) {
    if (!first) b.raw(" AND ");
    b.name(name_of<T, typename column_of_condition<Condition>::type>()).raw(Condition::op);
    if constexpr (Condition::takes_param) b.param();
    else b.raw(D::true_literal);
  }
};

/// ORDER BY the columns, ascending.
template <class... Columns>
struct order_by {
  template <dialect D, class T>
  static void write(text_builder<D>& b) {
    if constexpr (sizeof...(Columns) > 0)
      b.raw(" ORDER BY ").names({name_of<T, Columns>()...});
  }
};

/// The columns an UPDATE sets, each to a parameter.
template <class... Columns>
struct set {
  template <dialect D, class T>
  static void write(text_builder<D>& b) {
    bool first = true;
    ((b.raw(std::exchange(first, false) ? "" : ", ").name(name_of<T, Columns>()).raw(" = ").param()), ...);
  }
};

enum class limit { none, param };

/// Whether a SELECT locks the rows it returns until the transaction ends: where the dialect
/// says how (`D::lock_rows`, `D::lock_rows_skip_locked`: PostgreSQL's FOR UPDATE), else nothing,
/// because the database locks more than rows (SQLite's writer holds the whole database).
enum class row_lock { none, update, update_skip_locked };

template <class D>
concept locks_rows = requires {
  { D::lock_rows } -> std::convertible_to<std::string_view>;
  { D::lock_rows_skip_locked } -> std::convertible_to<std::string_view>;
};

/// The lock a statement asks for on dialect D: `wanted`, or none where D cannot lock rows.
template <class D>
constexpr row_lock lock_on(row_lock wanted) {
  return locks_rows<D> ? wanted : row_lock::none;
}

// --- statements ---------------------------------------------------------------------------------

/// INSERT INTO t (every column) VALUES (?, ...).
template <dialect D, class T>
struct insert {
  static const std::string& text() {
    static const std::string s = [] {
      text_builder<D> b;
      const auto names = column_names<T>();
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

/// SELECT every column FROM t [WHERE ...] [ORDER BY ...] [LIMIT ?] [FOR UPDATE [SKIP LOCKED]].
template <dialect D, class T, class Where = where<>, class OrderBy = order_by<>, limit Limit = limit::none,
          row_lock Lock = row_lock::none>
struct select {
  static const std::string& text() {
    static const std::string s = [] {
      text_builder<D> b;
      b.raw("SELECT ").names(column_names<T>()).raw(" FROM ").name(T::name());
      Where::template write<D, T>(b);
      OrderBy::template write<D, T>(b);
      if constexpr (Limit == limit::param) b.raw(" LIMIT ").param();
      if constexpr (Lock == row_lock::update) b.raw(D::lock_rows);
      if constexpr (Lock == row_lock::update_skip_locked) b.raw(D::lock_rows_skip_locked);
      return std::move(b).str();
    }();
    return s;
  }
};

/// SELECT every column of Left, then every column of Right, FROM Left LEFT JOIN Right ON
/// Right's key = Left's column On WHERE Left's column Key = ?: a row and the row it refers to,
/// in one statement (the Right columns NULL when there is none), and last Right's key again,
/// which is NULL exactly when there is none.
template <dialect D, class Left, class On, class Right, class Key>
struct select_joined {
  static const std::string& text() {
    static const std::string s = [] {
      text_builder<D> b;
      b.raw("SELECT ");
      bool first = true;
      for (std::string_view n : column_names<Left>()) b.raw(std::exchange(first, false) ? "l." : ", l.").name(n);
      for (std::string_view n : column_names<Right>()) b.raw(", r.").name(n);
      b.raw(", r.").name(name_of<Right, typename Right::id>());
      b.raw(" FROM ").name(Left::name()).raw(" l LEFT JOIN ").name(Right::name()).raw(" r ON r.");
      b.name(name_of<Right, typename Right::id>()).raw(" = l.").name(name_of<Left, On>());
      b.raw(" WHERE l.").name(name_of<Left, Key>()).raw(" = ").param();
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
      text_builder<D> b;
      b.raw("UPDATE ").name(T::name()).raw(" SET ");
      Set::template write<D, T>(b);
      Where::template write<D, T>(b);
      return std::move(b).str();
    }();
    return s;
  }
};

template <dialect D, class T>
struct update_row {
  static const std::string& text() {
    static const std::string s = [] {
      text_builder<D> b;
      b.raw("UPDATE ").name(T::name()).raw(" SET ");
      bool first = true;
      for (std::string_view name : column_names<T>())
        b.raw(std::exchange(first, false) ? "" : ", ").name(name).raw(" = ").param();
      where<eq<typename T::id>>::template write<D, T>(b);
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
      Where::template write<D, T>(b);
      return std::move(b).str();
    }();
    return s;
  }
};

/// SELECT every column of Member's row WHERE Member = ?: find_by, and the lazy where.
template <dialect D, class Schema, auto Member, row_lock Lock = row_lock::none>
const std::string& select_by() {
  return select<D, table_for_t<Schema, detail::class_of_t<Member>>, where<eq<column_of<Member>>>, order_by<>,
                limit::none, Lock>::text();
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

/// One column as a table declares it: name, SQL type, nullable; the primary key (the member
/// `id`, under whatever name) counts as NOT NULL. What create_table writes and what
/// introspection of an existing table yields (which leaves primary_key false). `default_sql`,
/// the SQL literal of the member's default value, is set for a column an additive migration may
/// add as NOT NULL (an app field: see the table specs' may_default).
struct column_spec {
  std::string name;
  std::string type;
  bool nullable = false;
  bool has_default = false;
  bool primary_key = false;
  std::string default_sql{};
};

/// `value` as an SQL literal of dialect D; empty for a kind no literal is written for (a blob).
template <dialect D, class Field>
std::string literal(const Field& value) {
  if constexpr (std::is_same_v<Field, std::string>) {
    std::string out = "'";
    for (char ch : value) {
      if (ch == '\'') out.push_back('\'');  // doubled: SQL's only escape in a literal
      out.push_back(ch);
    }
    return out + "'";
  } else if constexpr (std::is_same_v<Field, bool>) {
    return std::string(value ? D::true_literal : D::false_literal);
  } else if constexpr (std::is_integral_v<Field>) {
    return std::to_string(value);
  } else if constexpr (std::is_floating_point_v<Field>) {
    char buffer[64];
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, static_cast<double>(value)).ptr;
    return std::string(buffer, end);
  } else if constexpr (std::is_same_v<Field, timestamp>) {
    return std::to_string(value.time_since_epoch().count());  // stored as milliseconds
  } else {
    return std::string();
  }
}

/// A table spec that says which of its columns an additive migration may add with a default.
template <class T>
concept defaults_columns = requires(std::string_view own) {
  { T::may_default(own) } -> std::convertible_to<bool>;
};

/// The literal of the default value of T's column `own` (read by `get`), if an additive
/// migration may add it as NOT NULL; else empty.
template <dialect D, class T, class Field, class Get>
std::string default_literal(std::string_view own, const Get& get) {
  using row = spec_row_t<T>;
  if constexpr (!nullable_v<Field> && std::is_default_constructible_v<row> && defaults_columns<T>) {
    if (T::may_default(own)) return literal<D>(get(row{}));
  }
  return std::string();
}

/// The columns of T (a table spec, or a row type with its own names), in table order.
template <dialect D, class T>
std::vector<column_spec> column_specs() {
  using row = spec_row_t<T>;
  std::vector<column_spec> out;
  for_each_column<row>([&](std::string_view own, const auto& get) {
    using get_t = std::remove_cvref_t<decltype(get)>;
    using field = field_t<row, get_t>;
    if constexpr (require_storable<field>()) {
      column_spec c{std::string(spec_column_name<T, get_t>(own)), std::string(D::type_name(kind_of<field>::value)),
                    nullable_v<field>, false, own == "id"};
      c.default_sql = default_literal<D, T, field>(own, get);
      out.push_back(std::move(c));
    }
  });
  return out;
}

/// ALTER TABLE t ADD COLUMN "c" TYPE [NOT NULL DEFAULT literal]: a nullable column, or one with
/// its default (SQLite and PostgreSQL fill the existing rows with it).
template <dialect D>
std::string add_column(std::string_view table, const column_spec& c) {
  text_builder<D> b;
  b.raw("ALTER TABLE ").name(table).raw(" ADD COLUMN ").name(c.name).raw(" ").raw(c.type);
  if (!c.nullable) b.raw(" NOT NULL DEFAULT ").raw(c.default_sql);
  return std::move(b).str();
}

/// CREATE TABLE t ("id" TYPE PRIMARY KEY (the primary_key column), "c" TYPE NOT NULL, "nullable" TYPE, ...)
template <dialect D>
std::string create_table(std::string_view table, const std::vector<column_spec>& columns) {
  text_builder<D> b;
  b.raw("CREATE TABLE ").name(table).raw(" (");
  bool first = true;
  for (const auto& c : columns) {
    b.raw(std::exchange(first, false) ? "" : ", ").name(c.name).raw(" ").raw(c.type);
    if (c.primary_key) b.raw(" PRIMARY KEY");
    else if (!c.nullable) b.raw(" NOT NULL");
  }
  return std::move(b.raw(")")).str();
}

/// An index's name: its table's, "_", its suffix.
inline std::string index_name(std::string_view table, const index_spec& index) {
  return std::string(table) + "_" + index.suffix;
}

/// Whether dialect D writes an index_spec's `partial` column as a WHERE (PostgreSQL); elsewhere
/// the column leads the index's columns, which serves the same walk.
template <class D>
constexpr bool writes_partial_indexes() {
  if constexpr (requires { D::partial_indexes; }) return D::partial_indexes;
  else return false;
}

/// CREATE [UNIQUE] INDEX IF NOT EXISTS "t_suffix" ON t (columns) [WHERE partial = true]
template <dialect D>
std::string create_index(std::string_view table, const index_spec& index) {
  text_builder<D> b;
  b.raw(index.unique ? "CREATE UNIQUE INDEX IF NOT EXISTS " : "CREATE INDEX IF NOT EXISTS ");
  b.name(index_name(table, index)).raw(" ON ").name(table).raw(" (");
  if (index.partial.empty() || !writes_partial_indexes<D>()) {
    if (!index.partial.empty()) b.name(index.partial).raw(", ");
    b.names(index.columns).raw(")");
  } else {
    b.names(index.columns).raw(") WHERE ").name(index.partial).raw(" = ").raw(D::true_literal);
  }
  return std::move(b).str();
}

}  // namespace anonauth::sql
