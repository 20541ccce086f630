# cmake -DDOC=<markdown> -DSOURCE=<cpp> -P snippet_in_sync.cmake
# Fails unless the text of SOURCE (a compiled example) appears verbatim in DOC, so the code a
# reader copies from the docs is code that CTest builds and runs.
file(READ "${DOC}" doc)
file(READ "${SOURCE}" source)
string(FIND "${doc}" "${source}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${DOC} does not contain ${SOURCE} verbatim: update one from the other")
endif()
message(STATUS "${SOURCE} is in ${DOC}")
