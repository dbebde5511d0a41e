// latchkey: parse the command, hand over to app/.
#include "app/backup.hpp"
#include "app/config.hpp"
#include "app/run.hpp"
#include "latchkey_version.hpp"

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(lk::app::usage().c_str(), stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "version" || args[0] == "--version") {
    std::printf("latchkey %s\n", LATCHKEY_VERSION);
    return 0;
  }
  if (args[0] == "backup") return lk::app::backup({args.begin() + 1, args.end()});
  if (args[0] != "serve") {
    std::fprintf(stderr, "latchkey: unknown command '%s' (try --help)\n", args[0].c_str());
    return 2;
  }
  auto config = lk::app::parse_serve_args({args.begin() + 1, args.end()});
  if (!config) {
    std::fprintf(stderr, "latchkey: %s\n", config.error().message.c_str());
    return 2;
  }
  return lk::app::serve(*config);
}
