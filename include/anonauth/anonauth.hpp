// anonauth/anonauth.hpp: everything a user of anonauth needs.
//
//   #include <anonauth/anonauth.hpp>
//   namespace aa = anonauth;
#pragma once

#include <anonauth/anonymous_auth.hpp>
#include <anonauth/audit/events.hpp>
#include <anonauth/audit/json_lines_file.hpp>
#include <anonauth/core/error.hpp>
#include <anonauth/core/result.hpp>
#include <anonauth/core/time.hpp>
#include <anonauth/core/types.hpp>
#include <anonauth/migrate/migrators.hpp>
#include <anonauth/options.hpp>
#include <anonauth/policy/generation.hpp>
#include <anonauth/policy/rate_limit.hpp>
#include <anonauth/schema/schema.hpp>
#include <anonauth/schema_sql.hpp>
#include <anonauth/storage/memory.hpp>

#include <boost/hana/define_struct.hpp>
#include <boost/hana/adapt_struct.hpp>
