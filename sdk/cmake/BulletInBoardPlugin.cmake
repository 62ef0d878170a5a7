# bib_add_plugin(NAME SOURCES...): builds the plugin library `bib-NAME.so` against bib::sdk,
# with hidden visibility so that it exports its descriptor and nothing else.
# In this source tree the plugins land in BIB_PLUGIN_OUTPUT_DIR and are installed with the host;
# out of tree (after find_package(BulletInBoardSDK)) they land in the caller's build directory.
set(BIB_PLUGIN_VERSION_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/bib-plugin.map)

function(bib_add_plugin name)
  set(target bib-plugin-${name})
  add_library(${target} MODULE ${ARGN})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME bib-${name}
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_libraries(${target} PRIVATE bib::sdk)
  target_link_options(${target} PRIVATE "-Wl,--version-script=${BIB_PLUGIN_VERSION_SCRIPT}")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${BIB_PLUGIN_VERSION_SCRIPT})
  if(DEFINED BIB_PLUGIN_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${BIB_PLUGIN_OUTPUT_DIR})
    if(NOT name MATCHES "^fixture-")  # test fixtures stay in the build tree
      install(TARGETS ${target} LIBRARY DESTINATION ${BIB_PLUGIN_INSTALL_DIR})
    endif()
  endif()
endfunction()

# bib_add_plugin_core(NAME SOURCES...): the plugin's logic as a static library bib-NAME-core
# (hidden visibility, linked into bib-NAME.so) so that its tests drive the classes in-process.
# Call it before bib_add_plugin(NAME ...).
function(bib_add_plugin_core name)
  add_library(bib-${name}-core STATIC ${ARGN})
  # Position-independent: it is linked into a shared module, also in a project that does not
  # set CMAKE_POSITION_INDEPENDENT_CODE.
  set_target_properties(bib-${name}-core PROPERTIES CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
                                                    POSITION_INDEPENDENT_CODE ON)
  target_include_directories(bib-${name}-core PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(bib-${name}-core PUBLIC bib::sdk)
endfunction()
