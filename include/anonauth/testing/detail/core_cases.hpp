// anonauth/testing/detail/core_cases.hpp: the cases that run aa::anonymous_auth over the storage:
// a guest's whole life, every write run twice (as a storage that retries a conflicted
// transaction does), and a driver's own exception at commit.
//
// The storage is wrapped, not changed: faulty_storage<S> forwards to S's backend and, when told,
// runs a write's fn once more after a rolled-back first attempt, or throws an exception of a type
// that is neither aa::storage_error nor aa::error_exception after fn returned.
#pragma once

#include <anonauth/anonymous_auth.hpp>
#include <anonauth/testing/detail/fixture.hpp>
#include <anonauth/testing/report.hpp>

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace anonauth::testing::kit {

/// What a database driver might throw: a type of its own.
struct foreign_error : std::runtime_error {
  foreign_error() : std::runtime_error("foreign driver error") {}
};
struct retry_signal {};

template <class S>
struct faulty_storage {
  using config = typename S::config;
  template <class Schema>
  class backend {
    using inner_type = typename S::template backend<Schema>;

   public:
    using reader = typename inner_type::reader;
    using writer = typename inner_type::writer;

    explicit backend(const config& c) : inner_(c) {}

    template <class Fn>
    decltype(auto) read(Fn&& fn) {
      return inner_.read(std::forward<Fn>(fn));
    }
    template <class Fn>
    decltype(auto) write(Fn&& fn) {
      if (retry_writes) {
        try {
          inner_.write([&](auto& tx) {
            (void)fn(tx);
            throw retry_signal{};
          });
        } catch (const retry_signal&) {
          ++retried;
        }
      }
      if (fail_commits) {
        return inner_.write([&](auto& tx) -> decltype(auto) {
          if constexpr (std::is_void_v<decltype(fn(tx))>) {
            fn(tx);
            throw foreign_error{};
          } else {
            auto r = fn(tx);
            throw foreign_error{};
            return r;
          }
        });
      }
      return inner_.write(std::forward<Fn>(fn));
    }

    bool retry_writes = false;  // run every write's fn a first time, then roll it back
    bool fail_commits = false;  // throw foreign_error from every write, after its fn
    std::size_t retried = 0;

   private:
    inner_type inner_;
  };
};

/// Records the audit events the cases look at.
struct recording_sink {
  std::shared_ptr<std::vector<std::string>> lines = std::make_shared<std::vector<std::string>>();
  void operator()(const events::guest_created&) const { lines->push_back("guest_created"); }
  void operator()(const events::guest_linked& e) const {
    std::string line = "guest_linked";
    for (const auto& m : e.migrated)
      line += " " + std::string(m.migrator) + ":" + (m.rows ? std::to_string(*m.rows) : std::string("-"));
    lines->push_back(line);
  }
  void operator()(const events::guest_deleted&) const { lines->push_back("guest_deleted"); }
  void operator()(const auto&) const {}
};

using link_of_kit = link_migrations<reassign<&note::owner_id>, reassign<&transfer::sender_id>,
                                    leave<&transfer::receiver_id>, copy_if_empty<&member::nickname>>;

template <class S>
using auth_over = anonymous_auth<schema, storage<faulty_storage<S>>, link<link_of_kit>,
                                 password_hasher<argon2id<1, 8192, insecure_test_cost>>, audit<recording_sink>>;

inline request_context guest_request(std::optional<std::string> token = std::nullopt) {
  return request_context{std::move(token), "203.0.113.7", "conformance"};
}

template <class Auth>
std::size_t users_in(Auth& auth) {
  return auth.storage().read([](const auto& tx) { return tx.template count<member>(); });
}

/// A guest with two notes and a transfer signs up; its data moves, the guest goes; another guest
/// deletes itself. With `retry`, every write runs twice.
template <class S, class MakeConfig>
void guest_life(detail::checker& c, MakeConfig& make_config, bool retry) {
  recording_sink sink;
  auth_over<S> auth{make_config(), sink};
  auth.storage().retry_writes = retry;
  const std::string twice = retry ? " (every write run twice, the first rolled back)" : "";

  auto guest = auth.sign_in_anonymous(guest_request());
  c.require(guest.has_value(), "sign_in_anonymous succeeds over the storage" + twice);
  c.expect(users_in(auth) == 1, "sign_in_anonymous creates one user" + twice, std::to_string(users_in(auth)));
  c.expect(auth.get_session(guest->token).has_value(), "the guest's session is found by its token" + twice);
  auth.template table<note>().insert(note{"g-n1", guest->user.id, "draft one"});
  auth.template table<note>().insert(note{"g-n2", guest->user.id, "draft two"});
  auth.template table<transfer>().insert(transfer{"g-t1", guest->user.id, "someone", 7});
  c.expect(auth.update_user(guest_request(guest->token), [](member& u) { u.nickname = "guesty"; }).has_value(),
           "update_user succeeds over the storage" + twice);

  auto real = auth.sign_up_email(email_sign_up{"real@example.com", "correct horse battery", "Real", std::nullopt},
                                 guest_request(guest->token));
  c.require(real.has_value(), "sign_up_email with a guest's session succeeds over the storage" + twice);
  const std::string id = real->user.id;
  c.expect(auth.template table<note>().template find_by<&note::owner_id>(id).size() == 2,
           "linking moves the guest's rows to the new user" + twice);
  c.expect(auth.template table<transfer>().template find_by<&transfer::sender_id>(id).size() == 1,
           "linking moves the guest's rows on every reassigned column" + twice);
  const auto user = auth.find_user(id);
  c.expect(user && user->nickname == std::optional<std::string>("guesty"), "linking copies the guest's fields" + twice);
  c.expect(!auth.find_user(guest->user.id) && !auth.get_session(guest->token), "linking deletes the guest and its session" + twice);
  c.expect(users_in(auth) == 1, "linking leaves one user" + twice, std::to_string(users_in(auth)));
  c.expect(auth.storage().read([&](const auto& tx) { return tx.sessions_of_user(id).size(); }) == 1,
           "sign_up_email opens one session" + twice);

  auto other = auth.sign_in_anonymous(guest_request());
  c.require(other.has_value(), "a second guest signs in" + twice);
  c.expect(auth.delete_anonymous_user(guest_request(other->token)).has_value() && !auth.find_user(other->user.id),
           "delete_anonymous_user deletes the guest" + twice);

  std::string events;
  for (const auto& line : *sink.lines) events += line + "; ";
  c.expect_equal(events,
                 "guest_created; guest_linked reassign:2 reassign:1 leave:0 copy_if_empty:1; guest_created; "
                 "guest_deleted; ",
                 "every change is reported once, with the rows it moved" + twice);
  if (retry) c.expect(auth.storage().retried > 0, "the retrying wrapper ran");
}

/// A driver's own exception at commit: each operation answers with its error code and nothing
/// changed.
template <class S, class MakeConfig>
void foreign_exception(detail::checker& c, MakeConfig& make_config) {
  recording_sink sink;
  auth_over<S> auth{make_config(), sink};
  auto guest = auth.sign_in_anonymous(guest_request());
  c.require(guest.has_value(), "sign_in_anonymous succeeds over the storage");
  auth.template table<note>().insert(note{"g-n1", guest->user.id, "draft"});
  const auto state = [&] {
    return auth.storage().read([&](const auto& tx) {
      const auto u = tx.find_user(guest->user.id);
      return std::to_string(tx.template count<member>()) + " users, " + std::to_string(tx.template count<note>()) +
             " notes, " + std::to_string(tx.sessions_of_user(guest->user.id).size()) + " guest sessions, guest " +
             (u ? describe(*u) : std::string("none")) + ", real " +
             (tx.find_user_by_email("real@example.com") ? "exists" : "none");
    });
  };
  const std::string before = state();

  auth.storage().fail_commits = true;
  auto refused = [&](auto&& outcome, std::string_view code, std::string_view what) {
    c.expect(!outcome.has_value() && outcome.error().code() == code,
             std::string(what) + ": an exception of the storage's own type is answered with " + std::string(code),
             outcome.has_value() ? std::string("succeeded") : std::string(outcome.error().code()));
  };
  try {
    refused(auth.sign_in_anonymous(guest_request()), "FAILED_TO_CREATE_USER", "sign_in_anonymous");
    refused(auth.sign_up_email(email_sign_up{"real@example.com", "correct horse battery", "Real", std::nullopt},
                               guest_request(guest->token)),
            "FAILED_TO_CREATE_USER", "sign_up_email");
    refused(auth.update_user(guest_request(guest->token), [](member& u) { u.nickname = "x"; }), "FAILED_TO_UPDATE_USER",
            "update_user");
    refused(auth.delete_anonymous_user(guest_request(guest->token)), "FAILED_TO_DELETE_ANONYMOUS_USER",
            "delete_anonymous_user");
  } catch (const foreign_error&) {
    c.expect(false, "an operation that returns aa::result never lets a storage's exception through");
  }
  auth.storage().fail_commits = false;
  c.expect_equal(state(), before, "a write that failed at commit changed nothing");
  c.expect(auth.get_session(guest->token).has_value(), "the storage works on after failed commits");
}

}  // namespace anonauth::testing::kit
