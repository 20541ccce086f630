# The example server's page: built with Node.js from examples/server/web and compiled into the
# server.
#
#   include(${PROJECT_SOURCE_DIR}/examples/server/web/web.cmake)
#   anonauth_example_web(example_server)
#
# anonauth_example_web(<target>)
#   1. runs `npm ci` in examples/server/web (from package-lock.json) once: a stamp file in the
#      build tree, redone when package.json or package-lock.json change;
#   2. runs `node build.mjs <binary dir>/web` whenever a source of the page changes;
#   3. turns the built files into <binary dir>/<target>_web_assets.cpp (embed.cmake: each file as
#      a char array) and adds it to <target>, with examples/server on its include path for
#      web_assets.hpp, which declares web::assets().
# It also defines the target <target>_web (just the page, e.g. for the reference server), sets the
# property ANONAUTH_WEB_DIR of <target> to the built page's directory and the variable
# ANONAUTH_EXAMPLE_WEB_DIR in the caller's scope to the same.
include_guard(GLOBAL)

set(_anonauth_example_web_source_dir "${CMAKE_CURRENT_LIST_DIR}")

function(anonauth_example_web target)
  if(NOT TARGET ${target})
    message(FATAL_ERROR "anonauth_example_web(${target}): no such target")
  endif()
  set(src "${_anonauth_example_web_source_dir}")

  find_program(ANONAUTH_NPM npm)
  find_program(ANONAUTH_NODE node)
  if(NOT ANONAUTH_NPM OR NOT ANONAUTH_NODE)
    message(FATAL_ERROR
      "anonauth_example_web(${target}): the example server's page is built with Node.js and npm, "
      "and they were not found (node: ${ANONAUTH_NODE}, npm: ${ANONAUTH_NPM}). Run "
      "scripts/setup-debian.sh, which installs them, or put node and npm on PATH.")
  endif()

  set(out "${CMAKE_CURRENT_BINARY_DIR}/web")
  set(stamp "${CMAKE_CURRENT_BINARY_DIR}/${target}_npm_ci.stamp")
  set(generated "${CMAKE_CURRENT_BINARY_DIR}/${target}_web_assets.cpp")
  set(built_names index.html app.js style.css)
  list(TRANSFORM built_names PREPEND "${out}/" OUTPUT_VARIABLE built)

  # 1. The packages, exactly as locked. node_modules/ stays in the source tree (git ignores it).
  #    No install scripts: esbuild's only checks its binary, which comes as a locked package.
  add_custom_command(
    OUTPUT "${stamp}"
    COMMAND "${ANONAUTH_NPM}" ci --no-audit --no-fund --ignore-scripts
    COMMAND "${CMAKE_COMMAND}" -E touch "${stamp}"
    DEPENDS "${src}/package.json" "${src}/package-lock.json"
    WORKING_DIRECTORY "${src}"
    COMMENT "npm ci in examples/server/web (Better Auth's client, esbuild)"
    USES_TERMINAL
    VERBATIM)

  # 2. The page.
  file(GLOB_RECURSE page_sources CONFIGURE_DEPENDS "${src}/src/*.js")
  add_custom_command(
    OUTPUT ${built}
    COMMAND "${ANONAUTH_NODE}" "${src}/build.mjs" "${out}"
    DEPENDS "${stamp}" "${src}/build.mjs" "${src}/index.html" "${src}/style.css" ${page_sources}
    WORKING_DIRECTORY "${src}"
    COMMENT "Bundling the example server's page into ${out}"
    VERBATIM)
  add_custom_target(${target}_web DEPENDS ${built})

  # 3. The page as C++.
  string(JOIN "," built_list ${built_names})
  add_custom_command(
    OUTPUT "${generated}"
    COMMAND "${CMAKE_COMMAND}" "-DINPUT_DIR=${out}" "-DFILES=${built_list}" "-DOUTPUT=${generated}"
            -P "${src}/embed.cmake"
    DEPENDS ${built} "${src}/embed.cmake"
    COMMENT "Embedding the example server's page in ${target}_web_assets.cpp"
    VERBATIM)
  add_dependencies(${target} ${target}_web)   # the page is built once, before the target
  target_sources(${target} PRIVATE "${generated}")
  target_include_directories(${target} PRIVATE "${src}/..")

  set_property(TARGET ${target} PROPERTY ANONAUTH_WEB_DIR "${out}")
  set(ANONAUTH_EXAMPLE_WEB_DIR "${out}" PARENT_SCOPE)
endfunction()
