// A bounded cache of access tokens whose signature already verified.
//
// An Ed25519 verification costs ~60 us; a SHA-256 of the token ~1 us. The
// cache maps sha256(tenant id || token) to what later requests need of the
// token's claims, so a token that verified once is not verified again. It
// only ever answers for the exact bytes that verified, and only for the
// tenant they verified for. It holds no decisions: expiry, the user's
// valid-after instant, deletion and the session are still checked by the
// caller on every request.
//
// Thread-safe (sharded mutexes); memory is bounded by `capacity` entries.
#pragma once

#include "auth/jwt.hpp"
#include "core/ids.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace lk::auth {

// The claims a request needs once the signature, issuer, audience and
// not-before were checked: who, which session, when issued and until when.
// (No strings: a hit copies 48 bytes.)
struct VerifiedToken {
  Id sub{};
  Id sid{};
  std::int64_t iat = 0;  // seconds
  std::int64_t exp = 0;

  static VerifiedToken of(const AccessClaims& claims) { return {claims.sub, claims.sid, claims.iat, claims.exp}; }
};

class TokenCache {
 public:
  explicit TokenCache(std::size_t capacity = 65536);

  // What a token that verified for `tenant` said, or nullopt.
  std::optional<VerifiedToken> find(const Id& tenant, std::string_view token);
  // Records a verified token. Entries past `exp` are dropped first when a
  // shard is full; then an arbitrary one.
  void insert(const Id& tenant, std::string_view token, const VerifiedToken& verified, std::int64_t now_s);
  std::size_t size();

 private:
  static constexpr std::size_t kShards = 16;
  // Keys are SHA-256 digests: any 8 of their bytes are already a good hash.
  struct KeyHash {
    std::size_t operator()(const Hash& key) const;
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<Hash, VerifiedToken, KeyHash> entries;
  };
  Shard& shard_for(const Hash& key);
  static Hash key_of(const Id& tenant, std::string_view token);

  std::size_t per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace lk::auth
