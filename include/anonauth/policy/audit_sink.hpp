// anonauth/policy/audit_sink.hpp: the concept of an audit sink, what aa::audit<Sink> reports to.
//
// The events are in audit/event_types.hpp; the built-in sinks in audit/sinks.hpp (no_audit, the
// default) and audit/json_lines_file.hpp.
#pragma once

#include <anonauth/audit/event_types.hpp>

#include <utility>

namespace anonauth {

/// A sink of aa::audit<Sink>: callable with each guest lifecycle event (one overload each, or a
/// template); the sign-in events above reach it where it is callable with them.
template <class S>
concept audit_sink = requires(S& s) {
  s(std::declval<const events::guest_created&>());
  s(std::declval<const events::guest_linked&>());
  s(std::declval<const events::guest_promoted&>());
  s(std::declval<const events::link_failed&>());
  s(std::declval<const events::guest_deleted&>());
  s(std::declval<const events::guests_purged&>());
};

}  // namespace anonauth
