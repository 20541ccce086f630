// Guest checkout: a shopper fills a cart as a guest, then signs up; later a second guest on
// another device signs in to the same account and its cart merges in; then the server restarts
// and everything is still there. Every step prints what a user would see; the program checks
// what it prints and exits non-zero if any data was lost. Data lives in a SQLite file,
// guest_checkout.db in the working directory (or the path given as first argument).
#include <anonauth/anonauth.hpp>
#include <anonauth/storage/sqlite/sqlite.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aa = anonauth;

// --- rows ----------------------------------------------------------------------------------------

// [schema]
struct user {  // the 8 core fields, then the app's own
  BOOST_HANA_DEFINE_STRUCT(user,
    (std::string, id), (std::string, name), (std::string, email),
    (bool, email_verified), (std::optional<std::string>, image), (bool, is_anonymous),
    (aa::timestamp, created_at), (aa::timestamp, updated_at),
    (std::optional<std::string>, bio), (std::optional<std::string>, location));
};
struct cart_item {
  BOOST_HANA_DEFINE_STRUCT(cart_item,
    (std::string, id), (std::string, user_id), (std::string, sku), (int, quantity));
};
struct draft {
  BOOST_HANA_DEFINE_STRUCT(draft,
    (std::string, id), (std::string, author_id), (std::string, body));
};
struct note {  // messages shown to a user; written by the custom migrator below
  BOOST_HANA_DEFINE_STRUCT(note,
    (std::string, id), (std::string, user_id), (std::string, text));
};

using app_schema = aa::schema<
    aa::user_table<user>,
    aa::table<"cart_items", cart_item, aa::user_ref<&cart_item::user_id>>,
    aa::table<"drafts", draft, aa::user_ref<&draft::author_id>>,
    aa::table<"notes", note, aa::user_ref<&note::user_id>>>;
// [schema]

// --- link migrations -----------------------------------------------------------------------------

/// "1 item", "3 items".
std::string counted(std::size_t n, const std::string& noun) {
  return std::to_string(n) + ' ' + noun + (n == 1 ? "" : "s");
}

// [migrator]
// Runs last, inside the link transaction: leaves the account a note saying what it now holds.
struct welcome_note {
  template <class Ctx>
  void operator()(Ctx& ctx) const {
    const user& guest = ctx.anonymous_user();
    const user& account = ctx.new_user();
    const auto items = ctx.template table<cart_item>().template find_by<&cart_item::user_id>(account.id);
    const auto drafts = ctx.template table<draft>().template find_by<&draft::author_id>(account.id);
    const std::string text = "Linked " + guest.name + ": cart " + counted(items.size(), "item") + ", " +
                             counted(drafts.size(), "draft");
    ctx.template table<note>().insert(note{"welcome-" + guest.id, account.id, text});
  }
};
// [migrator]

// [auth]
using on_link = aa::link_migrations<
    aa::reassign<&cart_item::user_id>,  // the guest's cart now belongs to the account
    aa::reassign<&draft::author_id>,    // and so do its drafts
    aa::reassign<&note::user_id>,       // and its notes
    aa::copy_if_empty<&user::bio>,      // trimmed; only if the account has no bio yet
    aa::copy_fields<&user::location>,   // wherever the guest set one
    aa::on_link<welcome_note>>;         // custom, runs after the others

using auth_type = aa::anonymous_auth<app_schema,
    aa::storage<aa::sqlite_storage>,                 // a file: see main()
    aa::link<on_link>,
    aa::email<aa::domain_email<"guest.shop.example">>,
    aa::naming<aa::random_name<"Guest-", 8>>>;
// [auth]

// --- printing and checking -----------------------------------------------------------------------

namespace {

int failures = 0;

void step(int n, std::string_view title) { std::cout << '\n' << std::setw(2) << n << ". " << title << '\n'; }

void field(std::string_view label, std::string_view value) {
  std::cout << "      " << std::left << std::setw(11) << label << value << '\n' << std::right;
}

void check(bool ok, std::string_view what) {
  if (ok) return;
  ++failures;
  std::cerr << "CHECK FAILED: " << what << '\n';
}

/// The value of a successful operation; stops the demo on an error.
template <class T>
T must(aa::result<T> r, std::string_view what) {
  if (!r) {
    std::cerr << what << " failed: " << r.error() << '\n';
    std::exit(EXIT_FAILURE);
  }
  return std::move(*r);
}

std::vector<cart_item> cart_of(auth_type& auth, const std::string& user_id) {
  auto items = auth.table<cart_item>().find_by<&cart_item::user_id>(user_id);
  std::ranges::sort(items, {}, &cart_item::sku);
  return items;
}

std::string describe(const std::vector<cart_item>& items) {
  std::string out = counted(items.size(), "item") + ":";
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i ? ", " : " ") + items[i].sku + " x" + std::to_string(items[i].quantity);
  return out;
}

