# cmake -DBUILD_DIR=<dir> -DTARGET=<target> -DCONFIG=<config> -DTAG=<E003> -P check_one_error.cmake
#
# Builds TARGET, which must fail, and passes only if the whole output holds exactly one error and
# that error carries [anonauth.TAG]: no second error, and no other anonauth tag, anywhere. GCC and
# Clang both print "error:" once per error (notes and "required from" lines are not errors).
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${TARGET} --config ${CONFIG}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
string(APPEND out "${err}")
if(rc EQUAL 0)
  message(FATAL_ERROR "${TARGET} compiled; it must fail with [anonauth.${TAG}]")
endif()
string(REGEX MATCHALL "error:" errors "${out}")
list(LENGTH errors error_count)
string(REGEX MATCHALL "\\[anonauth\\.E[0-9]+\\]" tags "${out}")
list(REMOVE_DUPLICATES tags)
if(NOT error_count EQUAL 1 OR NOT tags STREQUAL "[anonauth.${TAG}]")
  message(FATAL_ERROR "${TARGET}: wanted one error, tagged [anonauth.${TAG}]; got ${error_count} error(s), "
                      "tags: ${tags}\n${out}")
endif()
# Where the tagged line stands: the compiler's instantiation context comes before it.
string(FIND "${out}" "[anonauth.${TAG}]" at)
string(SUBSTRING "${out}" 0 ${at} before)
string(REGEX MATCHALL "\n" lines_before "${before}")
list(LENGTH lines_before line)
message(STATUS "${TARGET}: one error, [anonauth.${TAG}], on output line ${line}")
