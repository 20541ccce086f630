// libFuzzer harness: sign_in_social with an arbitrary profile and request, on the memory storage
// and on SQLite in memory (the first input byte chooses), then the same profile again.
//
// The answer is checked against what storage held before the call:
// - a profile or request that breaks the rules (fuzz/reference.hpp) is refused with a 400 naming
//   a broken rule, and nothing changes;
// - a known (provider, account id) signs in its user; an unknown one whose email belongs to a
//   user links to that user only if both the provider and the user verified the email and the
//   user is no guest (otherwise 401 OAUTH_LINK_ERROR, nothing changes); a new email creates a
//   user with the email lower-cased, the name (or the email's local part) and image byte for
//   byte and the provider's verification;
// - a guest's session on the request links the guest, which is then deleted;
// - the same profile again signs in the same user and creates nobody;
// - every stored string follows the text rules, and no exception escapes.
#include "common.hpp"

#include <cstdint>
#include <string>

namespace {

using namespace fuzz;

template <class Storage>
struct state {
  auth_slot<auth_t<Storage>> slot;
};

template <class Storage>
void run(FuzzedDataProvider& in) {
  static state<Storage> s;
  s.slot.refresh(4000, 3000);
  auto& auth = *s.slot.auth;
  s.slot.clock.advance(std::chrono::milliseconds{in.ConsumeIntegralInRange(0, 5000)});

  aa::request_context request{std::nullopt, ip_address(in), user_agent(in)};
  std::optional<aa::signed_in<user>> guest;
  switch (in.ConsumeIntegralInRange(0, 2)) {
    case 0: break;
    case 1: request.session_token = in.ConsumeRandomLengthString(600); break;
    default:
      guest = new_guest(auth);
      request.session_token = guest->token;
      break;
  }

  aa::social_profile profile;
  profile.provider_id = text(in, {"google", "github", "credential", "", "apple"}, 300);
  profile.account_id = text(in, {"1", "2", "42", "", "acct-\xE2\x82\xAC"}, 300);
  profile.email = email(in);
  profile.name = text(in, {"", "First Last", "Zo\xC3\xAB", " "}, 300);
  profile.image = optional_text(in, {"https://example.com/p.png", ""}, 2100);
  profile.email_verified = in.ConsumeBool();

  const std::string lower_email = reference::lower_ascii(profile.email);
  refusals invalid;
  invalid.add_if(profile.provider_id.empty() || profile.account_id.empty() ||
                     profile.provider_id == aa::credential_provider,
                 aa::errors::invalid_social_profile);
  invalid.add_if(!reference::text_ok(profile.provider_id, aa::limits::max_identifier), aa::errors::invalid_input);
  invalid.add_if(!reference::text_ok(profile.account_id, aa::limits::max_identifier), aa::errors::invalid_input);
  invalid.add_if(!reference::email_accepted(profile.email), aa::errors::invalid_email);
  if (!profile.name.empty()) name_refusals(invalid, profile.name);
  invalid.add_if(!image_ok(profile.image), aa::errors::invalid_input);
  invalid.add_if(!request_ok(request), aa::errors::invalid_input);

  const std::size_t users_before = fixtures::user_count(auth);
  const std::string context =
      "sign_in_social(provider " + printable(profile.provider_id) + ", account " + printable(profile.account_id) +
      ", email " + printable(profile.email) + ", name " + printable(profile.name) + ", image " +
      printable(profile.image) + ", verified " + (profile.email_verified ? "yes" : "no") + ", ip " +
      printable(request.ip_address) + ", agent " + printable(request.user_agent) + ", token " +
      printable(request.session_token) + ")";

  if (!invalid.empty()) {
    auto r = auth.sign_in_social(profile, request);
    require_refused_as(r, invalid, context);
    FUZZ_REQUIRE(fixtures::user_count(auth) == users_before, context + ": a refusal changed the user count");
    if (guest) FUZZ_REQUIRE(auth.get_session(guest->token), context + ": a refusal ended the guest's session");
    return;
  }

  // What storage held before: the account, and a user with the email.
  const auto account = account_of(auth, profile.provider_id, profile.account_id);
  const auto owner = account ? auth.find_user(account->user_id) : std::nullopt;
  FUZZ_REQUIRE(!account || owner, context + ": an account whose user is gone");
  const auto same_email = users_with_email(auth, lower_email);
  FUZZ_REQUIRE(same_email.size() <= 1, context + ": two users with one email");
  const std::optional<user> existing = same_email.empty() ? std::nullopt : std::optional<user>(same_email.front());

  auto r = auth.sign_in_social(profile, request);
  const bool refuse_link =
      !account && existing && (!profile.email_verified || !existing->email_verified || existing->is_anonymous);
  if (refuse_link) {
    refusals expected;
    expected.add(aa::errors::account_not_linked);
    require_refused_as(r, expected, context);
    FUZZ_REQUIRE(fixtures::user_count(auth) == users_before, context + ": a refusal changed the user count");
    FUZZ_REQUIRE(!account_of(auth, profile.provider_id, profile.account_id), context + ": a refusal added an account");
    if (guest) FUZZ_REQUIRE(auth.get_session(guest->token), context + ": a refusal ended the guest's session");
    return;
  }
  FUZZ_REQUIRE(r.has_value(), context + ": refused: " + outcome(r));
  const user& u = r->user;
  const bool created = !account && !existing;
  if (account) FUZZ_REQUIRE(u.id == owner->id, context + ": not the account's user");
  else if (existing) FUZZ_REQUIRE(u.id == existing->id, context + ": not the user with the email");
  else {
    const std::string name = profile.name.empty() ? lower_email.substr(0, lower_email.find('@')) : profile.name;
    FUZZ_REQUIRE(u.email == lower_email, context + ": stored email " + printable(u.email));
    FUZZ_REQUIRE(u.name == name, context + ": stored name " + printable(u.name) + ", expected " + printable(name));
    FUZZ_REQUIRE(u.image == profile.image, context + ": stored image " + printable(u.image));
    FUZZ_REQUIRE(u.email_verified == profile.email_verified, context + ": email_verified");
  }
  FUZZ_REQUIRE(!u.is_anonymous, context + ": signed in a guest");

  const auto stored = auth.find_user(u.id);
  FUZZ_REQUIRE(stored && boost::hana::equal(*stored, u), context + ": the answer's user is the stored user");
  check_stored_user(*stored);
  check_stored_records(auth, *stored);
  const auto linked = account_of(auth, profile.provider_id, profile.account_id);
  FUZZ_REQUIRE(linked && linked->user_id == u.id && linked->provider_id == profile.provider_id &&
                   linked->account_id == profile.account_id && !linked->password_hash,
               context + ": the account is stored as given");
  const auto view = auth.get_session(r->token);
  FUZZ_REQUIRE(view && view->user.id == u.id && view->session.ip_address == request.ip_address &&
                   view->session.user_agent == request.user_agent,
               context + ": the new session works and stores the request's address and agent");

  const bool guest_linked = guest.has_value();
  FUZZ_REQUIRE(fixtures::user_count(auth) == users_before + (created ? 1 : 0) - (guest_linked ? 1 : 0),
               context + ": user count");
  if (guest_linked) {
    FUZZ_REQUIRE(!auth.find_user(guest->user.id), context + ": the linked guest is deleted");
    FUZZ_REQUIRE(!auth.get_session(guest->token), context + ": the linked guest's session is gone");
  }

  // The same profile again, with no guest: the same user, nobody new.
  const std::size_t users_after = fixtures::user_count(auth);
  auto again = auth.sign_in_social(profile, aa::request_context{std::nullopt, request.ip_address, request.user_agent});
  FUZZ_REQUIRE(again && again->user.id == u.id, context + ", again: " + outcome(again));
  FUZZ_REQUIRE(fixtures::user_count(auth) == users_after, context + ", again: user count");

  // End both sessions, so that a user's sessions do not pile up over inputs.
  for (const auto* done : {&r, &again}) {
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