std::string quoted(const std::optional<std::string>& s) { return s ? '"' + *s + '"' : "(none)"; }

aa::request_context browser(std::optional<std::string> token = std::nullopt) {
  return {std::move(token), "203.0.113.7", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"};
}

/// Shows that a guest was deleted by its link: no user row, and its session token is refused.
void show_guest_gone(auth_type& auth, const aa::signed_in<user>& guest) {
  const bool token_refused = !auth.get_session(guest.token).has_value();
  const bool row_deleted = !auth.find_user(guest.user.id).has_value();
  field("guest", row_deleted ? guest.user.name + " deleted" : guest.user.name + " STILL EXISTS");
  field("old token", token_refused ? "no longer valid" : "STILL VALID");
  check(row_deleted, "the guest's row is deleted after linking");
  check(token_refused, "the guest's session token is refused after linking");
}

}  // namespace

int main(int argc, char** argv) {
  const std::string database = argc > 1 ? argv[1] : "guest_checkout.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((database + suffix).c_str());  // start afresh
  std::optional<auth_type> server;
  server.emplace(aa::sqlite_config{.path = database});  // default Argon2id password hashing
  auth_type& auth = *server;
  const std::string email = "ada@example.com";
  const std::string password = "correct horse battery staple";

  std::cout << "anonauth demo: guest checkout (data in " << database << ")\n";

  // --- first guest: sign in, shop, then sign up --------------------------------------------------
  step(1, "A visitor continues as guest");
  const auto guest = must(auth.sign_in_anonymous(browser()), "sign-in as guest");
  field("name", guest.user.name);
  field("email", guest.user.email);
  field("anonymous", guest.user.is_anonymous ? "yes" : "no");
  check(guest.user.name.starts_with("Guest-") && guest.user.name.size() == 14, "name is Guest-xxxxxxxx");
  check(guest.user.email.ends_with("@guest.shop.example"), "guest email is on guest.shop.example");
  check(guest.user.is_anonymous, "the guest is anonymous");

  step(2, "The guest fills the cart");
  auto cart = auth.table<cart_item>();
  cart.insert({"c1", guest.user.id, "mug", 2});
  cart.insert({"c2", guest.user.id, "t-shirt", 1});
  cart.insert({"c3", guest.user.id, "tote-bag", 1});
  field("cart", describe(cart_of(auth, guest.user.id)));

  step(3, "The guest writes a draft review");
  auth.table<draft>().insert({"d1", guest.user.id, "The mug keeps coffee hot for ages."});
  field("draft", "\"The mug keeps coffee hot for ages.\"");

  step(4, "The guest fills in a profile");
  const user profile = must(auth.update_user(browser(guest.token), [](user& u) {
    u.bio = "  Coffee lover.  ";  // copy_if_empty trims it on linking
    u.location = "Lisbon";
  }), "update profile");
  field("bio", quoted(profile.bio));
  field("location", quoted(profile.location));

  step(5, "The guest signs up with email and password");
  const auto account = must(auth.sign_up_email({email, password, "Ada", std::nullopt}, browser(guest.token)),
                            "sign-up");
  const auto account_cart = cart_of(auth, account.user.id);
  const auto account_drafts = auth.table<draft>().find_by<&draft::author_id>(account.user.id);
  const auto account_notes = auth.table<note>().find_by<&note::user_id>(account.user.id);
  field("account", account.user.name + " <" + account.user.email + ">, anonymous: " +
                       (account.user.is_anonymous ? "yes" : "no"));
  field("cart", describe(account_cart));
  field("draft", account_drafts.empty() ? "MISSING" : '"' + account_drafts.front().body + "\" (carried over)");
  field("bio", quoted(account.user.bio) + " (copied, trimmed)");
  field("location", quoted(account.user.location) + " (copied)");
  field("note", account_notes.empty() ? "(none)" : account_notes.front().text);
  show_guest_gone(auth, guest);
  check(!account.user.is_anonymous, "the account is not anonymous");
  check(account_cart.size() == 3, "3 cart items carried over");
  check(account_drafts.size() == 1 && account_drafts.front().body == "The mug keeps coffee hot for ages.",
        "the draft carried over");
  check(account.user.bio == "Coffee lover.", "the bio carried over, trimmed");
  check(account.user.location == "Lisbon", "the location carried over");
  check(account_notes.size() == 1, "the custom migrator left a note");

  // --- second guest: shop on another device, then sign in to the same account --------------------
  step(6, "Later, on a phone: a new guest session");
  const auto phone = must(auth.sign_in_anonymous(browser()), "sign-in as guest");
  field("name", phone.user.name);
  field("email", phone.user.email);
  check(phone.user.id != guest.user.id && phone.user.is_anonymous, "a second, new guest");

  step(7, "The second guest adds 2 items and a profile");
  cart.insert({"c4", phone.user.id, "coffee-beans", 3});
  cart.insert({"c5", phone.user.id, "sticker", 5});
  const user phone_profile = must(auth.update_user(browser(phone.token), [](user& u) {
    u.bio = "Tea, actually.";  // the account already has a bio: not copied
    u.location = "Porto";       // copy_fields: the guest's value wins
  }), "update profile");
  field("cart", describe(cart_of(auth, phone.user.id)));
  field("bio", quoted(phone_profile.bio));
  field("location", quoted(phone_profile.location));

  step(8, "The second guest signs in to " + email);
  const auto merged = must(auth.sign_in_email({email, password}, browser(phone.token)), "sign-in");
  const auto merged_cart = cart_of(auth, merged.user.id);
  const auto merged_notes = auth.table<note>().find_by<&note::user_id>(merged.user.id);
  const auto merge_note = auth.table<note>().find("welcome-" + phone.user.id);
  const auto stored = auth.find_user(merged.user.id);
  const bool same_account = merged.user.id == account.user.id;
  field("account", merged.user.email + (same_account ? " (same account)" : " (ANOTHER ACCOUNT)"));
  field("cart", describe(merged_cart));
  field("bio", quoted(stored ? stored->bio : std::nullopt) + " (kept: the account had one)");
  field("location", quoted(stored ? stored->location : std::nullopt) + " (the guest's, copied)");
  field("note", merge_note ? merge_note->text : "(none)");
  show_guest_gone(auth, phone);
  check(same_account, "signed in to the existing account");
  check(merged_cart.size() == 5, "the carts merged: 5 items");
  check(stored && stored->bio == "Coffee lover.", "copy_if_empty kept the account's bio");
  check(stored && stored->location == "Porto", "copy_fields took the second guest's location");
  check(merge_note && merged_notes.size() == 2, "one note per link");
  check(auth.table<user>().count() == 1, "only the account is left");

  // --- the server restarts: a new process would open the same file -------------------------------
  step(9, "The server restarts");
  const std::string account_id = merged.user.id;
  server.reset();  // closes the database
  server.emplace(aa::sqlite_config{.path = database});
  auth_type& restarted = *server;
  const auto back = must(restarted.sign_in_email({email, password}, browser()), "sign-in after restart");
  const auto cart_after = cart_of(restarted, back.user.id);
  const auto still_signed_in = restarted.get_session(merged.token);
  field("database", "reopened " + database);
  field("sign-in", back.user.email + (back.user.id == account_id ? " (same account)" : " (ANOTHER ACCOUNT)"));
  field("cart", describe(cart_after));
  field("session", still_signed_in ? "the phone's session is still valid" : "the phone's session was LOST");
  check(back.user.id == account_id, "the account survived the restart");
  check(cart_after.size() == 5, "the cart survived the restart");
  check(still_signed_in.has_value(), "sessions survived the restart");

  std::cout << '\n';
  if (failures != 0) {
    std::cout << "FAILED: " << failures << " check(s) did not hold\n";
    return EXIT_FAILURE;
  }
  std::cout << "Summary: 2 guests linked into " << email << ": cart " << merged_cart.size()
            << " items, 1 draft, bio and location carried over; both guests deleted; all of it survived a restart.\n";
  return EXIT_SUCCESS;
}
