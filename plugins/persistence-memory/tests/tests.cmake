# persistence-memory in-process, through the plugin class of bib-persistence-memory-core.
# Included from the top level (see ../CMakeLists.txt): paths come from CMAKE_CURRENT_LIST_DIR.
bib_add_test(persistence_memory_test ${CMAKE_CURRENT_LIST_DIR}/memory_persistence_test.cpp)
target_link_libraries(persistence_memory_test PRIVATE bib-persistence-memory-core)
# The shared helpers (sample events) live with persistence-json's suite.
target_include_directories(persistence_memory_test PRIVATE ${PROJECT_SOURCE_DIR}/plugins/persistence-json/tests)
