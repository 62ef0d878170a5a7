// bib context: the endpoints this bib would use and where each value came from, so a person
// can tell which cluster a command will reach before sending anything; and contexts kept by
// name, as `nats context` keeps them (save, list, use).
//   context    /work/main/run/context.json (run)
//   broker     tcp://127.0.1.2:5555   context /work/main/run/context.json
//   proxy      tcp://127.0.1.3:5558   context /work/main/run/context.json
//   reference  tcp://127.0.1.1:5560   env BIB_REFERENCE_ENDPOINT
#include <iostream>
#include <optional>

#include "bib/json.hpp"
#include "bib_cli/client_context.hpp"
#include "bib_cli/exit_codes.hpp"
#include "commands.hpp"

namespace bib::client {

namespace {

int show(const Shell& shell) {
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
  if (!c.keys_dir.empty()) std::cout << "keys       " << c.keys_dir << "   (CURVE to the reference and the servers)\n";
  return cli::kSuccess;
}

// A name that makes one file in the contexts directory.
bool usable_name(const std::string& name) {
  return !name.empty() && name.find_first_of("/\\") == std::string::npos && name != "." && name != "..";
}

}  // namespace

int context(const Shell& shell, const std::string& action, const std::string& name) {
  if (action == "show") return show(shell);
  if (action == "list") {
    for (const auto& saved : cli::saved_context_names()) std::cout << saved << "\n";
    return cli::kSuccess;
  }
  if (!usable_name(name)) {
    std::cerr << "bib context " << action << ": give a NAME (letters, digits, '-', '.'; no '/')\n";
    return cli::kUsage;
  }
  const std::string path = cli::context_path(name.size() > 5 && name.ends_with(".json") ? name.substr(0, name.size() - 5) : name);
  if (action == "save") {
    const cli::Connection& c = shell.connection;
    // Keys travel with the endpoints, so a saved secure cluster stays reachable.
    const auto given = [](const std::string& value) { return value.empty() ? std::nullopt : std::optional(value); };
    auto written = cli::write_client_context(path, cli::ClientContext{path, name, c.broker, c.proxy, c.reference,
                                                                      given(c.keys_dir), given(c.broker_key),
                                                                      given(c.proxy_key)});
    if (!written) {
      std::cerr << "bib: " << written.error().message << "\n";
      return cli::kUsage;
    }
    std::cout << "saved context " << name << " in " << path << " (broker " << c.broker << ", proxy " << c.proxy
              << ", reference " << c.reference << ")\n";
    return cli::kSuccess;
  }
  // use
  if (auto read = cli::read_client_context(path); !read) {
    std::cerr << "bib: " << read.error().message << " (bib context list shows the saved ones)\n";
    return cli::kUsage;
  }
  if (auto pointed = cli::point_current_at(path); !pointed) {
    std::cerr << "bib: " << pointed.error().message << "\n";
    return cli::kUsage;
  }
  std::cout << "context " << name << " is current: bib without endpoints reaches it\n";
  return cli::kSuccess;
}

}  // namespace bib::client
