// BIB_PLUGIN: exports a plugin's descriptor (bib/plugin.hpp) from its shared library.
//
// Include this in the one source file that uses the macro, not in headers: it brings in
// Boost.DLL (and with it Boost.Filesystem), which the rest of a plugin does not need.
#pragma once

#include <memory>

#include <boost/dll/alias.hpp>

#include "bib/plugin.hpp"

// Declares the plugin's descriptor and exports it as `bib_plugin_descriptor`.
// BIB_PLUGIN takes the name as a bare identifier; BIB_PLUGIN_NAMED takes a string, for names
// with '-' ("discovery-static"). KIND is a bib::PluginKind, VERSION a string, CLASS the
// default-constructible plugin class. Use it once, at global scope, in one source file.
#define BIB_PLUGIN_NAMED(NAME_STRING, KIND, VERSION, CLASS)                              \
  namespace {                                                                             \
  std::unique_ptr<::bib::Plugin> bib_plugin_create() { return std::make_unique<CLASS>(); } \
  const ::bib::PluginDescriptor bib_plugin_descriptor_object{                            \
      ::bib::kAbiVersion, NAME_STRING, KIND, VERSION, &bib_plugin_create};               \
  }                                                                                       \
  BOOST_DLL_ALIAS(bib_plugin_descriptor_object, bib_plugin_descriptor)

#define BIB_PLUGIN(NAME, KIND, VERSION, CLASS) BIB_PLUGIN_NAMED(#NAME, KIND, VERSION, CLASS)
