// anonauth/audit/sinks.hpp: the sink that reports nothing, aa::audit's default (a model of
// anonauth::audit_sink, policy/audit_sink.hpp). This folder holds the audit events and the
// built-in sinks; the concept stays in policy/.
#pragma once

namespace anonauth {

/// The default: no sink, no event is built.
struct no_audit {
  template <class Event>
  constexpr void operator()(const Event&) const noexcept {}
};

}  // namespace anonauth
