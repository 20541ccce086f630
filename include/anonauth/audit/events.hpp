// anonauth/audit/events.hpp: what aa::audit<Sink> reports, the concept of a sink and the default
// sink. The events are in audit/event_types.hpp, the concept in policy/audit_sink.hpp, no_audit
// in audit/sinks.hpp.
#pragma once

#include <anonauth/audit/event_types.hpp>
#include <anonauth/audit/sinks.hpp>
#include <anonauth/policy/audit_sink.hpp>
