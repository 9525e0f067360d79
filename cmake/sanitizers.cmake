# Sanitizer and fuzzing builds. Included by the top-level CMakeLists before any target exists, so
# every project target (libraries, the gateway, the simulators, the tests) is built the same way:
# a sanitized test that links an unsanitized library would miss what happens inside it.
option(KNUTPUNKT_SANITIZE "Build every target with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(KNUTPUNKT_BUILD_FUZZERS "Build the libFuzzer targets under tests/fuzz (clang, with KNUTPUNKT_SANITIZE)" OFF)

if(KNUTPUNKT_SANITIZE)
  # -fno-sanitize-recover: undefined behaviour ends the process, so a test cannot pass over it.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
endif()

if(KNUTPUNKT_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "KNUTPUNKT_BUILD_FUZZERS needs clang (libFuzzer); configure with -DCMAKE_CXX_COMPILER=clang++-19")
  endif()
  if(NOT KNUTPUNKT_SANITIZE)
    message(FATAL_ERROR "KNUTPUNKT_BUILD_FUZZERS needs -DKNUTPUNKT_SANITIZE=ON: a fuzzer without sanitizers finds only crashes")
  endif()
  # Coverage feedback from the code under test, not only from the fuzz targets themselves; the
  # libFuzzer main is linked into the fuzz targets alone (tests/fuzz/CMakeLists.txt).
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(KNUTPUNKT_SANITIZE)
  # How a sanitizer report ends a test's processes, for every test ctest runs in this build and for
  # the gateway and simulators those tests start (children inherit ctest's environment). Any
  # report aborts the process, so neither a test nor a child can carry on past one; the
  # integration harness fails the test when a child's stderr holds one. Options already in the
  # environment win, so a developer can change them for one run.
  set(KNUTPUNKT_LSAN_SUPPRESSIONS ${PROJECT_SOURCE_DIR}/tests/sanitizers/lsan.supp)
  # Reports name functions and lines only with a symbolizer the runtime can find; Debian's clang-19
  # ships none, an older llvm-symbolizer reads clang 19's line tables fine.
  find_program(KNUTPUNKT_LLVM_SYMBOLIZER NAMES llvm-symbolizer-19 llvm-symbolizer)
  file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/sanitizer_test_env.cmake CONTENT [[
if(NOT DEFINED ENV{ASAN_OPTIONS})
  set(ENV{ASAN_OPTIONS} "abort_on_error=1:detect_leaks=1:check_initialization_order=1:strict_string_checks=1")
endif()
if(NOT DEFINED ENV{UBSAN_OPTIONS})
  set(ENV{UBSAN_OPTIONS} "halt_on_error=1:abort_on_error=1:print_stacktrace=1")
endif()
if(NOT DEFINED ENV{LSAN_OPTIONS})
  set(ENV{LSAN_OPTIONS} "suppressions=@KNUTPUNKT_LSAN_SUPPRESSIONS@:print_suppressions=0")
endif()
if(NOT DEFINED ENV{ASAN_SYMBOLIZER_PATH} AND EXISTS "@KNUTPUNKT_LLVM_SYMBOLIZER@")
  set(ENV{ASAN_SYMBOLIZER_PATH} "@KNUTPUNKT_LLVM_SYMBOLIZER@")
endif()
]] @ONLY)
  set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY TEST_INCLUDE_FILES ${PROJECT_BINARY_DIR}/sanitizer_test_env.cmake)
endif()
