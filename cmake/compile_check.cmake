# cmake -DCOMPILER=<c++> -DARGUMENTS=<response file> -DEXPECT=<expect> [-DWANTED=<...>]
#       -P compile_check.cmake
#
# Compiles with `COMPILER @ARGUMENTS` (anonauth_compile_check() in AnonauthTesting.cmake writes
# the file) and checks the outcome, EXPECT being one of:
#   compiles    no error and no warning;
#   fails       an error, and the output matches the regex WANTED (an error tag: mere failure
#               would also pass on a typo in the test);
#   one_error   exactly one error in the whole output, and it carries [anonauth.WANTED]: no
#               second error, and no other anonauth tag, anywhere. GCC and Clang both print
#               "error:" once per error (notes and "required from" lines are not errors).
execute_process(COMMAND ${COMPILER} @${ARGUMENTS} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
string(APPEND out "${err}")
get_filename_component(what ${ARGUMENTS} NAME_WE)
string(REGEX MATCHALL "error:" errors "${out}")
list(LENGTH errors error_count)

if(EXPECT STREQUAL "compiles")
  if(NOT rc EQUAL 0 OR out MATCHES "warning:")
    message(FATAL_ERROR "${what} must compile warning-free:\n${out}")
  endif()
  message(STATUS "${what}: compiles")
  return()
endif()

if(rc EQUAL 0)
  message(FATAL_ERROR "${what} compiled; it must fail with ${WANTED}")
endif()
if(EXPECT STREQUAL "fails")
  if(NOT out MATCHES "${WANTED}")
    message(FATAL_ERROR "${what} failed, but its output does not match ${WANTED}:\n${out}")
  endif()
  message(STATUS "${what}: ${error_count} error(s), one matching ${WANTED}")
elseif(EXPECT STREQUAL "one_error")
  string(REGEX MATCHALL "\\[anonauth\\.E[0-9]+\\]" tags "${out}")
  list(REMOVE_DUPLICATES tags)
  if(NOT error_count EQUAL 1 OR NOT tags STREQUAL "[anonauth.${WANTED}]")
    message(FATAL_ERROR "${what}: wanted one error, tagged [anonauth.${WANTED}]; got ${error_count} error(s), "
                        "tags: ${tags}\n${out}")
  endif()
  # Where the tagged line stands: the compiler's instantiation context comes before it.
  string(FIND "${out}" "[anonauth.${WANTED}]" at)
  string(SUBSTRING "${out}" 0 ${at} before)
  string(REGEX MATCHALL "\n" lines_before "${before}")
  list(LENGTH lines_before line)
  message(STATUS "${what}: one error, [anonauth.${WANTED}], on output line ${line}")
else()
  message(FATAL_ERROR "compile_check.cmake: EXPECT is '${EXPECT}', not compiles, fails or one_error")
endif()
