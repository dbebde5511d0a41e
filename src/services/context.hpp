// What every service needs, wired once in app/.
#pragma once

#include "core/offload.hpp"
#include "crypto/password.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace lk::services {

class TenantDirectory;

struct Settings {
  std::string issuer;  // the "iss" claim: the public URL
  std::int64_t access_ttl_s = 900;
  std::int64_t refresh_ttl_s = 604800;
  std::int64_t refresh_grace_s = 10;
  bool dev = false;  // server-wide development mode
  crypto::Argon2Params argon2;
};

struct Context {
  Settings settings;
  store::Store& store;
  Pool& cpu;       // password hashing
  Pool& blocking;  // synced writes
  TenantDirectory& tenants;
  std::string master_key;          // 32 bytes; seals secrets at rest
  std::string refresh_derive_key;  // HKDF(master, "refresh-successor")
  std::function<void()> wake_mail_sender;
};

}  // namespace lk::services
