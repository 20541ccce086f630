// aa::audit<Sink>: which events the operations report, with what, and only once the outcome is
// known. On the memory storage and on SQLite.
#include "catch.hpp"
#include "fixtures.hpp"
#include "storages.hpp"

#include <anonauth/audit/json_lines_file.hpp>

#include <chrono>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

using namespace fixtures;

namespace {

/// A guest_linked whose migrator list is copied out of the call.
struct linked_copy {
  aa::events::guest_linked event;
  std::vector<aa::events::migrator_rows> migrated;
};
using recorded = std::variant<aa::events::guest_created, linked_copy, aa::events::guest_promoted,
                              aa::events::link_failed, aa::events::guest_deleted, aa::events::guests_purged,
                              aa::events::signed_in, aa::events::sign_in_failed, aa::events::signed_up,
                              aa::events::signed_out, aa::events::sessions_revoked, aa::events::request_refused>;

/// Keeps every event; copies of the sink share one list (the auth holds its own copy).
struct recording_sink {
  std::shared_ptr<std::vector<recorded>> events = std::make_shared<std::vector<recorded>>();

  void operator()(const aa::events::guest_linked& e) {
    events->push_back(linked_copy{e, {e.migrated.begin(), e.migrated.end()}});
  }
  template <class Event>
  void operator()(const Event& e) {
    events->push_back(e);
  }

  template <class Event>
  [[nodiscard]] std::vector<Event> all() const {
    std::vector<Event> out;
    for (const auto& r : *events)
      if (const auto* e = std::get_if<Event>(&r)) out.push_back(*e);
    return out;
  }
};

/// Fails the link after the cart moved.
struct failing_migrator {
  template <class Ctx>
  void operator()(Ctx&) const {
    throw std::runtime_error("warehouse unreachable");
  }
};

template <class Storage, class... Options>
using audited_auth = test_auth<aa::storage<Storage>, aa::audit<recording_sink>, Options...>;

template <class Storage>
using failing_auth = auth_with_link<aa::link_migrations<aa::reassign<&cart_item::user_id>, aa::reassign<&draft::author_id>,
                                                        aa::on_link<failing_migrator>>,
                                    aa::storage<Storage>, aa::audit<recording_sink>>;

std::string fresh_log_path() {
  static int next = 0;
  return test_files::unique_path("audit-" + std::to_string(++next) + ".jsonl");
}

}  // namespace

static_assert(audited_auth<aa::memory_storage>::audited && !default_auth::audited);
// Without a sink, a link carries no record of what it did.
static_assert(std::is_empty_v<aa::detail::link_note<false, 4>>);

TEMPLATE_TEST_CASE("audit.guest_created_once_per_anonymous_sign_in", "[audit]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  recording_sink sink;
  audited_auth<TestType> auth{storages::fresh_config<TestType>("audit"), clock, sink};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest);
  // Refused: a guest signing in anonymously again. Nothing to report.
  REQUIRE_FALSE(auth.sign_in_anonymous(with_token(guest->token)));

  const auto created = sink.all<aa::events::guest_created>();
  REQUIRE(sink.events->size() == 1);
  REQUIRE(created.size() == 1);
  CHECK(created[0].user_id == guest->user.id);
  CHECK(created[0].ip_address == test_ip);
  CHECK(created[0].at == clock.now());
}

