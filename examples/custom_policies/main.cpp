// Custom policies: an email policy, a naming policy that reads the request, a policy object
// configured at run time, a clock the program controls, and the side effects of a link kept out
// of its transaction. Prints what each does and exits
// non-zero if any of it does not behave as described. docs/writing-a-policy.md shows it piece by
// piece (the "snippet" regions, checked by CTest).
#include <anonauth/anonauth.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aa = anonauth;

struct user {
  BOOST_HANA_DEFINE_STRUCT(user,
    (std::string, id), (std::string, name), (std::string, email),
    (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
    (aa::timestamp, created_at), (aa::timestamp, updated_at));
};
using app_schema = aa::schema<aa::user_table<user>>;

// snippet: email
// An email policy: `generate(ctx)` returns the guest's synthetic address. Its result is checked
// like Better Auth's z.email() (INVALID_EMAIL_FORMAT otherwise) and stored lower-cased, so its
// random part is drawn from lower-case letters and digits: all of it survives.
struct short_code_email {
  std::string generate(aa::generation_context& ctx) const {
    return "guest." + ctx.random_string(12, "abcdefghijklmnopqrstuvwxyz0123456789") + "@guests.example.net";
  }
};
// end snippet

// snippet: naming
// A naming policy that reads the request: "Firefox guest 4821". An empty result falls back to
// "Anonymous".
struct browser_name {
  std::string generate(aa::generation_context& ctx) const {
    const std::string_view agent = ctx.request().user_agent;
    for (std::string_view browser : {"Firefox", "Chrome", "Safari", "curl"})
      if (agent.find(browser) != std::string_view::npos)
        return std::string(browser) + " guest " + ctx.random_string(4, "0123456789");
    return "";
  }
};
// end snippet

// snippet: clock
// A clock the program moves by hand. Copies share one time, so the copy handed to the
// constructor still follows `advance`; atomic, because request threads read it concurrently.
struct manual_clock {
  std::shared_ptr<std::atomic<std::int64_t>> ms =
      std::make_shared<std::atomic<std::int64_t>>(1'893'456'000'000);  // 2030-01-01 00:00 UTC

  aa::timestamp now() const { return aa::timestamp{std::chrono::milliseconds{ms->load()}}; }
  void advance(std::chrono::milliseconds by) const { ms->fetch_add(by.count()); }
};
// end snippet

// A policy whose result is not an email: sign-in is refused.
struct broken_email {
  std::string generate(aa::generation_context&) const { return "guest-at-nowhere"; }
};

// Stands for a mail service or a message queue: what a link that rolled back must not reach.
// The sink below calls it from request threads at once, so it takes a lock.
class outbox {
 public:
  void push(std::string message) {
    const std::lock_guard lock(mutex_);
    messages_.push_back(std::move(message));
  }
  std::vector<std::string> messages() const {
    const std::lock_guard lock(mutex_);
    return messages_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> messages_;
};

// snippet: link-side-effects
// A custom migrator does database work only: it runs inside the link's transaction, and what it
// does commits or rolls back with the link. This one refuses links to a closed domain.
struct refuse_closed_domain {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    if (ctx.new_user().email.ends_with("@closed.example"))
      throw aa::error_exception(aa::error("DOMAIN_CLOSED", "This domain takes no new accounts", 403));
  }
};

// The welcome email is a side effect outside the database: the audit sink sends it, called once
// the link committed (guest_linked); a link that rolled back reports link_failed instead. It
// runs on the request's thread, so it hands the email on rather than sending it there.
struct welcome_mailer {
  std::shared_ptr<outbox> mail = std::make_shared<outbox>();  // copies share it

