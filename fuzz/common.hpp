// What the libFuzzer harnesses share: the auths under test (the seed schema of tests/support on
// the memory storage and on SQLite in memory), invariant checks that abort with a message, input
// generators over FuzzedDataProvider, and checks of every stored string.
#pragma once

#include "fixtures.hpp"
#include "reference.hpp"

#include <anonauth/storage/memory.hpp>
#ifdef ANONAUTH_HAS_SQLITE
#include <anonauth/storage/sqlite/sqlite.hpp>
#endif

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <initializer_list>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace fuzz {

namespace aa = anonauth;
using fixtures::cart_item;
using fixtures::draft;
using fixtures::user;

/// The auth of every harness: the seed schema and link, the manual clock, Argon2id at its
/// cheapest legal cost, on `Storage`.
template <class Storage, class... Options>
using auth_t = fixtures::test_auth<aa::storage<Storage>, Options...>;

/// Calls `run.template operator()<Storage>()` on the storage an input byte chooses: SQLite in
/// memory or the memory storage. Without anonauth::sqlite (ANONAUTH_HAS_SQLITE undefined) the
/// byte is read all the same and chooses the memory storage either way, so a corpus still reads
/// as it did.
template <class Run>
void on_chosen_storage(FuzzedDataProvider& in, Run&& run) {
  const bool sqlite = in.ConsumeBool();
#ifdef ANONAUTH_HAS_SQLITE
  if (sqlite) {
    run.template operator()<aa::sqlite_storage>();
    return;
  }
#else
  (void)sqlite;
#endif
  run.template operator()<aa::memory_storage>();
}

// --- failing -----------------------------------------------------------------------------------

[[noreturn]] inline void violated(const char* file, int line, const char* condition, const std::string& detail) {
  std::fprintf(stderr, "\n%s:%d: invariant violated: %s\n  %s\n", file, line, condition, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

/// Aborts (a crash for libFuzzer) unless `condition` holds; `detail` is only built on failure.
#define FUZZ_REQUIRE(condition, detail)                                                     \
  do {                                                                                      \
    if (!(condition)) ::fuzz::violated(__FILE__, __LINE__, #condition, std::string(detail)); \
  } while (false)

/// Bytes as a C string literal would spell them, for failure messages.
inline std::string printable(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (b >= 0x20 && b < 0x7F) {
      out += c;
    } else {
      out += "\\x";
      out += hex[b >> 4];
      out += hex[b & 0xF];
    }
  }
  return out + "\"";
}

inline std::string printable(const std::string& s) { return printable(std::string_view(s)); }
inline std::string printable(const char* s) { return printable(std::string_view(s)); }
inline std::string printable(const std::optional<std::string>& s) { return s ? printable(*s) : std::string("nullopt"); }

template <class T>
std::string outcome(const aa::result<T>& r) {
  if (r) return "success";
  return std::to_string(r.error().status()) + " " + std::string(r.error().code()) + ": " + std::string(r.error().message());
}

/// Runs one fuzz input; an exception escaping an operation (none is documented for these inputs
/// on these storages) is reported as a failure with its message.
template <class Fn>
int guarded(Fn&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    violated(__FILE__, __LINE__, "no exception escapes an operation", std::string("uncaught: ") + e.what());
  } catch (...) {
    violated(__FILE__, __LINE__, "no exception escapes an operation", "uncaught non-std exception");
  }
  return 0;
}

// --- refusals ----------------------------------------------------------------------------------

/// The refusals an input may earn: a set of error codes, each with its status.
class refusals {
 public:
  void add(const aa::error_code& kind) { codes_.insert(std::string(kind.code)); }
  void add_if(bool condition, const aa::error_code& kind) {
    if (condition) add(kind);
  }
  [[nodiscard]] bool empty() const { return codes_.empty(); }
  [[nodiscard]] bool contains(std::string_view code) const { return codes_.count(std::string(code)) != 0; }
  [[nodiscard]] std::string list() const {
    std::string out;
    for (const auto& c : codes_) out += (out.empty() ? "" : ", ") + c;
    return "{" + out + "}";
  }

 private:
  std::set<std::string> codes_;
};

/// A refused operation: one of the expected codes, a client error (4xx), never a 500.
template <class T>
void require_refused_as(const aa::result<T>& r, const refusals& expected, const std::string& context) {
  FUZZ_REQUIRE(!r.has_value(), context + ": accepted, expected one of " + expected.list());
  FUZZ_REQUIRE(expected.contains(r.error().code()), context + ": " + outcome(r) + ", expected one of " + expected.list());
  const int status = r.error().status();
  FUZZ_REQUIRE(status == 400 || status == 401 || status == 403 || status == 422 || status == 429,
               context + ": " + outcome(r));
}

/// What the operations answer a name that breaks the rules: INVALID_NAME when empty or too long,
/// INVALID_INPUT for NUL, invalid UTF-8 or controls.
inline void name_refusals(refusals& out, std::string_view name) {
  if (name.empty() || name.size() > aa::limits::max_name) out.add(aa::errors::invalid_name);
  else if (!reference::text_ok(name, aa::limits::max_name)) out.add(aa::errors::invalid_input);
}

inline bool name_ok(std::string_view name) {
  return !name.empty() && reference::text_ok(name, aa::limits::max_name);
}

inline bool image_ok(const std::optional<std::string>& image) {
  return !image || reference::text_ok(*image, aa::limits::max_image);
}

inline bool request_ok(const aa::request_context& r) {
  return reference::text_ok(r.ip_address, aa::limits::max_ip_address) &&
         reference::text_ok(r.user_agent, aa::limits::max_user_agent);
}

// --- generators --------------------------------------------------------------------------------

/// A string: one of `pool` (most often), one of `pool` with fuzzed bytes spliced in, or
/// arbitrary bytes, at most `max` of them. An exhausted input gives pool[0].
inline std::string text(FuzzedDataProvider& in, std::initializer_list<std::string_view> pool, std::size_t max) {
  const std::vector<std::string_view> choices(pool);
  const auto pick = [&] { return std::string(choices[in.ConsumeIntegralInRange<std::size_t>(0, choices.size() - 1)]); };
  switch (in.ConsumeIntegralInRange(0, 3)) {
    case 0:
    case 1: return pick();
    case 2: {
      std::string s = pick();
      const std::size_t at = in.ConsumeIntegralInRange<std::size_t>(0, s.size());
      const std::size_t cut = in.ConsumeIntegralInRange<std::size_t>(0, s.size() - at);
      s.replace(at, cut, in.ConsumeRandomLengthString(16));
      return s.size() > max ? s.substr(0, max) : s;
    }
    default: return in.ConsumeRandomLengthString(max);
  }
}

inline std::optional<std::string> optional_text(FuzzedDataProvider& in, std::initializer_list<std::string_view> pool,
                                                std::size_t max) {
  if (!in.ConsumeBool()) return std::nullopt;
  return text(in, pool, max);
}

/// An email: a known one, "<local>@<domain>.<tld>" from fuzzed parts, or arbitrary bytes.
inline std::string email(FuzzedDataProvider& in) {
  if (in.ConsumeIntegralInRange(0, 2) == 1) {
    std::string local = text(in, {"ada", "Bob.Smith+tag", "x_y-z'q", ".dot", "a..b"}, 80);
    std::string domain = text(in, {"example", "mail.example", "EXAMPLE", "-bad", "x"}, 80);
    std::string tld = text(in, {"com", "IO", "x", "c0m", "org"}, 16);
    return local + "@" + domain + "." + tld;
  }
  return text(in, {"ada@example.com", "ADA@Example.COM", "bob.smith+tag@mail.example.org", "x@y.io", "a@b.c",
                   "temp@guest.com"},
              300);
}

inline std::string ip_address(FuzzedDataProvider& in) {
  return text(in,
              {"203.0.113.7", "198.51.100.1", "2001:db8::1", "2001:db8::2", "::ffff:203.0.113.7", "fe80::1%eth0", "",
               "::1", "unknown"},
              80);
}

inline std::string user_agent(FuzzedDataProvider& in) {
  return text(in, {"anonauth-fuzz/1.0", "Mozilla/5.0 (X11; Linux x86_64)", "", "agent\twith\ttabs"}, 1100);
}

// --- storage inspection ------------------------------------------------------------------------

template <class Auth>
std::vector<aa::session_record> sessions_of(Auth& auth, std::string_view user_id) {
  return auth.storage().read([&](const auto& tx) { return tx.sessions_of_user(user_id); });
}

template <class Auth>
std::optional<aa::account> account_of(Auth& auth, std::string_view provider, std::string_view account_id) {
  return auth.storage().read([&](const auto& tx) { return tx.find_account(provider, account_id); });
}

template <class Auth>
std::vector<user> users_with_email(Auth& auth, const std::string& email) {
  return auth.template table<user>().template find_by<&user::email>(email);
}

/// Every string stored for a user follows the text rules; the email is stored lower-case.
inline void check_stored_user(const user& u) {
  const std::string who = "user " + printable(u.id);
  FUZZ_REQUIRE(u.id.size() == 32 && fixtures::is_alnum(u.id), who + ": id");
  FUZZ_REQUIRE(name_ok(u.name), who + ": stored name " + printable(u.name));
  FUZZ_REQUIRE(reference::email_accepted(u.email), who + ": stored email " + printable(u.email));
  FUZZ_REQUIRE(reference::lower_ascii(u.email) == u.email, who + ": stored email not lower-case " + printable(u.email));
  FUZZ_REQUIRE(image_ok(u.image), who + ": stored image " + printable(u.image));
  FUZZ_REQUIRE(!u.bio || reference::text_ok(*u.bio, aa::limits::max_text_field, true), who + ": stored bio");
  FUZZ_REQUIRE(!u.location || reference::text_ok(*u.location, aa::limits::max_text_field, true),
               who + ": stored location");
}

/// The same for a user's sessions and accounts.
template <class Auth>
void check_stored_records(Auth& auth, const user& u) {
  for (const auto& record : sessions_of(auth, u.id)) {
    const aa::session& s = record.session;
    FUZZ_REQUIRE(s.user_id == u.id, "session of " + printable(u.id) + " names user " + printable(s.user_id));
    FUZZ_REQUIRE(reference::text_ok(s.ip_address, aa::limits::max_ip_address), "stored ip " + printable(s.ip_address));
    FUZZ_REQUIRE(reference::text_ok(s.user_agent, aa::limits::max_user_agent), "stored agent " + printable(s.user_agent));
    FUZZ_REQUIRE(s.created_at <= s.updated_at && s.updated_at < s.expires_at, "session times of " + printable(u.id));
  }
  for (const auto& a : fixtures::accounts_of(auth, u.id)) {
    FUZZ_REQUIRE(!a.provider_id.empty() && reference::text_ok(a.provider_id, aa::limits::max_identifier),
                 "stored provider " + printable(a.provider_id));
    FUZZ_REQUIRE(!a.account_id.empty() && reference::text_ok(a.account_id, aa::limits::max_identifier),
                 "stored account id " + printable(a.account_id));
    FUZZ_REQUIRE((a.provider_id == aa::credential_provider) == a.password_hash.has_value(),
                 "password hash on a non-credential account, or none on a credential one");
    FUZZ_REQUIRE(!u.is_anonymous, "an account on guest " + printable(u.id));
  }
}

/// A full scan: every user, guest or not, with its sessions and accounts. Also checks that the
/// two halves of the scan add up to the table's count.
template <class Auth>
void check_all_stored(Auth& auth) {
  auto guests = auth.template table<user>().template find_by<&user::is_anonymous>(true);
  auto others = auth.template table<user>().template find_by<&user::is_anonymous>(false);
  FUZZ_REQUIRE(guests.size() + others.size() == fixtures::user_count(auth), "users by is_anonymous vs count");
  for (const auto* list : {&guests, &others})
    for (const user& u : *list) {
      check_stored_user(u);
      check_stored_records(auth, u);
    }
}

// --- state -------------------------------------------------------------------------------------

/// One auth kept across fuzz inputs (an input is one request sequence on it), rebuilt now and
/// then so that its state stays small.
template <class Auth>
struct auth_slot {
  fixtures::manual_clock clock;
  std::unique_ptr<Auth> auth;
  std::size_t inputs = 0;

  /// Rebuilds the auth every `every` inputs, or once it holds more than `max_users` users;
  /// returns whether it did (the caller then forgets its model of the old one).
  bool refresh(std::size_t every, std::size_t max_users) {
    if (auth && ++inputs < every && fixtures::user_count(*auth) <= max_users) {
      if (inputs % 512 == 0) check_all_stored(*auth);
      return false;
    }
    if (auth) check_all_stored(*auth);
    auth.reset();
    auth = std::make_unique<Auth>(typename Auth::storage_config{}, clock);
    inputs = 0;
    return true;
  }
};

/// A new guest with no session on its request.
template <class Auth>
aa::signed_in<user> new_guest(Auth& auth) {
  auto guest = auth.sign_in_anonymous(fixtures::no_session());
  FUZZ_REQUIRE(guest.has_value(), "sign_in_anonymous with a plain request: " + outcome(guest));
  return std::move(*guest);
}

}  // namespace fuzz
