# cmake -DDOC=<markdown> -DSOURCE=<cpp> -P snippet_in_sync.cmake
# Fails unless the code a reader copies from DOC is code that CTest builds and runs:
#   - a SOURCE with regions, each between a line "// snippet: <name>" and a line
#     "// end snippet": every region's text appears verbatim in DOC;
#   - a SOURCE without regions: its whole text appears verbatim in DOC.
file(READ "${DOC}" doc)
file(READ "${SOURCE}" source)

string(REGEX MATCHALL "[ ]*// snippet: [A-Za-z0-9_-]+\n" starts "${source}")
if(NOT starts)
  string(FIND "${doc}" "${source}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${DOC} does not contain ${SOURCE} verbatim: update one from the other")
  endif()
  message(STATUS "${SOURCE} is in ${DOC}")
  return()
endif()

set(rest "${source}")
foreach(start IN LISTS starts)
  string(REGEX MATCH "// snippet: ([A-Za-z0-9_-]+)" _ "${start}")
  set(name "${CMAKE_MATCH_1}")
  string(FIND "${rest}" "${start}" begin)
  string(LENGTH "${start}" start_length)
  math(EXPR begin "${begin} + ${start_length}")
  string(SUBSTRING "${rest}" ${begin} -1 rest)
  string(REGEX MATCH "[ ]*// end snippet" end_marker "${rest}")
  if(NOT end_marker)
    message(FATAL_ERROR "${SOURCE}: snippet '${name}' has no '// end snippet'")
  endif()
  string(FIND "${rest}" "${end_marker}" end)
  string(SUBSTRING "${rest}" 0 ${end} region)
  string(FIND "${doc}" "${region}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${DOC} does not contain snippet '${name}' of ${SOURCE} verbatim:\n${region}")
  endif()
  message(STATUS "snippet '${name}' of ${SOURCE} is in ${DOC}")
endforeach()
