# Helpers for anonauth's own tests, examples and benchmarks.
# Nothing here is installed or exported: users of anonauth::anonauth never see
# these flags.
include_guard(GLOBAL)

# ---------------------------------------------------------------------------
# anonauth_warnings: strict warnings for our own targets only.
# ---------------------------------------------------------------------------
add_library(anonauth_warnings INTERFACE)
target_compile_options(anonauth_warnings INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang,AppleClang>:-Wall -Wextra -Wpedantic>
  $<$<CXX_COMPILER_ID:MSVC>:/W4 /permissive- /Zc:__cplusplus>)
if(ANONAUTH_WARNINGS_AS_ERRORS)
  target_compile_options(anonauth_warnings INTERFACE
    $<$<CXX_COMPILER_ID:GNU,Clang,AppleClang>:-Werror>
    $<$<CXX_COMPILER_ID:MSVC>:/WX>)
endif()

# ---------------------------------------------------------------------------
# anonauth_sanitizers: -fsanitize=${ANONAUTH_SANITIZE} for our own targets.
# ---------------------------------------------------------------------------
add_library(anonauth_sanitizers INTERFACE)
if(ANONAUTH_SANITIZE)
  string(REPLACE ";" "," anonauth_sanitize_list "${ANONAUTH_SANITIZE}")
  set(anonauth_sanitize_flags
    -fsanitize=${anonauth_sanitize_list}
    -fno-omit-frame-pointer
    -fno-sanitize-recover=all)     # a UBSan finding fails the test
  target_compile_options(anonauth_sanitizers INTERFACE ${anonauth_sanitize_flags})
  target_link_options(anonauth_sanitizers INTERFACE -fsanitize=${anonauth_sanitize_list})
  message(STATUS "anonauth: tests and examples built with -fsanitize=${anonauth_sanitize_list}")
endif()

# anonauth_use_dev_options(<target>...)
# Links anonauth::anonauth plus our warnings and sanitizers into each target, and the optional
# targets that exist. With anonauth::sqlite, ANONAUTH_HAS_SQLITE is defined: sources that test
# on several storages add SQLite with it (tests/support/storages.hpp). With anonauth::postgres
# and a server to test on (ANONAUTH_TEST_POSTGRES), ANONAUTH_HAS_POSTGRES likewise.
function(anonauth_use_dev_options)
  foreach(target IN LISTS ARGN)
    target_link_libraries(${target} PRIVATE anonauth::anonauth anonauth_warnings anonauth_sanitizers)
    if(TARGET anonauth::sqlite)
      target_link_libraries(${target} PRIVATE anonauth::sqlite)
      target_compile_definitions(${target} PRIVATE ANONAUTH_HAS_SQLITE)
    endif()
    if(TARGET anonauth::http)
      target_link_libraries(${target} PRIVATE anonauth::http)
    endif()
    if(TARGET anonauth::postgres AND ANONAUTH_TEST_POSTGRES)
      target_link_libraries(${target} PRIVATE anonauth::postgres)
      target_compile_definitions(${target} PRIVATE ANONAUTH_HAS_POSTGRES
                                 "ANONAUTH_TEST_POSTGRES_STATE=\"${ANONAUTH_POSTGRES_STATE}\""
                                 "ANONAUTH_SOURCE_DIR=\"${PROJECT_SOURCE_DIR}\"")
    endif()
  endforeach()
endfunction()

