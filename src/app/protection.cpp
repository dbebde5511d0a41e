#include "app/protection.hpp"

#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"

#include <chrono>
#include <filesystem>

namespace lk::app {

std::string rate_table_path(const Config& config) {
  if (!config.rate_limit_table.empty()) return config.rate_limit_table;
  // Canonical, so "./data" and "/srv/x/data" name one table; the directory
  // exists by now (serve() created it).
  std::error_code ec;
  auto dir = std::filesystem::weakly_canonical(std::filesystem::absolute(config.data_dir), ec);
  std::string name = ec ? config.data_dir : dir.string();
  // Without a tmpfs at /dev/shm (some containers), the data directory:
  // the table then lives on disk, which only costs page-cache writeback.
  if (!std::filesystem::is_directory("/dev/shm", ec)) return config.data_dir + "/ratelimit.shm";
  Hash digest = crypto::sha256(name);
  return "/dev/shm/latchkey-" + crypto::hex_encode(as_view(digest)).substr(0, 16);
}

services::RateLimitSettings rate_limit_settings(const Config& config) {
  services::RateLimitSettings s;
  s.per_ip = config.rate_limit;
  s.api_per_minute = config.rate_limit_api;
  s.auth_per_minute = config.rate_limit_auth;
  return s;
}

http::ServerOptions server_options(const Config& config) {
  http::ServerOptions o;
  o.trusted_proxies = config.trusted_proxies;
  o.header_timeout = std::chrono::seconds(config.header_timeout_s);
  o.max_connections = static_cast<std::size_t>(config.max_connections);
  o.shed_pause = std::chrono::milliseconds(config.shed_pause_ms);
  return o;
}

}  // namespace lk::app
