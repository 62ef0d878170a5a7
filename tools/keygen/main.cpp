// bib-keygen: CurveZMQ key pairs for the nodes of a cluster (docs/security.md).
//
//   $ bib-keygen --dir keys broker proxy reference server-1 server-2
//   $ bib-keygen --dir keys --cluster --servers 3      # the same set for bib-cluster's layout
//   keys/broker.pub  rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7
//   ...
//
// Each NAME gets NAME.key (the secret key, mode 0600) and NAME.pub (its public key), both Z85
// text. An existing pair is kept (rerunning is harmless) unless --force. The folder's *.pub
// files are the allow-list a node with host.security "curve" checks every cluster link by; a
// node reads its own NAME.key (host.key_file).
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>
#include <vector>

#include "bib/curve_keys.hpp"
#include "bib/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Write CurveZMQ key pairs (NAME.key, NAME.pub) for the nodes of a cluster"};
  app.set_version_flag("--version", std::string("bib-keygen " BIB_VERSION_STRING));
  std::string dir;
  std::vector<std::string> names;
  bool cluster = false;
  int servers = 3;
  bool force = false;
  app.add_option("--dir", dir, "folder to write the keys into (created when missing)")->required();
  app.add_option("names", names, "node names, e.g. broker proxy reference server-1");
  app.add_flag("--cluster", cluster, "also broker, proxy, reference, server-1..N (--servers) and tools");
  app.add_option("--servers", servers, "servers of --cluster")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_flag("--force", force, "replace existing pairs");
  CLI11_PARSE(app, argc, argv);

  if (cluster) {
    for (const char* role : {"broker", "proxy", "reference", "tools"}) names.emplace_back(role);
    for (int i = 1; i <= servers; ++i) names.push_back("server-" + std::to_string(i));
  }
  if (names.empty()) {
    std::cerr << "bib-keygen: name at least one node, or --cluster\n";
    return 1;
  }
  if (!bib::curve_available()) {
    std::cerr << "bib-keygen: this libzmq was built without CURVE\n";
    return 1;
  }
  try {
    for (const std::string& name : names) {
      const bib::CurveKeyPair pair = bib::write_curve_key_pair(dir, name, force);
      std::cout << dir << "/" << name << ".pub  " << pair.public_key << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "bib-keygen: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
