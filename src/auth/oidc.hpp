// OpenID Connect id_token checks (Core 1.0 section 3.1.3.7). Pure: the
// caller passes the provider's keys (auth/jwk.hpp) and the time.
#pragma once

#include "auth/jwk.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lk::auth {

struct IdTokenExpectations {
  std::string issuer;     // exact match with "iss"
  std::string client_id;  // must be in "aud"; "azp" too when aud has several
  std::string nonce;      // exact match with "nonce": binds the token to our request
  std::int64_t now_s = 0;
  std::int64_t leeway_s = 60;  // clock skew, for exp and iat
};

// What a provider asserts about its user.
struct ProviderIdentity {
  std::string subject;  // stable provider user id ("sub", GitHub's numeric id)
  std::optional<std::string> email;
  bool email_verified = false;
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<std::string> avatar_url;
};

enum class IdTokenStatus {
  ok,
  malformed,      // not a JWS, bad JSON, missing claims
  bad_algorithm,  // anything but RS256 / ES256 (never "none", never HS256)
  unknown_key,    // no key with this kid: the caller may refresh the JWKS once
  bad_signature,
  wrong_issuer,
  wrong_audience,
  expired,
  wrong_nonce,
};

struct IdTokenResult {
  IdTokenStatus status = IdTokenStatus::malformed;
  ProviderIdentity identity;  // filled when ok
};

IdTokenResult verify_id_token(std::string_view token, const JwkSet& keys, const IdTokenExpectations& expect);

// A short text for logs and the error redirect.
std::string_view describe(IdTokenStatus status);

}  // namespace lk::auth
