// anonauth/testing/detail/fixture.hpp: the conformance kit's schema, rows and population.
//
// A schema with every shape the contract speaks of: a user row with an app field, a table with
// one user reference, one with two (one of them kept on delete), and one with none.
#pragma once

#include <anonauth/core/time.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/crypto/sodium.hpp>
#include <anonauth/schema/schema.hpp>

#include <boost/hana/define_struct.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/members.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace anonauth::testing::kit {

struct member {
  BOOST_HANA_DEFINE_STRUCT(member, (std::string, id), (std::string, name), (std::string, email),
                           (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
                           (timestamp, created_at), (timestamp, updated_at), (std::optional<std::string>, nickname));
};

/// One user reference (cascade).
struct note {
  BOOST_HANA_DEFINE_STRUCT(note, (std::string, id), (std::string, owner_id), (std::string, text));
};

/// Two user references in one row, one of them kept on delete.
struct transfer {
  BOOST_HANA_DEFINE_STRUCT(transfer, (std::string, id), (std::string, sender_id), (std::string, receiver_id),
                           (int, amount));
};

/// No user reference at all.
struct tag {
  BOOST_HANA_DEFINE_STRUCT(tag, (std::string, id), (std::string, label));
};

using schema = anonauth::schema<user_table<member>, table<"notes", note, user_ref<&note::owner_id>>,
                                table<"transfers", transfer, user_ref<&transfer::sender_id>,
                                      user_ref<&transfer::receiver_id, on_delete::keep>>,
                                table<"tags", tag>>;

// --- describing values: equal values describe the same, and a failure prints both ------------

inline void put(std::string& out, const std::string& v) { out += '"' + v + '"'; }
inline void put(std::string& out, bool v) { out += v ? "true" : "false"; }
inline void put(std::string& out, int v) { out += std::to_string(v); }
inline void put(std::string& out, const std::optional<std::string>& v) {
  if (v) put(out, *v);
  else out += "null";
}
inline void put(std::string& out, timestamp v) { out += std::to_string(v.time_since_epoch().count()); }

template <class Row>
std::string describe(const Row& row) {
  std::string out = "{";
  boost::hana::for_each(boost::hana::members(row), [&](const auto& value) {
    put(out, value);
    out += ',';
  });
  out.back() = '}';
  return out;
}

/// The descriptions of some rows, sorted: for results in no particular order.
template <class Rows>
std::string describe_all(const Rows& rows) {
  std::vector<std::string> each;
  for (const auto& r : rows) each.push_back(describe(r));
  std::sort(each.begin(), each.end());
  std::string out = "[";
  for (const auto& e : each) out += e + ";";
  return out + "]";
}

/// The descriptions in the order given: for results whose order the contract fixes.
template <class Rows, class Describe>
std::string describe_in_order(const Rows& rows, Describe describe_one) {
  std::string out = "[";
  for (const auto& r : rows) out += describe_one(r) + ";";
  return out + "]";
}

inline std::string describe_session(const std::optional<session_record>& rec) {
  if (!rec) return "none";
  const auto& s = rec->session;
  std::string out = s.id + "|" + s.user_id + "|";
  for (auto t : {s.expires_at, s.created_at, s.updated_at}) out += std::to_string(t.time_since_epoch().count()) + "|";
  out += s.ip_address + "|" + s.user_agent + "|";
  for (auto b : rec->hash) out += std::to_string(b) + ".";
  return out;
}
inline std::string describe_session(const session_record& rec) { return describe_session(std::optional(rec)); }

inline std::string describe_account(const account& a) {
  std::string out = a.id + "|" + a.user_id + "|" + a.provider_id + "|" + a.account_id + "|" +
                    a.password_hash.value_or("null");
  for (auto t : {a.created_at, a.updated_at}) out += "|" + std::to_string(t.time_since_epoch().count());
  return out;
}

// --- values -------------------------------------------------------------------------------------

using ids = std::vector<std::string>;

inline const timestamp t0{std::chrono::milliseconds{1'700'000'000'000}};

inline member make_user(std::string id, std::string email, bool anonymous = false) {
  member m{};
  m.id = std::move(id);
  m.name = "Name of " + m.id;
  m.email = std::move(email);
  m.email_verified = false;
  m.is_anonymous = anonymous;
  m.created_at = t0;
  m.updated_at = t0;
  return m;
}

inline session_record make_session(const std::string& token, std::string user_id, timestamp created = t0) {
  session_record rec;
  rec.hash = crypto::hash_token(token);
  rec.session = session{"sid-" + token, std::move(user_id), created + std::chrono::hours(24), created, created,
                        "198.51.100.1", "ua"};
  return rec;
}

inline account make_account(std::string id, std::string user_id, std::string provider, std::string account_id,
                            std::optional<std::string> hash = std::nullopt, timestamp created = t0) {
  return account{std::move(id), std::move(user_id), std::move(provider), std::move(account_id), std::move(hash),
                 created, created};
}

// --- a standard population and a full snapshot --------------------------------------------------

// Every key the cases ever use, so that a snapshot sees every row that exists or could exist.
inline const std::vector<std::string> user_ids{"u1", "u2", "u3", "u4", "tmp", "tmp2"};
inline const std::vector<std::string> emails{"u1@example.com", "u2@example.com", "u3@example.com", "u4@example.com",
                                             "tmp@example.com", "renamed@example.com", "tmp2@example.com"};
inline const std::vector<std::string> tokens{"tok-1", "tok-2", "tok-3", "tok-4", "tok-new", "tok-x"};
inline const std::vector<std::pair<std::string, std::string>> provider_keys{
    {"credential", "u1"}, {"github", "gh-1"}, {"github", "gh-2"}, {"credential", "u3"}, {"gitlab", "gl-new"}};
inline const std::vector<std::string> note_ids{"n1", "n2", "n3", "n4", "n5", "n-new", "n-x"};
inline const std::vector<std::string> transfer_ids{"t1", "t2", "t3", "t4", "t-new"};
inline const std::vector<std::string> tag_ids{"tag1", "tag2", "tag-new"};

/// u1..u4 (u2 and u4 guests) with sessions, accounts, notes, transfers; two tags.
template <class Backend>
void populate(Backend& b) {
  b.write([](auto& tx) {
    tx.insert_user(make_user("u1", "u1@example.com"));
    tx.insert_user(make_user("u2", "u2@example.com", true));
    tx.insert_user(make_user("u3", "u3@example.com"));
    tx.insert_user(make_user("u4", "u4@example.com", true));
    tx.insert_session(make_session("tok-1", "u1"));
    tx.insert_session(make_session("tok-2", "u2"));
    tx.insert_session(make_session("tok-3", "u3"));
    tx.insert_session(make_session("tok-4", "u3"));
    tx.insert_account(make_account("a1", "u1", "credential", "u1", "hash-1"));
    tx.insert_account(make_account("a2", "u1", "github", "gh-1"));
    tx.insert_account(make_account("a3", "u3", "credential", "u3", "hash-3"));
    tx.insert_account(make_account("a4", "u2", "github", "gh-2"));
    tx.template insert<note>(note{"n1", "u1", "first"});
    tx.template insert<note>(note{"n2", "u1", "second"});
    tx.template insert<note>(note{"n3", "u2", "third"});
    tx.template insert<note>(note{"n4", "u3", "fourth"});
    tx.template insert<note>(note{"n5", "u4", "fifth"});
    tx.template insert<transfer>(transfer{"t1", "u1", "u2", 10});
    tx.template insert<transfer>(transfer{"t2", "u2", "u1", 20});
    tx.template insert<transfer>(transfer{"t3", "u3", "u2", 30});
    tx.template insert<transfer>(transfer{"t4", "u2", "u2", 40});
    tx.template insert<tag>(tag{"tag1", "red"});
    tx.template insert<tag>(tag{"tag2", "blue"});
  });
}

/// Everything the backend holds under every key the cases use, as one string.
template <class Backend>
std::string snapshot(Backend& b) {
  return b.read([](const auto& tx) {
    std::string out = "counts " + std::to_string(tx.template count<member>()) + " " +
                      std::to_string(tx.template count<note>()) + " " + std::to_string(tx.template count<transfer>()) +
                      " " + std::to_string(tx.template count<tag>()) + "\n";
    for (const auto& id : user_ids) {
      const auto u = tx.find_user(id);
      out += "user " + id + " " + (u ? describe(*u) : std::string("none")) + "\n";
      out += "  accounts " + describe_in_order(tx.accounts_of_user(id), describe_account) + "\n";
      out += "  sessions " + describe_in_order(tx.sessions_of_user(id), [](const session_record& r) {
               return describe_session(r);
             }) + "\n";
      out += "  notes " + describe_all(tx.template find_by<&note::owner_id>(id)) + "\n";
      out += "  sent " + describe_all(tx.template find_by<&transfer::sender_id>(id)) + "\n";
      out += "  received " + describe_all(tx.template find_by<&transfer::receiver_id>(id)) + "\n";
    }
    for (const auto& e : emails) {
      const auto u = tx.find_user_by_email(e);
      out += "email " + e + " -> " + (u ? u->id : std::string("none")) + "\n";
    }
    for (const auto& t : tokens) out += "session " + t + " " + describe_session(tx.find_session(crypto::hash_token(t))) + "\n";
    for (const auto& [p, a] : provider_keys) {
      const auto acc = tx.find_account(p, a);
      out += "provider " + p + "/" + a + " " + (acc ? describe_account(*acc) : std::string("none")) + "\n";
    }
    auto rows = [&](const char* label, const std::vector<std::string>& ids, auto find) {
      for (const auto& id : ids) {
        const auto r = find(id);
        out += std::string(label) + " " + id + " " + (r ? describe(*r) : std::string("none")) + "\n";
      }
    };
    rows("note", note_ids, [&](const std::string& id) { return tx.template find<note>(id); });
    rows("transfer", transfer_ids, [&](const std::string& id) { return tx.template find<transfer>(id); });
    rows("tag", tag_ids, [&](const std::string& id) { return tx.template find<tag>(id); });
    for (const char* label : {"red", "blue", "green"})
      out += std::string("label ") + label + " " + describe_all(tx.template find_by<&tag::label>(std::string(label))) + "\n";
    for (const char* text : {"first", "second", "edited"})
      out += std::string("text ") + text + " " + describe_all(tx.template find_by<&note::text>(std::string(text))) + "\n";
    return out;
  });
}

}  // namespace anonauth::testing::kit
