#include "auth/token_cache.hpp"

#include "crypto/hash.hpp"

#include <algorithm>

namespace lk::auth {

TokenCache::TokenCache(std::size_t capacity) : per_shard_(std::max<std::size_t>(1, capacity / kShards)) {}

std::string TokenCache::key_of(const Id& tenant, std::string_view token) {
  std::string input(as_view(tenant));
  input.append(token);
  return std::string(as_view(crypto::sha256(input)));
}

TokenCache::Shard& TokenCache::shard_for(const std::string& key) {
  return shards_[static_cast<unsigned char>(key[0]) % kShards];
}

std::optional<AccessClaims> TokenCache::find(const Id& tenant, std::string_view token) {
  std::string key = key_of(tenant, token);
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.entries.find(key);
  if (it == shard.entries.end()) return std::nullopt;
  return it->second;
}

void TokenCache::insert(const Id& tenant, std::string_view token, const AccessClaims& claims, std::int64_t now_s) {
  std::string key = key_of(tenant, token);
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  if (shard.entries.size() >= per_shard_) {
    std::erase_if(shard.entries, [now_s](const auto& entry) { return entry.second.exp <= now_s; });
    if (shard.entries.size() >= per_shard_) shard.entries.erase(shard.entries.begin());
  }
  shard.entries.insert_or_assign(std::move(key), claims);
}

std::size_t TokenCache::size() {
  std::size_t n = 0;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    n += shard.entries.size();
  }
  return n;
}

}  // namespace lk::auth
