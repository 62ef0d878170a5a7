# A small run of bib-bench-persistence as a test: it exits non-zero when a plugin fails or a
# replay does not give back every event. Figures are printed, not checked.
add_test(NAME bench_persistence_smoke
         COMMAND bib-bench-persistence --events 2000 --plugin all --fsync batch --restart --tail 50
                 --dir ${CMAKE_BINARY_DIR}/Testing/tmp)
set_tests_properties(bench_persistence_smoke PROPERTIES TIMEOUT 120)
# The same with persistence-postgres, on the tests' PostgreSQL server (the fixture `postgres`).
add_test(NAME bench_persistence_smoke_postgres
         COMMAND sh -c "exec \"$1\" --events 2000 --plugin postgres --fsync batch --dir \"$2\" --postgres \"$(cat \"$3\")\""
                 _ $<TARGET_FILE:bib-bench-persistence> ${CMAKE_BINARY_DIR}/Testing/tmp ${CMAKE_BINARY_DIR}/Testing/postgres/conninfo)
set_tests_properties(bench_persistence_smoke_postgres PROPERTIES TIMEOUT 120 FIXTURES_REQUIRED postgres)
# BulletInBoard beside NATS JetStream, a few requests each: the script, both benchmarks and
# the clean-up keep working (figures printed, not checked). Needs nats-server (tools/setup.sh).
add_test(NAME bench_nats_compare_smoke
         COMMAND ${PROJECT_SOURCE_DIR}/tools/bench/nats-compare.sh --clients 2 --requests 20 --build ${CMAKE_BINARY_DIR})
set_tests_properties(bench_nats_compare_smoke PROPERTIES TIMEOUT 180)