TEMPLATE_TEST_CASE("audit.guest_linked_with_the_rows_of_each_migrator", "[audit]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  recording_sink sink;
  audited_auth<TestType> auth{storages::fresh_config<TestType>("audit"), clock, sink};
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest);
  for (int i = 0; i < 3; ++i) auth.template table<cart_item>().insert({"c" + std::to_string(i), guest->user.id, "sku", 1});
  auth.template table<draft>().insert({"d", guest->user.id, "text"});
  REQUIRE(auth.update_user(with_token(guest->token), [](user& u) { u.bio = "  likes tea "; }));
  clock.advance(std::chrono::seconds{30});

  auto account = auth.sign_up_email(sign_up_body("linked@example.com"), with_token(guest->token));
  REQUIRE(account);
  const auto linked = sink.all<linked_copy>();
  REQUIRE(linked.size() == 1);
  const auto& e = linked[0];
  CHECK(e.event.guest_id == guest->user.id);
  CHECK(e.event.user_id == account->user.id);
  CHECK(e.event.via == aa::events::link_via::sign_up_email);
  CHECK(e.event.guest_deleted);
  CHECK(e.event.at == clock.now());
  // seed_link, in order: the cart, the drafts, the bio (copied), the location (the guest had none).
  REQUIRE(e.migrated.size() == 4);
  CHECK(e.migrated[0].migrator == "reassign");
  CHECK(e.migrated[0].table == "cart_items");
  CHECK(e.migrated[0].columns == "user_id");
  CHECK(e.migrated[0].rows == std::optional<std::size_t>(3));
  CHECK(e.migrated[1].table == "drafts");
  CHECK(e.migrated[1].columns == "author_id");
  CHECK(e.migrated[1].rows == std::optional<std::size_t>(1));
  CHECK(e.migrated[2].migrator == "copy_if_empty");
  CHECK(e.migrated[2].table == "user");
  CHECK(e.migrated[2].columns == "bio");
  CHECK(e.migrated[2].rows == std::optional<std::size_t>(1));
  CHECK(e.migrated[3].migrator == "copy_fields");
  CHECK(e.migrated[3].columns == "location");
  CHECK(e.migrated[3].rows == std::optional<std::size_t>(0));
  CHECK(sink.all<aa::events::link_failed>().empty());
}

TEMPLATE_TEST_CASE("audit.link_failed_with_its_reason_and_nothing_else", "[audit]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  recording_sink sink;
  failing_auth<TestType> auth{storages::fresh_config<TestType>("audit"), clock, sink};
  auto owner = auth.sign_up_email(sign_up_body("owner@example.com"), no_session());
  REQUIRE(owner);
  auto guest = auth.sign_in_anonymous(no_session());
  REQUIRE(guest);
  auth.template table<cart_item>().insert({"c", guest->user.id, "sku", 1});

  auto refused = auth.sign_in_email({"owner@example.com", std::string(test_password)}, with_token(guest->token));
  REQUIRE_FALSE(refused);
  const auto failed = sink.all<aa::events::link_failed>();
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].guest_id == guest->user.id);
  CHECK(failed[0].user_id == owner->user.id);
  CHECK(failed[0].via == aa::events::link_via::sign_in_email);
  CHECK(failed[0].code == "LINK_MIGRATION_FAILED");
  CHECK(failed[0].message == refused.error().message());
  CHECK(sink.all<linked_copy>().empty());
  // What the event says is true: the cart still belongs to the guest.
  CHECK(auth.template table<cart_item>().find("c")->user_id == guest->user.id);
}

TEMPLATE_TEST_CASE("audit.sign_ins_without_a_guest_report_no_link", "[audit]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  recording_sink sink;
  audited_auth<TestType> auth{storages::fresh_config<TestType>("audit"), clock, sink};
  REQUIRE(auth.sign_up_email(sign_up_body("plain@example.com"), no_session()));
  REQUIRE(auth.sign_in_email({"plain@example.com", std::string(test_password)}, no_session()));
  REQUIRE(auth.sign_in_social(google_profile("g-1", "social@example.com"), no_session()));
  CHECK(sink.all<linked_copy>().empty());
  CHECK(sink.all<aa::events::guest_promoted>().empty());
  CHECK(sink.all<aa::events::link_failed>().empty());
  // The sign-ins themselves are reported (abuse_resistance.cpp checks what they carry).
  CHECK(sink.all<aa::events::signed_up>().size() == 2);
  CHECK(sink.all<aa::events::signed_in>().size() == 1);
}

