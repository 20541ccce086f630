// The one place the Catch2 header is named: tests include "catch.hpp".
// Catch2 v3 would be: #include <catch2/catch_all.hpp>
#pragma once
#include <catch2/catch.hpp>