# ---------------------------------------------------------------------------
# anonauth_compile_check(<test> <target> <expect> [<pattern or tag>] [PCH <header>])
#
# A ctest test that compiles the one source of <target> with the target's own
# include directories, definitions and options, directly with the compiler and
# -fsyntax-only: every template the source uses is still instantiated, so every
# diagnostic of the library is reached, but no code is generated and the build
# tree is not touched, so the checks run in parallel with each other and with
# the rest of the tests. <expect> (cmake/compile_check.cmake): `compiles` (no
# error and no warning), `fails` (an error, and the output matches the regex
# <pattern>) or `one_error` (exactly one error, tagged [anonauth.<tag>]).
# With PCH, the source is compiled after `-include <header>`, whose precompiled
# form anonauth_compile_check_pch() makes first: the fixture named after the
# header's folder, pch_<library id>.
# ---------------------------------------------------------------------------
function(anonauth_compile_check_arguments target arguments tail)
  get_target_property(source ${target} SOURCES)
  # The compiler's own directories are left out, as CMake leaves them out of its command
  # lines: an explicit -I/usr/include reorders them and breaks #include_next.
  set(implicit "")
  foreach(directory IN LISTS CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES)
    string(REGEX REPLACE "([][+.*()^$?|\\])" "\\\\\\1" directory "${directory}")
    list(APPEND implicit "${directory}")
  endforeach()
  list(JOIN implicit "|" implicit)
  set(includes "$<FILTER:$<REMOVE_DUPLICATES:$<TARGET_PROPERTY:${target},INCLUDE_DIRECTORIES>>,EXCLUDE,^(${implicit})$>")
  set(definitions "$<TARGET_PROPERTY:${target},COMPILE_DEFINITIONS>")
  set(options "$<TARGET_PROPERTY:${target},COMPILE_OPTIONS>")
  # A response file, which GCC and Clang both read: one argument per line.
  file(GENERATE OUTPUT ${arguments} CONTENT
"${CMAKE_CXX20_STANDARD_COMPILE_OPTION}
$<$<BOOL:${includes}>:\"-I$<JOIN:${includes},\"\n\"-I>\"\n>\
$<$<BOOL:${definitions}>:\"-D$<JOIN:${definitions},\"\n\"-D>\"\n>\
$<$<BOOL:${options}>:$<JOIN:${options},\n>\n>\
${tail}
")
endfunction()

function(anonauth_compile_check test target expect)
  cmake_parse_arguments(PARSE_ARGV 3 check "" "PCH" "")
  get_target_property(source ${target} SOURCES)
  set(arguments ${CMAKE_CURRENT_BINARY_DIR}/compile_checks/${target}.rsp)
  set(tail "-fsyntax-only\n\"${source}\"")
  if(check_PCH)
    set(tail "-include\n\"${check_PCH}\"\n${tail}")
  endif()
  anonauth_compile_check_arguments(${target} ${arguments} "${tail}")
  add_test(NAME ${test}
           COMMAND ${CMAKE_COMMAND} -DCOMPILER=${CMAKE_CXX_COMPILER} -DARGUMENTS=${arguments}
                   -DEXPECT=${expect} -DWANTED=${check_UNPARSED_ARGUMENTS}
                   -P ${PROJECT_SOURCE_DIR}/cmake/compile_check.cmake)
  set_tests_properties(${test} PROPERTIES LABELS compile_fail)
  if(check_PCH)
    get_filename_component(fixture ${check_PCH} DIRECTORY)
    get_filename_component(fixture ${fixture} NAME)
    set_tests_properties(${test} PROPERTIES FIXTURES_REQUIRED ${fixture})
  endif()
endfunction()

# ---------------------------------------------------------------------------
# anonauth_compile_check_pch(<library> <out-var>)
#
# Most of a compile-fail check's time is parsing anonauth's headers (about 2.5 s of
# 3 s): the checks of each library share them precompiled. The header includes
# what every check of <library> may use (anonauth.hpp, and the SQLite storage for
# its checks); a test, the fixture of those checks, compiles it
# with their flags into the .gch (GCC) or .pch (Clang) that `-include` picks up.
# Sets <out-var> to the header's path, or to nothing without ANONAUTH_COMPILE_CHECK_PCH
# or with another compiler. A precompiled header GCC cannot use is ignored (the
# header is parsed), so a stale one only costs time.
# ---------------------------------------------------------------------------
function(anonauth_compile_check_pch library out)
  set(${out} "" PARENT_SCOPE)
  # Only the core's and the SQLite storage's checks (all but two): Clang 14 crashes reading
  # the HTTP layer's headers (Boost.JSON) back from a precompiled header.
  if(NOT ANONAUTH_COMPILE_CHECK_PCH OR NOT library MATCHES "^anonauth::(anonauth|sqlite)$")
    return()
  endif()
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    set(extension gch)
  elseif(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    set(extension pch)
  else()
    return()
  endif()
  string(MAKE_C_IDENTIFIER "${library}" id)
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/compile_checks/pch_${id})
  set(header ${dir}/anonauth_pch.hpp)
  set(${out} ${header} PARENT_SCOPE)
  if(TARGET cf_pch_${id})
    return()
  endif()
  set(content "#include <anonauth/anonauth.hpp>\n")
  if(library STREQUAL "anonauth::sqlite")
    string(APPEND content "#include <anonauth/storage/sqlite/sqlite.hpp>\n")
  endif()
  file(WRITE ${header} "${content}")
  file(WRITE ${dir}/anonauth_pch.cpp "#include \"anonauth_pch.hpp\"\n")
  add_executable(cf_pch_${id} EXCLUDE_FROM_ALL ${dir}/anonauth_pch.cpp)
  target_link_libraries(cf_pch_${id} PRIVATE ${library} anonauth_warnings)
  target_include_directories(cf_pch_${id} PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
  set(arguments ${CMAKE_CURRENT_BINARY_DIR}/compile_checks/cf_pch_${id}.rsp)
  anonauth_compile_check_arguments(cf_pch_${id} ${arguments} "-x\nc++-header\n\"${header}\"\n-o\n\"${header}.${extension}\"")
  set(test anonauth.compile_fail.precompiled_headers.${id})
  add_test(NAME ${test}
           COMMAND ${CMAKE_COMMAND} -DCOMPILER=${CMAKE_CXX_COMPILER} -DARGUMENTS=${arguments} -DEXPECT=compiles
                   -P ${PROJECT_SOURCE_DIR}/cmake/compile_check.cmake)
  set_tests_properties(${test} PROPERTIES LABELS compile_fail FIXTURES_SETUP pch_${id})
endfunction()

function(anonauth_compile_fail_targets name source library)
  foreach(target cf_${name}_ok cf_${name})
    add_executable(${target} EXCLUDE_FROM_ALL ${source})
    target_link_libraries(${target} PRIVATE ${library} anonauth_warnings)
    target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
  endforeach()
  target_compile_definitions(cf_${name} PRIVATE ANONAUTH_EXPECT_FAIL)
  # Both checks start from the library's precompiled headers.
  anonauth_compile_check_pch(${library} pch)
  set(pch_option "")
  if(pch)
    set(pch_option PCH ${pch})
  endif()
  set(pch_option ${pch_option} PARENT_SCOPE)
  # The positive twin: the source without its mistake compiles, warning-free.
  if(ANONAUTH_COMPILE_FAIL_TWINS)
    anonauth_compile_check(anonauth.compile_fail.${name}.twin cf_${name}_ok compiles ${pch_option})
  endif()
endfunction()

# ---------------------------------------------------------------------------
# anonauth_compile_fail(<name> <regex>)
#
# tests/compile_fail/<name>.cpp must compile as is (the test
# anonauth.compile_fail.<name>.twin, with ANONAUTH_COMPILE_FAIL_TWINS) and must
# fail to compile with ANONAUTH_EXPECT_FAIL defined: the test
# anonauth.compile_fail.<name> passes only if the output matches <regex> (match
# the error tag, e.g. "\\[anonauth\\.E002\\]": plain failure would also pass on a
# typo in the test).
# ---------------------------------------------------------------------------
function(anonauth_compile_fail name regex)
  set(source tests/compile_fail/${name}.cpp)
  if(NOT EXISTS ${PROJECT_SOURCE_DIR}/${source})
    message(FATAL_ERROR "anonauth_compile_fail(${name}): ${source} does not exist")
  endif()

  set(library anonauth::anonauth)
  if(name MATCHES "^e13[0-9]_" AND TARGET anonauth::sqlite)   # E13x: the storages' diagnostics
    set(library anonauth::sqlite)
  elseif(name MATCHES "^e14[0-9]_" AND TARGET anonauth::http)  # E14x: the HTTP layer's diagnostics
    set(library anonauth::http)
  endif()
  if(name MATCHES "_sqlite$")   # a mistake made with the SQLite storage
    if(NOT TARGET anonauth::sqlite)
      return()
    endif()
    set(library anonauth::sqlite)
  endif()
  anonauth_compile_fail_targets(${name} ${PROJECT_SOURCE_DIR}/${source} ${library})
  anonauth_compile_check(anonauth.compile_fail.${name} cf_${name} fails "${regex}" ${pch_option})
endfunction()

# ---------------------------------------------------------------------------
# anonauth_compile_fail_program(<name> <code>)
#
# tests/compile_fail/program/<name>.cpp: a small but complete program (the shop of
# program/shop.hpp on SQLite, calling every operation) with one mistake under
# ANONAUTH_EXPECT_FAIL. As anonauth_compile_fail, with a positive twin; the test
# anonauth.compile_fail.<name> passes only if the whole compiler output holds exactly
# one error, tagged [anonauth.<code>]. Skipped without anonauth::sqlite.
# ---------------------------------------------------------------------------
function(anonauth_compile_fail_program name code)
  if(NOT TARGET anonauth::sqlite)
    return()
  endif()
  set(source tests/compile_fail/program/${name}.cpp)
  if(NOT EXISTS ${PROJECT_SOURCE_DIR}/${source})
    message(FATAL_ERROR "anonauth_compile_fail_program(${name}): ${source} does not exist")
  endif()
  anonauth_compile_fail_targets(${name} ${PROJECT_SOURCE_DIR}/${source} anonauth::sqlite)
  anonauth_compile_check(anonauth.compile_fail.${name} cf_${name} one_error ${code} ${pch_option})
endfunction()

# ---------------------------------------------------------------------------
# anonauth_add_header_checks()
#
# Every header under include/anonauth/ (recursively, detail/ included) gets a
# generated translation unit that includes it twice (self-containment and
# include guard / #pragma once). They form the OBJECT library
# anonauth_header_checks, built by ALL, so a header that does not compile on
# its own breaks the build. The test anonauth.headers.self_contained rebuilds
# that target so the check also shows up in ctest.
# ---------------------------------------------------------------------------
function(anonauth_add_header_checks)
  set(include_root ${PROJECT_SOURCE_DIR}/include)
  file(GLOB_RECURSE headers CONFIGURE_DEPENDS RELATIVE ${include_root}
       ${include_root}/anonauth/*.hpp)
  # The cpp-httplib adapter includes <httplib.h>: checked, linking anonauth::httplib (below),
  # when that target exists; left out when it does not (cpp-httplib absent or ANONAUTH_HTTPLIB
  # OFF).
  if(NOT TARGET anonauth::httplib)
    list(REMOVE_ITEM headers anonauth/http/httplib.hpp)
  endif()
  # The SQLite storage's headers include <sqlite3.h>: checked only with anonauth::sqlite.
  if(NOT TARGET anonauth::sqlite)
    list(FILTER headers EXCLUDE REGEX "^anonauth/storage/sqlite/")
  endif()
  # The PostgreSQL storage's include <libpq-fe.h>: checked only with anonauth::postgres.
  if(NOT TARGET anonauth::postgres)
    list(FILTER headers EXCLUDE REGEX "^anonauth/storage/postgres/")
  endif()
  list(SORT headers)
  if(NOT headers)
    message(STATUS "anonauth: no headers under include/anonauth/ yet; header checks skipped")
    return()
  endif()

  set(sources "")
  foreach(header IN LISTS headers)
    set(source ${CMAKE_CURRENT_BINARY_DIR}/header_checks/${header}.cpp)
    # file(CONFIGURE) rewrites the file only when its content changes.
    file(CONFIGURE OUTPUT ${source} @ONLY CONTENT
"// Generated by anonauth_add_header_checks(): <${header}> must compile on its own.
#include <${header}>
#include <${header}> // a second time: include guard / #pragma once
")
    list(APPEND sources ${source})
  endforeach()

  add_library(anonauth_header_checks OBJECT ${sources})
  target_link_libraries(anonauth_header_checks PRIVATE anonauth::anonauth anonauth_warnings)
  if(TARGET anonauth::sqlite)
    target_link_libraries(anonauth_header_checks PRIVATE anonauth::sqlite)
  endif()
  if(TARGET anonauth::postgres)
    target_link_libraries(anonauth_header_checks PRIVATE anonauth::postgres)
  endif()
  if(TARGET anonauth::http)
    target_link_libraries(anonauth_header_checks PRIVATE anonauth::http)
  endif()
  if(TARGET anonauth::httplib)
    target_link_libraries(anonauth_header_checks PRIVATE anonauth::httplib)
  endif()

  add_test(NAME anonauth.headers.self_contained
           COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target anonauth_header_checks --config $<CONFIG>)
  set_tests_properties(anonauth.headers.self_contained PROPERTIES
    RESOURCE_LOCK build_tree
    LABELS headers)
endfunction()
