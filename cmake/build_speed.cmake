# What keeps a clean build short on a small machine (README: "Build time"). Included by the
# top-level CMakeLists before any target exists; knutpunkt_share_precompiled_headers() is called
# after the last one.

# ccache, when installed and no launcher was chosen (-DCMAKE_CXX_COMPILER_LAUNCHER=... wins, an
# empty one turns it off). ccache caches a file compiled with a precompiled header (below) only
# with this sloppiness, because it cannot see __DATE__/__TIME__ or a #define made before the
# header inside a precompiled header (nothing here does either); so it is set for a ccache the
# user chose too.
if(NOT DEFINED CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(KNUTPUNKT_CCACHE ccache)
  if(KNUTPUNKT_CCACHE)
    set(CMAKE_CXX_COMPILER_LAUNCHER ${KNUTPUNKT_CCACHE})
  endif()
endif()
if(CMAKE_CXX_COMPILER_LAUNCHER MATCHES "(^|/)ccache$")
  set(CMAKE_CXX_COMPILER_LAUNCHER env CCACHE_SLOPPINESS=pch_defines,time_macros ${CMAKE_CXX_COMPILER_LAUNCHER})
endif()

# Precompiled headers: nlohmann/json is in almost every file and costs over a second to parse;
# the standard headers most files use, and Catch2 in the tests, add as much again. They are
# compiled once per build into two headers, one for the tests and one for everything else, which
# every target reuses (REUSE_FROM) instead of compiling its own. Asio and Beast stay out: only a
# few files include them, and a bigger precompiled header is slower for every file to load.
# A precompiled header may only be reused with the flags it was built with. Every project target
# gets the same options (warnings, build type, sanitizers); extra -D definitions are harmless as
# long as the precompiled headers do not look at them, which gcc checks (-Winvalid-pch, an error
# under KNUTPUNKT_WERROR).
option(KNUTPUNKT_PRECOMPILED_HEADERS "Share precompiled standard, nlohmann/json and Catch2 headers across targets" ON)

set(KNUTPUNKT_PCH_HEADERS
  <algorithm> <chrono> <cstddef> <cstdint> <expected> <filesystem> <functional> <map> <memory> <mutex>
  <optional> <set> <string> <string_view> <utility> <variant> <vector>
  <nlohmann/json.hpp>)

# knutpunkt_pch_target(<name> [libraries...]): a target that compiles nothing but its precompiled
# header, with the same usage requirements as the targets that reuse it.
function(knutpunkt_pch_target name)
  set(source ${PROJECT_BINARY_DIR}/precompiled_headers/${name}.cpp)
  file(CONFIGURE OUTPUT ${source} CONTENT "// Compiles only the precompiled header (cmake/build_speed.cmake).\n")
  add_library(${name} OBJECT ${source})
  target_link_libraries(${name} PRIVATE nlohmann_json::nlohmann_json knutpunkt_warnings ${ARGN})
endfunction()

# The project's targets under `dir`, recursively.
function(knutpunkt_targets_under dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(subdir ${subdirs})
    knutpunkt_targets_under(${subdir} sub)
    list(APPEND targets ${sub})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

# Every compiled target of the project reuses one of the two precompiled headers: the tests (the
# targets under tests/unit and tests/integration) the one with Catch2, the rest the other. Not
# catch_main.cpp, which defines CATCH_CONFIG_MAIN before it includes Catch2.
function(knutpunkt_share_precompiled_headers)
  if(NOT KNUTPUNKT_PRECOMPILED_HEADERS OR CMAKE_DISABLE_PRECOMPILE_HEADERS)
    return()
  endif()
  # libstdc++ silences three warnings around std::char_traits with #pragma GCC diagnostic (GCC
  # false positives on std::string copies), and gcc does not carry such pragmas through a
  # precompiled header: with one, those warnings fire inside std::string and fail -Werror. They are
  # off for gcc builds with precompiled headers; the sanitizer build checks bounds at run time.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(knutpunkt_warnings INTERFACE -Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread)
  endif()
  knutpunkt_pch_target(knutpunkt_pch)
  target_precompile_headers(knutpunkt_pch PRIVATE ${KNUTPUNKT_PCH_HEADERS})
  if(TARGET Catch2::Catch2)
    knutpunkt_pch_target(knutpunkt_test_pch Catch2::Catch2)
    target_precompile_headers(knutpunkt_test_pch PRIVATE ${KNUTPUNKT_PCH_HEADERS} <catch2/catch.hpp>)
  endif()

  knutpunkt_targets_under(${PROJECT_SOURCE_DIR} targets)
  foreach(target ${targets})
    get_target_property(type ${target} TYPE)
    if(NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|MODULE_LIBRARY|OBJECT_LIBRARY)$"
       OR target MATCHES "^knutpunkt_(test_)?pch$" OR target STREQUAL "knutpunkt_catch_main")
      continue()
    endif()
    get_target_property(dir ${target} SOURCE_DIR)
    if(TARGET knutpunkt_test_pch AND dir MATCHES "^${PROJECT_SOURCE_DIR}/tests/(unit|integration)(/|$)")
      target_precompile_headers(${target} REUSE_FROM knutpunkt_test_pch)
    else()
      target_precompile_headers(${target} REUSE_FROM knutpunkt_pch)
    endif()
  endforeach()
endfunction()
