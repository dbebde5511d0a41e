// Provider signing keys from a JSON Web Key Set (RFC 7517), for checking
// OpenID Connect id_tokens. Pure: the caller fetches the JWKS.
//
// Only the two algorithms an id_token verifier owes the big providers are
// built: RS256 (RSA >= 2048 bits, PKCS#1 v1.5, SHA-256) and ES256 (P-256,
// SHA-256). Keys marked for encryption ("use":"enc") are skipped.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lk::auth {

class JwkKey {
 public:
  // nullopt for an unsupported or malformed key (wrong kty/crv, short RSA
  // modulus, point not on the curve, bad base64url).
  static std::optional<JwkKey> from_json(std::string_view jwk_json);

  const std::string& kid() const { return kid_; }
  // "RS256" or "ES256": what this key can verify.
  const std::string& alg() const { return alg_; }
  // `signature` as in a JWS: RSA bytes, or r || s (64 bytes) for ES256.
  bool verify(std::string_view message, std::string_view signature) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
  std::string kid_;
  std::string alg_;
};

struct JwkSet {
  std::vector<JwkKey> keys;
  // nullopt unless `json` is {"keys":[...]}; unsupported keys are skipped.
  static std::optional<JwkSet> parse(std::string_view json);
  // The key with this kid that verifies `alg`; nullptr when none. An empty
  // kid matches only when the set holds exactly one key for `alg`.
  const JwkKey* find(std::string_view kid, std::string_view alg) const;
};

}  // namespace lk::auth
