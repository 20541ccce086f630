# Findsodium
# ----------
# Finds libsodium, which ships a pkg-config file but no CMake package.
#
# Imported target:
#   sodium::sodium      the library and its include directory
#
# Result variables:
#   sodium_FOUND, sodium_VERSION, sodium_INCLUDE_DIR, sodium_LIBRARY
#
# pkg-config (through FindPkgConfig) supplies the hints when it is available;
# find_path/find_library do the finding, so the module also works where
# pkg-config is missing (set sodium_ROOT or CMAKE_PREFIX_PATH there).
# The project installs this file next to anonauth-config.cmake, which uses it
# to re-find libsodium for find_package(anonauth) users.

find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(PC_sodium QUIET libsodium)
endif()

find_path(sodium_INCLUDE_DIR
  NAMES sodium.h
  HINTS ${PC_sodium_INCLUDEDIR} ${PC_sodium_INCLUDE_DIRS})
find_library(sodium_LIBRARY
  NAMES sodium libsodium
  HINTS ${PC_sodium_LIBDIR} ${PC_sodium_LIBRARY_DIRS})

set(sodium_VERSION "")
if(PC_sodium_VERSION)
  set(sodium_VERSION ${PC_sodium_VERSION})
elseif(sodium_INCLUDE_DIR AND EXISTS "${sodium_INCLUDE_DIR}/sodium/version.h")
  file(STRINGS "${sodium_INCLUDE_DIR}/sodium/version.h" sodium_version_line
       REGEX "^#define SODIUM_VERSION_STRING +\"[^\"]+\"")
  string(REGEX REPLACE ".*\"([^\"]+)\".*" "\\1" sodium_VERSION "${sodium_version_line}")
  unset(sodium_version_line)
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(sodium
  REQUIRED_VARS sodium_LIBRARY sodium_INCLUDE_DIR
  VERSION_VAR sodium_VERSION)

if(sodium_FOUND AND NOT TARGET sodium::sodium)
  add_library(sodium::sodium UNKNOWN IMPORTED)
  set_target_properties(sodium::sodium PROPERTIES
    IMPORTED_LOCATION "${sodium_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${sodium_INCLUDE_DIR}")
  if(PC_sodium_CFLAGS_OTHER)
    set_property(TARGET sodium::sodium PROPERTY
      INTERFACE_COMPILE_OPTIONS ${PC_sodium_CFLAGS_OTHER})
  endif()
endif()

mark_as_advanced(sodium_INCLUDE_DIR sodium_LIBRARY)
