// The defences of docs/security.md, configured as a deployment would and exercised: rate limits
// per address and per email, bounded hashing, strict linking, fields clients may not set, a
// bounded session, and a sink that watches sign-in failures and refusals. The snippets of
// docs/security.md are the regions below.
#include <anonauth/anonauth.hpp>

#include <chrono>
#include <iostream>
#include <optional>
#include <string>

namespace aa = anonauth;

struct user {
  BOOST_HANA_DEFINE_STRUCT(user,
      (std::string, id), (std::string, name), (std::string, email),
      (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
      (aa::timestamp, created_at), (aa::timestamp, updated_at),
      (std::string, role), (std::string, plan));
};
struct cart_item {
  BOOST_HANA_DEFINE_STRUCT(cart_item, (std::string, id), (std::string, user_id), (std::string, sku));
};
using cart_items = aa::table<"cart_items", cart_item, aa::user_ref<&cart_item::user_id>>;
using on_link = aa::link_migrations<aa::reassign<&cart_item::user_id>>;

// snippet: server-set
using app_schema = aa::schema<aa::user_table<user>, cart_items,
                              aa::server_set<&user::role, &user::plan>>;  // clients read them, never set them
// end snippet

// snippet: sessions
struct bounded_sessions {
  static constexpr std::chrono::seconds lifetime{std::chrono::days{7}};
  static constexpr std::chrono::seconds update_age{std::chrono::days{1}};
  static constexpr std::chrono::seconds absolute_lifetime{std::chrono::days{30}};  // ends 30 days after sign-in
};
// end snippet

// snippet: sink
struct security_log {
  void operator()(const aa::events::sign_in_failed& e) { std::cout << "failed sign-in from " << e.ip_address << "\n"; }
  void operator()(const aa::events::request_refused& e) {
    std::cout << e.code << " for " << aa::to_string(e.operation) << " from " << e.ip_address << "\n";
  }
  template <class Event>
  void operator()(const Event&) {}  // every other event
};
// end snippet

// snippet: auth-type
using auth_type = aa::anonymous_auth<app_schema, aa::link<on_link>,
                                     aa::rate_limit<aa::credential_limits>,  // Better Auth's production limits
                                     aa::strict_linking,                     // link only when the sign-in asks
                                     aa::sessions<bounded_sessions>, aa::audit<security_log>>;
static_assert(auth_type::session_absolute_lifetime == std::chrono::days{30});
// end snippet

int main() {
  const aa::memory_storage::config config{};
  // snippet: limits
  aa::credential_limits_config limits;
  limits.email_sign_in = {5, std::chrono::minutes{1}};
  limits.per_email = {20, std::chrono::hours{1}};
  auth_type auth{config, aa::credential_limits{limits},
                 aa::hashing_limits{.in_flight = 4, .max_wait = std::chrono::seconds{1}}};
  // end snippet

  const aa::request_context browser{std::nullopt, "203.0.113.7", "Firefox/128.0"};
  auto guest = auth.sign_in_anonymous(browser);
  auth.table<cart_item>().insert({"c1", guest->user.id, "mug"});

  // The upgrade form asks for the link; without link_guest, the guest would stay as it is.
  aa::request_context upgrade{guest->token, browser.ip_address, browser.user_agent};
  upgrade.link_guest = true;
  auto account = auth.sign_up_email({"ada@example.com", "correct horse battery", "Ada", std::nullopt}, upgrade);
  std::cout << "cart moved: " << (auth.table<cart_item>().find("c1")->user_id == account->user.id) << "\n";

  const aa::request_context signed_in{account->token, browser.ip_address, browser.user_agent};
  auto refused = auth.update_user(signed_in, [](user& u) { u.role = "admin"; });
  std::cout << refused.error() << "\n";  // 400 FIELD_NOT_ALLOWED: role is not allowed to be set
  // snippet: server-edit
  auto upgraded = auth.update_user_by_id(account->user.id, [](user& u) { u.plan = "pro"; });  // the server's own edit
  // end snippet
  std::cout << "plan: " << upgraded->plan << "\n";

  const aa::request_context attacker{std::nullopt, "198.51.100.66", "curl/8.0"};
  for (int i = 0; i < 6; ++i) {
    auto guess = auth.sign_in_email({"ada@example.com", "guess-" + std::to_string(i)}, attacker);
    if (guess.error() == aa::errors::too_many_requests)
      std::cout << "guess " << i + 1 << ": retry after " << guess.error().retry_after()->count() << " s\n";
  }
}
