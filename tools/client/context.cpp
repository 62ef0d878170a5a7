// bib context: the endpoints this bib would use and where each value came from, so a person
// can tell which cluster a command will reach before sending anything.
//   context    /work/main/run/context.json (run)
//   broker     tcp://127.0.1.2:5555   context /work/main/run/context.json
//   proxy      tcp://127.0.1.3:5558   context /work/main/run/context.json
//   reference  tcp://127.0.1.1:5560   env BIB_REFERENCE_ENDPOINT
#include <iostream>

#include "bib/json.hpp"
#include "bib_cli/client_context.hpp"
#include "bib_cli/exit_codes.hpp"
#include "commands.hpp"

namespace bib::client {

int context(const Shell& shell) {
  const cli::Connection& c = shell.connection;
  if (shell.json) {
    std::cout << to_json(Map{{"context", c.context_file},
                             {"name", c.context_name},
                             {"broker", Map{{"endpoint", c.broker}, {"from", c.origin.broker}}},
                             {"proxy", Map{{"endpoint", c.proxy}, {"from", c.origin.proxy}}},
                             {"reference", Map{{"endpoint", c.reference}, {"from", c.origin.reference}}}})
              << std::endl;
    return cli::kSuccess;
  }
  if (c.context_file.empty()) {
    const std::string pointer = cli::current_context_pointer();
    std::cout << "context    none (no --context, no BIB_CONTEXT" << (pointer.empty() ? "" : ", no cluster at " + pointer)
              << ")\n";
  } else {
    std::cout << "context    " << c.context_file << (c.context_name.empty() ? "" : " (" + c.context_name + ")") << "\n";
  }
  if (!c.notice.empty()) std::cout << "note       " << c.notice << "\n";
  std::cout << "broker     " << c.broker << "   " << c.origin.broker << "\n"
            << "proxy      " << c.proxy << "   " << c.origin.proxy << "\n"
            << "reference  " << c.reference << "   " << c.origin.reference << "\n";
  return cli::kSuccess;
}

}  // namespace bib::client
