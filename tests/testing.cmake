# Included by the top level before plugins/: test support shared by every suite: processes by PID, loopback address blocks, polling.
add_library(bib-test-support STATIC ${CMAKE_CURRENT_LIST_DIR}/support/process.cpp ${CMAKE_CURRENT_LIST_DIR}/support/loopback.cpp
  ${CMAKE_CURRENT_LIST_DIR}/support/cluster.cpp ${CMAKE_CURRENT_LIST_DIR}/support/postgres.cpp
  ${CMAKE_CURRENT_LIST_DIR}/support/handshake.cpp)
target_include_directories(bib-test-support PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(bib-test-support PUBLIC bib::sdk GTest::gtest)
# Where the tests find the built binaries and plugins: private to the support library, so no
# test source carries a path of this checkout (ccache then shares them between clones).
target_compile_definitions(bib-test-support PRIVATE
  BIB_BIN_DIR="${CMAKE_BINARY_DIR}/bin"
  BIB_PLUGIN_DIR="${BIB_PLUGIN_OUTPUT_DIR}"
  BIB_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

# One precompiled header for every test executable: GoogleTest, cppzmq, spdlog and the SDK's
# value type are parsed once, by bib-test-pch, instead of once per test source. The tests
# reuse it (REUSE_FROM), which GCC allows when what shaped the PCH matches: every test is an
# executable compiled like bib-test-pch (-fPIE, the same warnings, sanitizers, build type), and
# the definitions some add through what they link (bib-host-core's Boost.Filesystem and toml++
# ones, msgpack's API version) are macros these headers do not use. The users are compiled with
# -Winvalid-pch, so under -Werror a PCH that stops fitting fails the build instead of being
# skipped silently; give such a test its own with target_precompile_headers(NAME PRIVATE ...).
add_executable(bib-test-pch ${CMAKE_CURRENT_LIST_DIR}/support/test_pch.cpp)
target_link_libraries(bib-test-pch PRIVATE bib-test-support GTest::gtest_main)
# The test executables' own sources are compiled without optimisation, in both trees: what they
# test (the libraries, plugins and programs) keeps the tree's level (-O2, or -O1 under the
# sanitizers), while the test code, which mostly waits on what it tests, compiles in about half
# the time (docs/testing.md, "Build and CI speed"). The PCH must be built the same way.
set(BIB_TEST_CODE_OPTIONS -O0 CACHE STRING "Extra compile options of the test executables' own sources")
target_compile_options(bib-test-pch PRIVATE ${BIB_TEST_CODE_OPTIONS})
# Clang's PCH must serve a clone in another folder (CI's) from ccache, as GCC's does. Clang
# records the absolute path of every header in it, so a PCH restored from another clone's build
# would name that clone's headers: it holds only the system's headers under clang, not the
# SDK's. And CMake hands clang the PCH's own paths behind -Xclang, where ccache does not make
# them relative, so the PCH and every test source would miss the cache: Ninja runs every
# compile in the build folder, so the one PCH is named from there instead.
set(bib_test_pch_headers <gtest/gtest.h> <zmq.hpp> <spdlog/spdlog.h>)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND CMAKE_GENERATOR MATCHES "Ninja")
  set(bib_pch CMakeFiles/bib-test-pch.dir/cmake_pch.hxx)
  set(CMAKE_CXX_COMPILE_OPTIONS_CREATE_PCH -Xclang -emit-pch -Xclang -include -Xclang ${bib_pch} -x c++-header)
  set(CMAKE_CXX_COMPILE_OPTIONS_USE_PCH -Xclang -include-pch -Xclang ${bib_pch}.pch -Xclang -include -Xclang ${bib_pch})
else()
  list(APPEND bib_test_pch_headers <bib/value.hpp>)
endif()
target_precompile_headers(bib-test-pch PRIVATE ${bib_test_pch_headers})

include(GoogleTest)
# bib_add_test(NAME SOURCES...): one GoogleTest executable, each test case its own ctest test.
# bib_add_test(NAME SOURCES... [FIXTURES_REQUIRED F...]): the cases need ctest fixtures F (the
# PostgreSQL server `postgres`, plugins/persistence-postgres/tests).
# bib_add_test(NAME SOURCES... [COST SECONDS]): about how long each case runs; ctest starts the
# costliest first. A clean clone (CI's) has no timings of earlier runs, and a suite run with many
# jobs at once ends when its last long case does, so the long ones must not start last.
function(bib_add_test name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "COST" "FIXTURES_REQUIRED")
  add_executable(${name} ${arg_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE bib-test-support GTest::gtest_main)
  target_precompile_headers(${name} REUSE_FROM bib-test-pch)
  target_compile_options(${name} PRIVATE ${BIB_TEST_CODE_OPTIONS})
  set(properties TIMEOUT 240)
  if(arg_FIXTURES_REQUIRED)
    list(APPEND properties FIXTURES_REQUIRED "${arg_FIXTURES_REQUIRED}")
  endif()
  if(arg_COST)
    list(APPEND properties COST ${arg_COST})
  endif()
  # PRE_TEST: tests are listed when ctest runs, not by running every binary during the build.
  gtest_discover_tests(${name} TEST_PREFIX "${name}." DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 60
    PROPERTIES ${properties})
endfunction()


