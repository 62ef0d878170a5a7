# persistence-sqlite in-process, through the plugin class of bib-persistence-sqlite-core.
# Included from the top level (see ../CMakeLists.txt): paths come from CMAKE_CURRENT_LIST_DIR.
bib_add_test(persistence_sqlite_test ${CMAKE_CURRENT_LIST_DIR}/sqlite_persistence_test.cpp)
target_link_libraries(persistence_sqlite_test PRIVATE bib-persistence-sqlite-core)
# The shared helpers (sample events, crash images) live with persistence-json's suite.
target_include_directories(persistence_sqlite_test PRIVATE ${PROJECT_SOURCE_DIR}/plugins/persistence-json/tests)
