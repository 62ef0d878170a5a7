# One ctest fuzz_<name> (CMakeLists.txt here): cmake -DFUZZER= -DCORPUS= -DREGRESSIONS=
# -DWORK_DIR= -DSECONDS= [-DDICT=] -P run_fuzz.cmake. Fails on any crash, leak, timeout (10 s),
# sanitizer report or failed check, and on any one allocation of 1 MiB or more: an input of at
# most 4 KiB must not cost that much memory (libFuzzer exits non-zero on each).
#   1. every input of REGRESSIONS, once each, as plain inputs;
#   2. SECONDS of fuzzing from CORPUS and REGRESSIONS. New inputs go to WORK_DIR/corpus, never
#      into the source tree; a crashing input is saved as WORK_DIR/artifacts/crash-<sha1>.
if(NOT DEFINED ENV{UBSAN_OPTIONS})
  set(ENV{UBSAN_OPTIONS} "print_stacktrace=1")
endif()

file(GLOB regressions LIST_DIRECTORIES false "${REGRESSIONS}/*")
list(FILTER regressions EXCLUDE REGEX "/\\.[^/]*$")  # .gitkeep
if(regressions)
  execute_process(COMMAND ${FUZZER} -malloc_limit_mb=1 ${regressions} RESULT_VARIABLE code)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "a regression input fails again (exit ${code}): ${REGRESSIONS}")
  endif()
endif()

set(dict_option "")
if(DICT)
  set(dict_option "-dict=${DICT}")
endif()
set(dirs "${WORK_DIR}/corpus" "${CORPUS}")
if(IS_DIRECTORY "${REGRESSIONS}")
  list(APPEND dirs "${REGRESSIONS}")
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/corpus" "${WORK_DIR}/artifacts")
execute_process(
  COMMAND ${FUZZER} -max_total_time=${SECONDS} -timeout=10 -malloc_limit_mb=1 -print_final_stats=1 ${dict_option}
          -artifact_prefix=${WORK_DIR}/artifacts/ ${dirs}
  RESULT_VARIABLE code)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "the fuzzer found a failing input (exit ${code}), in ${WORK_DIR}/artifacts/; "
                      "reproduce it with ${FUZZER} <file>, then keep it in ${REGRESSIONS}/ (docs/fuzzing.md)")
endif()
