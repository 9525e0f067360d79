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
