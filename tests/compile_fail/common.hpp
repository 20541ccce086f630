// tests/compile_fail/common.hpp: the rows and the correct schema every compile-fail test starts from.
//
// Each test is a correct program as is (its positive twin); defining ANONAUTH_EXPECT_FAIL swaps in
// one wrong line, and the build must then fail with the diagnostic's tag (see list.cmake).
#pragma once

#include <anonauth/anonauth.hpp>

#include <optional>
#include <string>

#include "seed.hpp"  // tests/support

namespace aa = anonauth;

using seed::app_schema;
using seed::cart_item;
using seed::cart_items_table;
using seed::draft;
using seed::drafts_table;
using seed::user;

/// A link migration that handles every user reference of app_schema.
using app_migrations = seed::seed_link;
