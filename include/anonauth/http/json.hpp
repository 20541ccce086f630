// anonauth/http/json.hpp: JSON as the HTTP layer reads and writes it, over Boost.JSON.
//
// Rows are written with their Hana members in order, named in camelCase (`is_anonymous` ->
// `isAnonymous`, an app field `favourite_colour` -> `favouriteColour`), times as ISO 8601 UTC
// with milliseconds ("2026-01-01T00:00:00.000Z"), empty optionals as null: what Better Auth
// sends. Request bodies are parsed strictly: well-formed UTF-8 only, at most `max_depth` levels
// of nesting, and no key twice in one object (Better Auth keeps the last of two; a body that
// says two things is refused instead).
//
//   auto parsed = aa::http::detail::parse_json(R"({"email":"a@b.co"})", 8);
//   boost::json::object out;
//   aa::http::detail::put_row(out, user);   // {"id": ..., "name": ..., "isAnonymous": ...}
#pragma once

#include <anonauth/core/time.hpp>
#include <anonauth/core/utf8.hpp>
#include <anonauth/core/validate.hpp>
#include <anonauth/diag/errors.hpp>

#include <boost/hana/accessors.hpp>
#include <boost/hana/basic_tuple.hpp>
#include <boost/hana/transform.hpp>
#include <boost/hana/type.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/pair.hpp>
#include <boost/hana/string.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_stack.hpp>

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace anonauth::http {

/// The JSON name of a member: snake_case to camelCase, as Better Auth names its fields.
inline std::string camel_case(std::string_view snake) {
  std::string out;
  out.reserve(snake.size());
  bool upper = false;
  for (const char c : snake) {
    if (c == '_' && !out.empty()) {
      upper = true;
      continue;
    }
    out.push_back(upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
    upper = false;
  }
  return out;
}

namespace detail {

// --- times ---------------------------------------------------------------------------------------

/// "YYYY-MM-DDTHH:MM:SS.sssZ", what JavaScript's Date.prototype.toISOString gives.
inline std::string iso8601(timestamp t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const auto ms = (t - day).count();  // milliseconds into the day
  const int y = static_cast<int>(ymd.year());
  char buf[32];
  auto put = [&](int at, long long v, int width) {
    for (int i = width - 1; i >= 0; --i, v /= 10) buf[at + i] = static_cast<char>('0' + v % 10);
  };
  put(0, y, 4);
  buf[4] = '-';
  put(5, static_cast<unsigned>(ymd.month()), 2);
  buf[7] = '-';
  put(8, static_cast<unsigned>(ymd.day()), 2);
  buf[10] = 'T';
  put(11, ms / 3'600'000, 2);
  buf[13] = ':';
  put(14, ms / 60'000 % 60, 2);
  buf[16] = ':';
  put(17, ms / 1000 % 60, 2);
  buf[19] = '.';
  put(20, ms % 1000, 3);
  buf[23] = 'Z';
  if (y < 0 || y > 9999) return std::to_string(y) + std::string(buf + 4, 20);  // outside ISO's 4 digits
  return std::string(buf, 24);
}

/// An ISO 8601 date-time as JavaScript's Date parses one from a client: "YYYY-MM-DDTHH:MM:SS",
/// optional fraction (1 to 9 digits, kept to the millisecond), then "Z" or "+hh:mm"/"-hh:mm".
inline std::optional<timestamp> parse_iso8601(std::string_view s) {
  auto digits = [&](std::size_t at, std::size_t n, int& out) {
    if (at + n > s.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y, mo, d, h, mi, sec;
  if (!digits(0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(5, 2, mo) || s[7] != '-' || !digits(8, 2, d) ||
      (s[10] != 'T' && s[10] != 't') || !digits(11, 2, h) || s[13] != ':' || !digits(14, 2, mi) || s[16] != ':' ||
      !digits(17, 2, sec))
    return std::nullopt;
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  std::size_t i = 19;
  int ms = 0;
  if (i < s.size() && s[i] == '.') {
    std::size_t n = 0;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++n)
      if (n < 3) ms = ms * 10 + (s[i] - '0');
    if (n == 0 || n > 9) return std::nullopt;
    for (; n < 3; ++n) ms *= 10;
  }
  int offset_minutes = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (!digits(i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(i + 4, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_minutes = (s[i] == '+' ? 1 : -1) * (oh * 60 + om);
    i += 6;
  } else {
    return std::nullopt;  // a time without a zone is local time in JavaScript: refused
  }
  if (i != s.size()) return std::nullopt;
  return timestamp{sys_days{ymd}.time_since_epoch() + hours{h} + minutes{mi} + seconds{sec} + milliseconds{ms} -
                   minutes{offset_minutes}};
}

// --- strict parsing ------------------------------------------------------------------------------

enum class json_fault { none, syntax, too_deep, duplicate_key };

struct parsed_json {
  boost::json::value value;
  json_fault fault = json_fault::none;
  std::string detail;  // the duplicated key, for the message
};

/// A Boost.JSON SAX handler that builds the value through a value_stack and refuses a key met
/// twice in one object. Keys are checked as they complete; objects in a request body are small,
/// so a linear scan of the keys seen at this level is faster than hashing.
class strict_handler {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  boost::json::value_stack st;
  std::vector<std::vector<std::string>> keys;  // per open object
  std::string key_buf;
  std::string duplicate;

  bool on_document_begin(boost::json::error_code&) { return true; }
  bool on_document_end(boost::json::error_code&) { return true; }
  bool on_array_begin(boost::json::error_code&) { return true; }
  bool on_array_end(std::size_t n, boost::json::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_object_begin(boost::json::error_code&) {
    keys.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t n, boost::json::error_code&) {
    keys.pop_back();
    st.push_object(n);
    return true;
  }
  bool on_string_part(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    key_buf.append(s.data(), s.size());
    st.push_chars(s);
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, boost::json::error_code& ec) {
    key_buf.append(s.data(), s.size());
    auto& seen = keys.back();
    for (const auto& k : seen) {
      if (k == key_buf) {
        duplicate = key_buf;
        ec = boost::json::error::syntax;  // stops the parse; the handler's `duplicate` says why
        return false;
      }
    }
    seen.push_back(std::move(key_buf));
    key_buf.clear();
    st.push_key(s);
    return true;
  }
  bool on_number_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_int64(std::int64_t i, boost::json::string_view, boost::json::error_code&) {
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, boost::json::string_view, boost::json::error_code&) {
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, boost::json::string_view, boost::json::error_code&) {
    st.push_double(d);
    return true;
  }
  bool on_bool(bool b, boost::json::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(boost::json::error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::json::error_code&) { return true; }
};

/// Parses a whole request body strictly (see the header comment).
inline parsed_json parse_json(std::string_view text, std::size_t max_depth) {
  boost::json::parse_options options;
  options.max_depth = max_depth;
  options.allow_invalid_utf8 = false;
  boost::json::basic_parser<strict_handler> parser(options);
  parser.handler().st.reset();
  boost::json::error_code ec;
  const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  parsed_json out;
  if (!parser.handler().duplicate.empty()) {
    out.fault = json_fault::duplicate_key;
    out.detail = parser.handler().duplicate;
  } else if (ec == boost::json::error::too_deep) {
    out.fault = json_fault::too_deep;
  } else if (ec || used != text.size()) {
    out.fault = json_fault::syntax;
  } else {
    out.value = parser.handler().st.release();
  }
  return out;
}

// --- values ---------------------------------------------------------------------------------------

/// The name zod gives a JSON value's type in "expected X, received Y" (nullptr: absent).
inline std::string_view received_type(const boost::json::value* v) {
  if (!v) return "undefined";
  switch (v->kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return "boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: return "number";
    case boost::json::kind::string: return "string";
    case boost::json::kind::array: return "array";
    case boost::json::kind::object: return "object";
  }
  return "unknown";
}

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

/// Whether the HTTP layer can write and read a member of type T.
template <class T>
inline constexpr bool json_mappable_v = std::is_same_v<T, std::string> || std::is_same_v<T, bool> ||
                                        std::is_same_v<T, timestamp> ||
                                        (std::is_arithmetic_v<T> && !std::is_same_v<T, char>);
template <class T>
inline constexpr bool json_mappable_v<std::optional<T>> = json_mappable_v<T>;

/// diag::ok, or E140 for the first member of Row whose type has no JSON form. The culprit is
/// Hana's accessor of the member, whose type names it (`member_ptr<..., &user::tags>`).
template <class Row>
consteval auto json_check() {
  using accessors = decltype(boost::hana::transform(boost::hana::accessors<Row>(), [](auto pair) {
    return boost::hana::type_c<std::decay_t<decltype(boost::hana::second(pair))>>;
  }));
  return []<class... Accessors>(boost::hana::basic_tuple<Accessors...>) {
    return diag::first_failure_t<std::conditional_t<
        json_mappable_v<std::decay_t<std::invoke_result_t<typename Accessors::type, Row&>>>, diag::ok,
        diag::not_json_mappable<typename Accessors::type, std::decay_t<std::invoke_result_t<typename Accessors::type, Row&>>>>...>{};
  }(boost::hana::to<boost::hana::basic_tuple_tag>(accessors{}));
}

template <class T>
boost::json::value to_json(const T& v, boost::json::storage_ptr sp) {
  if constexpr (is_optional<T>::value) {
    if (!v) return boost::json::value(nullptr, sp);
    return to_json(*v, sp);
  } else if constexpr (std::is_same_v<T, std::string>) {
    // JSON out is always valid text, even for a row the application wrote without anonauth's
    // text rules.
    return boost::json::value(boost::json::string_view(replace_invalid_utf8(v)), sp);
  } else if constexpr (std::is_same_v<T, timestamp>) {
    return boost::json::value(boost::json::string_view(iso8601(v)), sp);
  } else if constexpr (std::is_same_v<T, bool>) {
    return boost::json::value(v, sp);
  } else if constexpr (std::is_floating_point_v<T>) {
    return boost::json::value(static_cast<double>(v), sp);
  } else if constexpr (std::is_signed_v<T>) {
    return boost::json::value(static_cast<std::int64_t>(v), sp);
  } else {
    return boost::json::value(static_cast<std::uint64_t>(v), sp);
  }
}

/// Every described member of `row`, camelCase-named, in declaration order.
template <class Row>
void put_row(boost::json::object& out, const Row& row) {
  boost::hana::for_each(boost::hana::accessors<Row>(), [&](auto pair) {
    using value = std::decay_t<decltype(boost::hana::second(pair)(row))>;
    if constexpr (json_mappable_v<value>)  // otherwise E140, reported once by the handler
      out.emplace(camel_case(boost::hana::to<const char*>(boost::hana::first(pair))),
                  to_json(boost::hana::second(pair)(row), out.storage()));
  });
}

/// Reads `v` into `out`; on a mismatch, zod's text of the issue ("Invalid input: expected
/// string, received number") and `out` unchanged.
template <class T>
std::optional<std::string> from_json(const boost::json::value& v, T& out) {
  auto expected = [&](std::string_view what) {
    return std::optional<std::string>("Invalid input: expected " + std::string(what) + ", received " +
                                      std::string(received_type(&v)));
  };
  if constexpr (is_optional<T>::value) {
    if (v.is_null()) {
      out.reset();
      return std::nullopt;
    }
    typename T::value_type inner{};
    if (auto issue = from_json(v, inner)) return issue;
    out = std::move(inner);
    return std::nullopt;
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) return expected("string");
    out.assign(v.get_string().data(), v.get_string().size());
    return std::nullopt;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_bool()) return expected("boolean");
    out = v.get_bool();
    return std::nullopt;
  } else if constexpr (std::is_same_v<T, timestamp>) {
    if (!v.is_string()) return expected("date");
    auto t = parse_iso8601(std::string_view(v.get_string().data(), v.get_string().size()));
    if (!t) return std::optional<std::string>("Invalid input: expected date, received Date");
    out = *t;
    return std::nullopt;
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!v.is_number()) return expected("number");
    const double d = v.to_number<double>();
    if (!std::isfinite(d)) return expected("number");
    out = static_cast<T>(d);
    return std::nullopt;
  } else {
    static_assert(std::is_integral_v<T>);
    if (!v.is_number()) return expected("number");
    boost::json::error_code ec;
    const T n = v.to_number<T>(ec);  // refuses a fraction and what does not fit
    if (ec) {
      if (v.is_double() && std::trunc(v.get_double()) != v.get_double())
        return std::optional<std::string>("Invalid input: expected int, received number");
      return std::optional<std::string>("Too big: expected number to fit in " + std::to_string(sizeof(T) * 8) +
                                        " bits");
    }
    out = n;
    return std::nullopt;
  }
}

}  // namespace detail
}  // namespace anonauth::http
