// Catch2's main(), compiled once and linked into every Catch2 test executable.
#define CATCH_CONFIG_MAIN
#include "catch.hpp"