TEMPLATE_TEST_CASE("audit.guest_deleted_and_guests_purged", "[audit]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  recording_sink sink;
  audited_auth<TestType> auth{storages::fresh_config<TestType>("audit"), clock, sink};
  auto leaving = auth.sign_in_anonymous(no_session());
  REQUIRE(leaving);
  REQUIRE(auth.delete_anonymous_user(with_token(leaving->token)));
  const auto deleted = sink.all<aa::events::guest_deleted>();
  REQUIRE(deleted.size() == 1);
  CHECK(deleted[0].user_id == leaving->user.id);

  for (int i = 0; i < 3; ++i) REQUIRE(auth.sign_in_anonymous(no_session()));
  clock.advance(std::chrono::days{31});
  const aa::timestamp cutoff = clock.now() - std::chrono::days{30};
  REQUIRE(auth.purge_anonymous_users(cutoff, aa::purge_by::last_seen, 2) == 3);
  REQUIRE(auth.purge_anonymous_users(cutoff) == 0);  // nothing left: nothing to report
  const auto purged = sink.all<aa::events::guests_purged>();
  REQUIRE(purged.size() == 1);
  CHECK(purged[0].count == 3);
  CHECK(purged[0].cutoff == cutoff);
  CHECK(purged[0].by == aa::purge_by::last_seen);
}

TEMPLATE_TEST_CASE("audit.promotion_and_kept_guests", "[audit]", ANONAUTH_TEST_STORAGES) {
  manual_clock clock;
  SECTION("promote_in_place reports guest_promoted") {
    recording_sink sink;
    audited_auth<TestType, aa::on_sign_up<aa::promote_in_place>> auth{storages::fresh_config<TestType>("audit"), clock,
                                                                      sink};
    auto guest = auth.sign_in_anonymous(no_session());
    REQUIRE(guest);
    REQUIRE(auth.sign_in_social(google_profile("g-2", "promoted@example.com"), with_token(guest->token)));
    const auto promoted = sink.all<aa::events::guest_promoted>();
    REQUIRE(promoted.size() == 1);
    CHECK(promoted[0].user_id == guest->user.id);
    CHECK(promoted[0].via == aa::events::link_via::sign_in_social);
    CHECK(sink.all<linked_copy>().empty());
  }
  SECTION("keep_anonymous_user reports the guest as not deleted") {
    recording_sink sink;
    audited_auth<TestType, aa::keep_anonymous_user> auth{storages::fresh_config<TestType>("audit"), clock, sink};
    auto guest = auth.sign_in_anonymous(no_session());
    REQUIRE(guest);
    REQUIRE(auth.sign_up_email(sign_up_body("kept@example.com"), with_token(guest->token)));
    const auto linked = sink.all<linked_copy>();
    REQUIRE(linked.size() == 1);
    CHECK_FALSE(linked[0].event.guest_deleted);
    CHECK(auth.find_user(guest->user.id));
  }
}

TEMPLATE_TEST_CASE("audit.json_lines_file_receives_the_events", "[audit]", ANONAUTH_TEST_STORAGES) {
  const std::string path = fresh_log_path();
  {
    manual_clock clock;
    test_auth<aa::storage<TestType>, aa::audit<aa::json_lines_file>> auth{storages::fresh_config<TestType>("audit"),
                                                                          aa::json_lines_file{path}, clock};
    auto guest = auth.sign_in_anonymous(no_session());
    REQUIRE(guest);
    REQUIRE(auth.sign_up_email(sign_up_body("file@example.com"), with_token(guest->token)));
  }
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].rfind(R"({"event":"guest_created",)", 0) == 0);
  CHECK(lines[1].rfind(R"({"event":"guest_linked",)", 0) == 0);
  CHECK(lines[2].rfind(R"({"event":"signed_up",)", 0) == 0);
  CHECK(lines[1].find(R"("migrated":[{"migrator":"reassign","table":"cart_items","columns":"user_id","rows":0})") !=
        std::string::npos);
}
