// EdDSA (Ed25519) JSON Web Tokens for access tokens. Pure: no I/O, the caller
// passes the time and the key lookup.
//
// Only {"alg":"EdDSA"} is accepted: no "none", no algorithm switching.
#pragma once

#include "core/ids.hpp"
#include "crypto/ed25519.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace lk::auth {

struct AccessClaims {
  std::string iss;
  Id sub{};  // user id
  Id aud{};  // tenant id
  Id sid{};  // session id
  std::int64_t iat = 0;  // seconds
  std::int64_t nbf = 0;
  std::int64_t exp = 0;
  std::string jti;
};

// header.payload.signature, base64url; header {"alg":"EdDSA","typ":"JWT","kid":kid}.
std::string jwt_sign(const AccessClaims& claims, std::string_view kid, const crypto::Ed25519PrivateKey& key);

enum class JwtStatus {
  ok,
  malformed,      // not three base64url parts, bad JSON, missing/ill-typed claims
  bad_algorithm,  // alg other than EdDSA
  unknown_key,    // kid not found by the lookup
  bad_signature,
  wrong_audience,
  not_yet_valid,  // nbf in the future (beyond leeway)
  expired,        // valid signature, exp passed
};

struct JwtVerification {
  JwtStatus status = JwtStatus::malformed;
  AccessClaims claims;  // filled when status is ok or expired
};

// Returns the public key for a kid, or nullptr.
using KeyLookup = std::function<const crypto::Ed25519PublicKey*(std::string_view kid)>;

// Checks structure, alg, kid, signature, then aud == expected_aud, nbf and
// exp against now_s (with `leeway_s` for clock skew on nbf only).
JwtVerification jwt_verify(std::string_view token, const KeyLookup& keys, const Id& expected_aud,
                           std::int64_t now_s, std::int64_t leeway_s = 5);

}  // namespace lk::auth
