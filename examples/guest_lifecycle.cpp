// The guest lifecycle beyond Better Auth: rate-limited guest sign-ins, promotion in place, an
// audit log, the purge of stale guests, sessions as a policy and the rules for outside text.
// docs/guest-lifecycle.md shows it piece by piece (the "snippet" regions, checked by CTest).
#include <anonauth/anonauth.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

namespace aa = anonauth;

struct user {
  BOOST_HANA_DEFINE_STRUCT(user,
    (std::string, id), (std::string, name), (std::string, email),
    (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
    (aa::timestamp, created_at), (aa::timestamp, updated_at));
};
struct cart_item {
  BOOST_HANA_DEFINE_STRUCT(cart_item,
    (std::string, id), (std::string, user_id), (std::string, sku), (int, quantity));
};
using app_schema = aa::schema<
    aa::user_table<user>,
    aa::table<"cart_items", cart_item, aa::user_ref<&cart_item::user_id>>>;

// snippet: options
struct monthly_sessions {  // Better Auth's expiresIn and updateAge
  static constexpr std::chrono::seconds lifetime = std::chrono::days{30};
  static constexpr std::chrono::seconds update_age = std::chrono::days{1};
};

using auth_type = aa::anonymous_auth<app_schema,
    aa::link<aa::link_migrations<aa::reassign<&cart_item::user_id>>>,
    aa::rate_limit<aa::per_ip<10, std::chrono::minutes>>,  // 10 guests a minute per address
    aa::audit<aa::json_lines_file>,                         // one JSON line per event
    aa::on_sign_up<aa::promote_in_place>,                   // sign-up keeps the guest's id
    aa::sessions<monthly_sessions>>;
// end snippet

int main() {
  std::filesystem::remove("audit.jsonl");  // a fresh log for each run of the example
  // snippet: construct
  auth_type auth{aa::memory_storage::config{}, aa::json_lines_file{"audit.jsonl"}};
  // end snippet

  // snippet: rate_limit
  const aa::request_context from_one_address{std::nullopt, "203.0.113.7", "Firefox/128.0"};
  for (int i = 0; i < 11; ++i) {
    auto guest = auth.sign_in_anonymous(from_one_address);
    if (!guest && guest.error() == aa::errors::too_many_requests)  // the 11th: 429
      std::cout << "retry after " << guest.error().retry_after()->count() << " s\n";  // Retry-After: 6
  }
  // end snippet

  // snippet: promote
  auto guest = auth.sign_in_anonymous({std::nullopt, "198.51.100.4", "Firefox/128.0"});
  auth.table<cart_item>().insert({"c1", guest->user.id, "mug", 2});
  auto account = auth.sign_up_email({"ada@example.com", "correct horse battery", "Ada", std::nullopt},
                                    {guest->token, "198.51.100.4", "Firefox/128.0"});
  // The same id: the cart never had to move.
  std::cout << (account->user.id == guest->user.id ? "promoted in place\n" : "new user\n");
  // end snippet

  // snippet: hostile
  auto refused = auth.sign_up_email({"eve@example.com", "correct horse battery", "Eve\x1b[2J", std::nullopt}, {});
  std::cout << refused.error() << "\n";  // 400 INVALID_INPUT: name contains a control character
  // end snippet

  // snippet: purge
  // From a cron job or a thread: guests unseen for 30 days go, with their rows, 256 per transaction.
  const aa::timestamp cutoff = aa::system_clock{}.now() - std::chrono::days{30};
  const std::size_t purged = auth.purge_anonymous_users(cutoff, aa::purge_by::last_seen);
  // end snippet
  std::cout << "purged " << purged << "\n";

  std::ifstream log("audit.jsonl");
  std::size_t lines = 0;
  for (std::string line; std::getline(log, line);) {
    ++lines;
    if (line.find(R"("event":"guest_promoted")") != std::string::npos) std::cout << "audited: guest_promoted\n";
  }
  // 10 + 1 guests created, the 11th sign-in refused, 1 promoted, 1 signed up
  std::cout << "audit lines: " << lines << "\n";
  return lines == 14 ? 0 : 1;
}
