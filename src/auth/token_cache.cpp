#include "auth/token_cache.hpp"

#include "crypto/hash.hpp"

#include <algorithm>
#include <cstring>

namespace lk::auth {

TokenCache::TokenCache(std::size_t capacity) : per_shard_(std::max<std::size_t>(1, capacity / kShards)) {}

Hash TokenCache::key_of(const Id& tenant, std::string_view token) { return crypto::sha256(as_view(tenant), token); }

// The shard is picked by byte 0; the map hashes bytes 8..15.
TokenCache::Shard& TokenCache::shard_for(const Hash& key) { return shards_[key[0] % kShards]; }

std::size_t TokenCache::KeyHash::operator()(const Hash& key) const {
  std::size_t h = 0;
  std::memcpy(&h, key.data() + 8, sizeof h);
  return h;
}

std::optional<VerifiedToken> TokenCache::find(const Id& tenant, std::string_view token) {
  Hash key = key_of(tenant, token);
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.entries.find(key);
  if (it == shard.entries.end()) return std::nullopt;
  return it->second;
}

void TokenCache::insert(const Id& tenant, std::string_view token, const VerifiedToken& verified, std::int64_t now_s) {
  Hash key = key_of(tenant, token);
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  if (shard.entries.size() >= per_shard_) {
    std::erase_if(shard.entries, [now_s](const auto& entry) { return entry.second.exp <= now_s; });
    if (shard.entries.size() >= per_shard_) shard.entries.erase(shard.entries.begin());
  }
  shard.entries.insert_or_assign(key, verified);
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
