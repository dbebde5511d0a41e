// Command line and environment for `latchkey serve`.
//
// Every flag --name also reads LATCHKEY_NAME (upper-case, '-' -> '_'); the
// flag wins over the environment.
#pragma once

#include "core/error.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace lk::app {

struct Config {
  std::string data_dir = "./latchkey-data";
  std::string listen_host = "127.0.0.1";
  unsigned short listen_port = 3002;
  std::string admin_secret;  // empty: generated into DIR/admin-secret
  std::string master_key;    // hex; empty: DIR/master.key
  std::string public_url;    // empty: http://<listen>
  bool dev = false;
  int threads = 0;  // 0: one per core
  std::int64_t access_ttl_s = 900;
  std::int64_t refresh_ttl_s = 604800;
  std::int64_t refresh_grace_s = 10;
  store::Durability durability = store::Durability::strict;
  std::string mail_from = "Latchkey <no-reply@localhost>";
  bool quiet = false;
};

// Parses the arguments after "serve". Errors name the flag.
[[nodiscard]] Result<Config> parse_serve_args(const std::vector<std::string>& args);

// The text of `latchkey --help`.
std::string usage();

}  // namespace lk::app
