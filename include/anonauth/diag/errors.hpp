// anonauth/diag/errors.hpp: every compile-time diagnostic of anonauth.
//
// One header per area, each type named after what is wrong and carrying its tag:
//   diag/report.hpp      the machinery: ok, failure, first_failure_t, report<D>()
//   diag/migrations.hpp  link migrations, E001-E007; table handles, E008-E009
//   diag/schema.hpp      the schema and its tables, E010-E018
//   diag/storage.hpp     calls into a storage (E001, E002), storages' own limits (E130)
//   diag/options.hpp     aa::anonymous_auth's arguments, E100-E103
//   diag/policies.hpp    the policies, E110-E122
//   diag/http.hpp        the HTTP layer, E140-E149
// docs/errors.md explains each code and its fix.
#pragma once

#include <anonauth/diag/http.hpp>
#include <anonauth/diag/migrations.hpp>
#include <anonauth/diag/options.hpp>
#include <anonauth/diag/policies.hpp>
#include <anonauth/diag/report.hpp>
#include <anonauth/diag/schema.hpp>
#include <anonauth/diag/storage.hpp>
