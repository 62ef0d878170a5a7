# persistence-json in-process, through the plugin class of bib-persistence-json-core.
# Included from the top level (see ../CMakeLists.txt): paths come from CMAKE_CURRENT_LIST_DIR.
bib_add_test(persistence_json_test
  ${CMAKE_CURRENT_LIST_DIR}/json_persistence_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/journal_test.cpp)
target_link_libraries(persistence_json_test PRIVATE bib-persistence-json-core)
target_include_directories(persistence_json_test PRIVATE ${CMAKE_CURRENT_LIST_DIR})
