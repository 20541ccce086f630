// libFuzzer harness: sign_up_email with arbitrary fields and request, then sign_in_email with the
// same or mutated credentials, then update_user with a fuzzed name and image; on the memory
// storage and on SQLite in memory (the first input byte chooses).
//
// Every answer is checked against a model built from the rules' statements (fuzz/reference.hpp)
// and from what the auth accepted before:
// - a sign-up is accepted exactly when every field follows the rules and the lower-cased email is
//   free; a refusal names a rule the input breaks, is a 4xx and leaves the users as they were;
// - an accepted sign-up stores the email lower-cased, the name and image byte for byte, opens a
//   session for the request, and, when the request carries a guest's session, links the guest
//   (its cart and drafts move, its bio and location are copied, it is deleted);
// - a sign-in succeeds exactly when the lower-cased email has a credential with that password;
// - update_user accepts exactly a real change of valid fields and stores it byte for byte;
// - every stored string follows the text rules, and no exception escapes.
#include "common.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace {

using namespace fuzz;

/// The credentials of every accepted sign-up, by lower-case email.
struct credential {
  std::string password;
  std::string user_id;
};

template <class Storage>
struct state {
  using auth_type = auth_t<Storage>;
  auth_slot<auth_type> slot;
  std::map<std::string, credential> credentials;
};

/// What the request of an operation carries.
enum class carrier { nothing, arbitrary_token, fresh_guest };

/// A guest with some data for the link migrations to move, and its state before the operation.
struct guest_with_data {
  aa::signed_in<user> guest;
  user before;
  std::string cart_id;
  std::string draft_id;
};

template <class Auth>
guest_with_data make_guest(Auth& auth, FuzzedDataProvider& in) {
  guest_with_data g{new_guest(auth), {}, {}, {}};
  const std::string& id = g.guest.user.id;
  if (in.ConsumeBool()) {
    g.cart_id = "cart-" + id;
    auth.template table<cart_item>().insert({g.cart_id, id, "sku-1", 2});
  }
  if (in.ConsumeBool()) {
    g.draft_id = "draft-" + id;
    auth.template table<draft>().insert({g.draft_id, id, "a draft"});
  }
  const auto bio = optional_text(in, {"  a bio\n", "bio", " \t "}, 200);
  const auto location = optional_text(in, {"Paris", ""}, 100);
  if (bio || location) {
    // Refused when a fuzzed value breaks the rules: the guest then keeps its old values.
    (void)auth.update_user(fixtures::with_token(g.guest.token), [&](user& u) {
      u.bio = bio;
      u.location = location;
    });
  }
  const auto stored = auth.find_user(id);
  FUZZ_REQUIRE(stored.has_value(), "a fresh guest is stored");
  g.before = *stored;
  return g;
}

aa::request_context make_request(FuzzedDataProvider& in, carrier c, const guest_with_data* guest) {
  aa::request_context request{std::nullopt, ip_address(in), user_agent(in)};
  if (c == carrier::arbitrary_token) request.session_token = in.ConsumeRandomLengthString(600);
  if (c == carrier::fresh_guest) request.session_token = guest->guest.token;
  return request;
}

/// After a sign-up or sign-in that linked `g` into `target` (stored now), the seed link's effects.
template <class Auth>
void check_linked(Auth& auth, const guest_with_data& g, const user& target_before, const user& target_after,
                  const std::string& context) {
  FUZZ_REQUIRE(!auth.find_user(g.guest.user.id), context + ": the linked guest is deleted");
  FUZZ_REQUIRE(!auth.get_session(g.guest.token), context + ": the linked guest's session is gone");
  if (!g.cart_id.empty()) {
    const auto item = auth.template table<cart_item>().find(g.cart_id);
    FUZZ_REQUIRE(item && item->user_id == target_after.id, context + ": the guest's cart item moved");
  }
  if (!g.draft_id.empty()) {
    const auto d = auth.template table<draft>().find(g.draft_id);
    FUZZ_REQUIRE(d && d->author_id == target_after.id, context + ": the guest's draft moved");
  }
  // copy_if_empty<&user::bio>: the guest's bio, trimmed, into an empty (or blank) bio.
  const std::string source = reference::trim(g.before.bio.value_or(""));
  const bool copy = !source.empty() && reference::trim(target_before.bio.value_or("")).empty();
  const std::optional<std::string> bio = copy ? std::optional<std::string>(source) : target_before.bio;
  FUZZ_REQUIRE(target_after.bio == bio, context + ": bio " + printable(target_after.bio) + ", expected " + printable(bio));
  // copy_fields<&user::location>: the guest's location wherever it has one.
  const auto location = g.before.location ? g.before.location : target_before.location;
  FUZZ_REQUIRE(target_after.location == location,
               context + ": location " + printable(target_after.location) + ", expected " + printable(location));
}

