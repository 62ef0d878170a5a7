# A small run of bib-bench-persistence as a test: it exits non-zero when a plugin fails or a
# replay does not give back every event. Figures are printed, not checked.
add_test(NAME bench_persistence_smoke
         COMMAND bib-bench-persistence --events 2000 --plugin all --fsync batch
                 --dir ${CMAKE_BINARY_DIR}/Testing/tmp)
set_tests_properties(bench_persistence_smoke PROPERTIES TIMEOUT 120)