  void operator()(const aa::events::guest_linked& e) const { mail->push("welcome " + e.user_id); }
  void operator()(const auto&) const {}  // every other event
};

using linking_auth = aa::anonymous_auth<app_schema,
    aa::link<aa::link_migrations<aa::on_link<refuse_closed_domain>>>,
    aa::audit<welcome_mailer>>;
// end snippet

// snippet: auth
using auth_type = aa::anonymous_auth<app_schema,
    aa::email<short_code_email>,
    aa::naming<browser_name>,
    aa::clock<manual_clock>>;

using configured_auth = aa::anonymous_auth<app_schema, aa::email<aa::runtime_domain_email>>;
// end snippet

namespace {

int failures = 0;

void step(int n, std::string_view title) { std::cout << '\n' << n << ". " << title << '\n'; }

void field(std::string_view label, std::string_view value) {
  std::cout << "     " << std::left << std::setw(18) << label << value << '\n' << std::right;
}

void check(bool ok, std::string_view what) {
  if (ok) return;
  ++failures;
  std::cerr << "CHECK FAILED: " << what << '\n';
}

aa::request_context from(std::string user_agent) {
  return {std::nullopt, "198.51.100.4", std::move(user_agent)};
}

std::string date(aa::timestamp t) {
  const std::chrono::year_month_day day{std::chrono::floor<std::chrono::days>(t)};
  std::ostringstream out;
  out << static_cast<int>(day.year()) << '-' << std::setfill('0') << std::setw(2)
      << static_cast<unsigned>(day.month()) << '-' << std::setw(2) << static_cast<unsigned>(day.day());
  return out.str();
}

bool is_lower(std::string_view s) {
  for (char c : s)
    if (c >= 'A' && c <= 'Z') return false;
  return true;
}

}  // namespace

int main() {
  std::cout << "anonauth example: custom policies\n";

  // snippet: construct
  manual_clock clock;
  auth_type auth{aa::memory_storage::config{}, clock};  // the auth keeps a copy sharing the time
  // end snippet

  step(1, "Custom email and naming policies");
  const auto firefox = auth.sign_in_anonymous(from("Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"));
  const auto curl = auth.sign_in_anonymous(from("curl/8.5.0"));
  const auto unknown = auth.sign_in_anonymous(from(""));
  check(firefox && curl && unknown, "guests sign in");
  if (!firefox || !curl || !unknown) return EXIT_FAILURE;
  field("Firefox visitor", firefox->user.name + " <" + firefox->user.email + ">");
  field("curl visitor", curl->user.name + " <" + curl->user.email + ">");
  field("no user agent", unknown->user.name + " (the fallback)");
  check(firefox->user.name.starts_with("Firefox guest ") && firefox->user.name.size() == 18, "name from the agent");
  check(curl->user.name.starts_with("curl guest "), "name from the agent");
  check(unknown->user.name == "Anonymous", "an empty name falls back to Anonymous");
  check(firefox->user.email.starts_with("guest.") && firefox->user.email.ends_with("@guests.example.net") &&
            is_lower(firefox->user.email),
        "email from the custom policy, lower-cased");
  {
    // The policy's own output is lower-case already: lower-casing it loses none of its randomness.
    aa::sodium_random random;
    const aa::request_context request = from("curl/8.5.0");
    aa::generation_context ctx(random, request);
    bool all_lower = true;
    for (int i = 0; i < 100; ++i) all_lower = all_lower && is_lower(short_code_email{}.generate(ctx));
    check(all_lower, "the email policy generates lower-case addresses");
  }

  step(2, "A custom email that is not an email");
  aa::anonymous_auth<app_schema, aa::email<broken_email>> strict;
  const auto refused = strict.sign_in_anonymous(from("curl/8.5.0"));
  if (refused) {
    check(false, "an invalid generated email is refused");
  } else {
    const aa::error& e = refused.error();
    field("sign-in refused", std::to_string(e.status()) + " " + std::string(e.code()));
    check(refused.error() == aa::errors::invalid_email_format, "refused with INVALID_EMAIL_FORMAT");
  }

  step(3, "A policy object configured at run time");
  // snippet: runtime
  const std::string domain = "guest.example.org";  // e.g. read from a configuration file
  configured_auth configured{aa::memory_storage::config{}, aa::runtime_domain_email{domain}};
  // end snippet
  const auto guest = configured.sign_in_anonymous(from("curl/8.5.0"));
  check(guest.has_value(), "sign-in with a runtime domain");
  if (guest) {
    field("email", guest->user.email);
    check(guest->user.email.starts_with("temp-") && guest->user.email.ends_with("@" + domain), "runtime domain");
  }

  step(4, "A custom clock");
  field("signed in", date(firefox->session.created_at));
  field("session expires", date(firefox->session.expires_at));
  check(firefox->session.created_at == clock.now(), "sessions start at the clock's time");
  check(firefox->session.expires_at == firefox->session.created_at + std::chrono::days{7}, "sessions last 7 days");
  clock.advance(std::chrono::days{6});
  const bool valid_after_6 = auth.get_session(firefox->token).has_value();  // and extended: in use
  field("after 6 days", valid_after_6 ? "session valid, extended by its use" : "session EXPIRED");
  clock.advance(std::chrono::days{7} + std::chrono::seconds{1});  // 7 days after its last use
  const bool valid_after_7 = auth.get_session(firefox->token).has_value();
  field("7 days unused", valid_after_7 ? "session STILL VALID" : "session expired");
  check(valid_after_6 && !valid_after_7, "the auth follows the custom clock");

  step(5, "Side effects of a link: sent by the audit sink");
  // snippet: link-construct
  welcome_mailer mailer;
  linking_auth linking{aa::memory_storage::config{}, mailer};  // the auth's copy shares the outbox
  // end snippet
  const auto visitor = linking.sign_in_anonymous(from("curl/8.5.0"));
  check(visitor.has_value(), "a guest signs in");
  if (!visitor) return EXIT_FAILURE;
  const aa::request_context upgrade{visitor->token, "198.51.100.4", "curl/8.5.0"};
  const auto closed = linking.sign_up_email({"ada@closed.example", "correct horse battery", "Ada", std::nullopt}, upgrade);
  field("closed domain", closed ? "LINKED" : std::string(closed.error().code()) + ", rolled back");
  field("outbox", std::to_string(mailer.mail->messages().size()) + " email(s)");
  check(!closed && closed.error().code() == "DOMAIN_CLOSED", "the migrator refuses the link");
  check(mailer.mail->messages().empty(), "no email for a link that rolled back");
  const auto open = linking.sign_up_email({"ada@open.example", "correct horse battery", "Ada", std::nullopt}, upgrade);
  check(open.has_value(), "the guest, untouched by the rollback, links to another account");
  if (open) {
    field("open domain", "linked to " + open->user.email);
    field("outbox", mailer.mail->messages().empty() ? std::string("empty") : mailer.mail->messages().front());
    check(mailer.mail->messages() == std::vector<std::string>{"welcome " + open->user.id},
          "one email, sent once the link committed");
  }

  std::cout << '\n';
  if (failures != 0) {
    std::cout << "FAILED: " << failures << " check(s) did not hold\n";
    return EXIT_FAILURE;
  }
  std::cout << "All checks passed.\n";
  return EXIT_SUCCESS;
}