/// The signed-in answer matches storage: the user as stored, a working session of the request.
template <class Auth>
void check_signed_in(Auth& auth, const aa::signed_in<user>& done, const aa::request_context& request,
                     const std::string& context) {
  const auto stored = auth.find_user(done.user.id);
  FUZZ_REQUIRE(stored.has_value(), context + ": the signed-in user is stored");
  FUZZ_REQUIRE(boost::hana::equal(*stored, done.user), context + ": the answer's user is the stored user");
  check_stored_user(*stored);
  check_stored_records(auth, *stored);
  const auto view = auth.get_session(done.token);
  FUZZ_REQUIRE(view && view->user.id == done.user.id, context + ": the new session works");
  FUZZ_REQUIRE(view->session.ip_address == request.ip_address && view->session.user_agent == request.user_agent,
               context + ": the session stores the request's address and agent");
}

template <class Storage>
void run(FuzzedDataProvider& in) {
  static state<Storage> s;
  if (s.slot.refresh(4000, 3000)) s.credentials.clear();
  auto& auth = *s.slot.auth;
  s.slot.clock.advance(std::chrono::milliseconds{in.ConsumeIntegralInRange(0, 5000)});

  // --- sign-up ---------------------------------------------------------------------------------
  const auto c = static_cast<carrier>(in.ConsumeIntegralInRange(0, 2));
  std::optional<guest_with_data> guest;
  if (c == carrier::fresh_guest) guest = make_guest(auth, in);

  aa::email_sign_up body;
  body.email = email(in);
  body.password = text(in, {"correct-horse-battery", "p\xC3\xA4ssw\xC3\xB6rd-\xF0\x9F\x94\x91", "12345678", "short",
                            "tab\tand\nnewline ok"},
                       300);
  body.name = text(in, {"Ada Lovelace", "Zo\xC3\xAB", "\xE5\x90\x8D\xE5\x89\x8D", "", " "}, 300);
  body.image = optional_text(in, {"https://example.com/a.png", ""}, 2100);
  const aa::request_context request = make_request(in, c, guest ? &*guest : nullptr);

  const std::string lower_email = reference::lower_ascii(body.email);
  const auto password_points = reference::decode_utf8(body.password);
  const std::size_t users_before = fixtures::user_count(auth);
  const bool taken = reference::email_accepted(body.email) && !users_with_email(auth, lower_email).empty();

  refusals expected;
  expected.add_if(!reference::email_accepted(body.email), aa::errors::invalid_email);
  name_refusals(expected, body.name);
  expected.add_if(!image_ok(body.image), aa::errors::invalid_input);
  if (!password_points || body.password.find('\0') != std::string::npos) {
    // Broken text: refused as such, or by a length rule counted over it.
    expected.add(aa::errors::invalid_input);
    expected.add(aa::errors::password_too_short);
    expected.add(aa::errors::password_too_long);
  } else {
    const std::size_t units = reference::utf16_units(*password_points);
    expected.add_if(units < aa::limits::min_password, aa::errors::password_too_short);
    expected.add_if(units > aa::limits::max_password, aa::errors::password_too_long);
  }
  expected.add_if(!request_ok(request), aa::errors::invalid_input);
  expected.add_if(taken, aa::errors::user_already_exists_use_another_email);

  const std::string context = "sign_up_email(email " + printable(body.email) + ", password " + printable(body.password) +
                              ", name " + printable(body.name) + ", image " + printable(body.image) + ", ip " +
                              printable(request.ip_address) + ", agent " + printable(request.user_agent) + ")";
  auto up = auth.sign_up_email(body, request);
  std::optional<std::string> user_id;
  if (!expected.empty()) {
    require_refused_as(up, expected, context);
    FUZZ_REQUIRE(fixtures::user_count(auth) == users_before, context + ": a refusal changed the user count");
    if (guest) FUZZ_REQUIRE(auth.get_session(guest->guest.token), context + ": a refusal ended the guest's session");
  } else {
    FUZZ_REQUIRE(up.has_value(), context + ": refused: " + outcome(up));
    const user& u = up->user;
    FUZZ_REQUIRE(u.email == lower_email, context + ": stored email " + printable(u.email));
    FUZZ_REQUIRE(u.name == body.name, context + ": stored name " + printable(u.name));
    FUZZ_REQUIRE(u.image == body.image, context + ": stored image " + printable(u.image));
    FUZZ_REQUIRE(!u.is_anonymous && !u.email_verified, context + ": flags");
    check_signed_in(auth, *up, request, context);
    const std::size_t linked = guest ? 1 : 0;
    FUZZ_REQUIRE(fixtures::user_count(auth) == users_before + 1 - linked, context + ": user count");
    if (guest) check_linked(auth, *guest, user{}, *auth.find_user(u.id), context);
    s.credentials[lower_email] = credential{body.password, u.id};
    user_id = u.id;
  }

  // --- sign-in ---------------------------------------------------------------------------------
  aa::email_sign_in credentials{body.email, body.password};
  switch (in.ConsumeIntegralInRange(0, 4)) {
    case 0: break;  // the same
    case 1:         // the email in other letter case
      for (char& ch : credentials.email)
        if (in.ConsumeBool()) ch = static_cast<char>(ch ^ ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z' ? 0x20 : 0));
      break;
    case 2:  // the password mutated
      credentials.password = text(in, {"correct-horse-battery", "correct-horse-batterY"}, 300);
      break;
    case 3: credentials.email = email(in); break;
    default:
      credentials.email = email(in);
      credentials.password = in.ConsumeRandomLengthString(300);
      break;
  }
  const auto c2 = static_cast<carrier>(in.ConsumeIntegralInRange(0, 2));
  std::optional<guest_with_data> guest2;
  if (c2 == carrier::fresh_guest) guest2 = make_guest(auth, in);
  const aa::request_context request2 =
      make_request(in, c2, guest2 ? &*guest2 : nullptr);

  const std::string email2 = reference::lower_ascii(credentials.email);
  const auto known = s.credentials.find(email2);
  const auto points2 = reference::decode_utf8(credentials.password);
  const bool password_too_long = (points2 ? reference::utf16_units(*points2) : credentials.password.size()) >
                                 aa::limits::max_password;
  const bool password_fits = points2 && credentials.password.find('\0') == std::string::npos && !password_too_long;
  refusals expected2;
  expected2.add_if(!reference::email_accepted(credentials.email), aa::errors::invalid_email);
  expected2.add_if(password_too_long, aa::errors::password_too_long);
  expected2.add_if(!password_fits, aa::errors::invalid_email_or_password);
  expected2.add_if(!request_ok(request2), aa::errors::invalid_input);
  expected2.add_if(known == s.credentials.end() || known->second.password != credentials.password,
                   aa::errors::invalid_email_or_password);

  const std::optional<user> target_before =
      known != s.credentials.end() ? auth.find_user(known->second.user_id) : std::nullopt;
  const std::size_t users_before2 = fixtures::user_count(auth);
  const std::string context2 = "sign_in_email(email " + printable(credentials.email) + ", password " +
                               printable(credentials.password) + ", ip " + printable(request2.ip_address) + ") after " +
                               context + ": " + outcome(up);
  auto in2 = auth.sign_in_email(credentials, request2);
  if (!expected2.empty()) {
    require_refused_as(in2, expected2, context2);
    FUZZ_REQUIRE(fixtures::user_count(auth) == users_before2, context2 + ": a refusal changed the user count");
  } else {
    FUZZ_REQUIRE(in2.has_value(), context2 + ": refused: " + outcome(in2));
    FUZZ_REQUIRE(in2->user.id == known->second.user_id, context2 + ": signed in another user");
    check_signed_in(auth, *in2, request2, context2);
    FUZZ_REQUIRE(fixtures::user_count(auth) == users_before2 - (guest2 ? 1 : 0), context2 + ": user count");
    if (guest2) check_linked(auth, *guest2, *target_before, *auth.find_user(in2->user.id), context2);
    user_id = in2->user.id;
  }

  // --- update-user -----------------------------------------------------------------------------
  std::optional<std::string> token;
  if (in2) token = in2->token;
  else if (up) token = up->token;
  if (!token || in.ConsumeIntegralInRange(0, 7) == 0) {
    token = in.ConsumeRandomLengthString(600);
    user_id.reset();
  }
  const std::optional<user> current = user_id ? auth.find_user(*user_id) : std::nullopt;
  FUZZ_REQUIRE(!user_id || current, "the signed-in user is stored");
  const bool set_name = in.ConsumeBool(), set_image = in.ConsumeBool();
  const std::string name = set_name ? text(in, {"New Name", "", "Ada Lovelace"}, 300) : std::string();
  const std::optional<std::string> image =
      set_image ? optional_text(in, {"https://example.com/b.png", ""}, 2100) : std::nullopt;

  refusals expected3;
  std::optional<user> wanted;
  if (!current) {
    expected3.add(aa::errors::unauthorized);
  } else {
    wanted = *current;
    if (set_name) wanted->name = name;
    if (set_image) wanted->image = image;
    const bool name_changed = wanted->name != current->name, image_changed = wanted->image != current->image;
    if (name_changed) name_refusals(expected3, wanted->name);
    expected3.add_if(image_changed && !image_ok(wanted->image), aa::errors::invalid_input);
    expected3.add_if(!name_changed && !image_changed, aa::errors::no_fields_to_update);
  }
  const std::size_t users_before3 = fixtures::user_count(auth);
  const std::string context3 = "update_user(name " + (set_name ? printable(name) : "unset") + ", image " +
                               (set_image ? printable(image) : "unset") + ") after " + context2 + ": " + outcome(in2);
  auto edited = auth.update_user(fixtures::with_token(*token), [&](user& u) {
    if (set_name) u.name = name;
    if (set_image) u.image = image;
  });
  FUZZ_REQUIRE(fixtures::user_count(auth) == users_before3, context3 + ": user count");
  if (!expected3.empty()) {
    require_refused_as(edited, expected3, context3);
    if (current) {
      const auto after = auth.find_user(current->id);
      FUZZ_REQUIRE(after && boost::hana::equal(*after, *current), context3 + ": a refusal changed the user");
    }
  } else {
    FUZZ_REQUIRE(edited.has_value(), context3 + ": refused: " + outcome(edited));
    const auto after = auth.find_user(current->id);
    FUZZ_REQUIRE(after && after->name == wanted->name && after->image == wanted->image,
                 context3 + ": stored name " + printable(after->name) + ", image " + printable(after->image));
    FUZZ_REQUIRE(after->updated_at == s.slot.clock.now(), context3 + ": updated_at");
    FUZZ_REQUIRE(boost::hana::equal(*after, *edited), context3 + ": the answer is the stored user");
    check_stored_user(*after);
  }

  // --- sign-out: the input's sessions end, so a user's sessions do not pile up over inputs --------
  for (const auto* done : {&up, &in2}) {
    if (!*done) continue;
    FUZZ_REQUIRE(auth.sign_out(fixtures::with_token((*done)->token)).has_value(), "sign_out always succeeds");
    FUZZ_REQUIRE(!auth.get_session((*done)->token), "a signed-out session is gone");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz::guarded([&] {
    FuzzedDataProvider in(data, size);
    fuzz::on_chosen_storage(in, [&]<class Storage>() { run<Storage>(in); });
  });
}
