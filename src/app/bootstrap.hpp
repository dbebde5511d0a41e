// First-start work: the master-key check and the development tenant.
#pragma once

#include "core/error.hpp"
#include "core/net.hpp"

#include <string>

namespace lk::store { class Store; }
namespace lk::services { class TenantDirectory; }

namespace lk::app {

// Stores a sealed check value on first start; afterwards refuses a master key
// that does not open it (the wrong key would make every secret unreadable).
[[nodiscard]] Result<void> verify_master_key(store::Store& store, const std::string& master_key);

struct DevInfo {
  std::string data_dir;
  std::string base_url;      // http://host:port
  std::string admin_secret;  // printed in development mode only
};

// In development mode: creates the "dev" tenant on first start (its API key
// kept in DIR/dev-api-key, 0600) and prints how to use it on stdout.
awaitable<Result<void>> ensure_dev_tenant(store::Store& store, services::TenantDirectory& tenants, DevInfo info);

}  // namespace lk::app
