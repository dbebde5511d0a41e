#include "auth/token_cache.hpp"

#include <doctest/doctest.h>

#include <string>

using lk::Id;
using lk::auth::AccessClaims;
using lk::auth::TokenCache;

namespace {
Id id_of(std::uint8_t b) {
  Id id{};
  id.fill(b);
  return id;
}

AccessClaims claims(std::int64_t exp) {
  AccessClaims c;
  c.iss = "http://issuer";
  c.sub = id_of(1);
  c.aud = id_of(2);
  c.sid = id_of(3);
  c.iat = exp - 900;
  c.nbf = c.iat;
  c.exp = exp;
  c.jti = "jti";
  return c;
}
}  // namespace

TEST_CASE("token cache: a verified token is found with its claims, only for its tenant") {
  TokenCache cache(64);
  cache.insert(id_of(2), "token-a", lk::auth::VerifiedToken::of(claims(2000)), 1000);
  auto hit = cache.find(id_of(2), "token-a");
  REQUIRE(hit.has_value());
  CHECK(hit->sub == id_of(1));
  CHECK(hit->sid == id_of(3));
  CHECK(hit->iat == 1100);
  CHECK(hit->exp == 2000);
  CHECK_FALSE(cache.find(id_of(9), "token-a").has_value());  // same bytes, other tenant
  CHECK_FALSE(cache.find(id_of(2), "token-b").has_value());
  CHECK_FALSE(cache.find(id_of(2), "token-a ").has_value());  // not a prefix match
}

TEST_CASE("token cache: memory stays bounded and expired entries go first") {
  TokenCache cache(16 * 4);  // 4 per shard
  for (int i = 0; i < 2000; ++i) {
    cache.insert(id_of(2), "tok" + std::to_string(i), lk::auth::VerifiedToken::of(claims(i < 1000 ? 10 : 5000)), 100);
  }
  CHECK(cache.size() <= 16 * 4);
  // The newest entry was inserted last: it is always present.
  CHECK(cache.find(id_of(2), "tok1999").has_value());
}
