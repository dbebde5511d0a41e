#include "auth/jwt.hpp"

#include "crypto/encoding.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <simdjson.h>

#include <limits>
#include <optional>
#include <utility>

namespace lk::auth {

namespace {

namespace od = simdjson::ondemand;

// Our tokens are ~400 bytes. A cap far above that bounds the work an
// unauthenticated caller can make us do (decoding, parsing) per request.
constexpr std::size_t kMaxTokenLen = 4096;
constexpr std::string_view kAlg = "EdDSA";

std::string b64(const boost::json::object& obj) {
  return crypto::base64url_encode(boost::json::serialize(obj));
}

boost::json::string_view js(std::string_view s) { return {s.data(), s.size()}; }

// On-Demand parsing is lazy: a document's end is only checked when asked.
// current_location() reports OUT_OF_BOUNDS once everything has been consumed;
// anything else means trailing content after the top-level object.
bool at_end(od::document& doc) { return doc.current_location().error() == simdjson::OUT_OF_BOUNDS; }

struct Header {
  JwtStatus status = JwtStatus::malformed;
  std::string kid;
};

// Returns ok (with kid), malformed or bad_algorithm.
Header parse_header(od::parser& parser, std::string_view json) {
  Header h;
  simdjson::padded_string padded(json);
  od::document doc;
  od::object obj;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(obj)) return h;
  std::optional<std::string> alg;
  bool alg_seen = false;
  bool kid_seen = false;
  for (auto item : obj) {
    od::field field;
    std::string_view key;
    if (std::move(item).get(field) || field.unescaped_key().get(key)) return h;
    if (key == "alg") {
      if (alg_seen) return h;  // duplicate names are ambiguous: refuse them
      alg_seen = true;
      std::string_view v;
      // A non-string alg is kept as "no alg": it is rejected as bad_algorithm.
      if (!field.value().get_string().get(v)) alg = std::string(v);
    } else if (key == "kid") {
      std::string_view v;
      if (kid_seen || field.value().get_string().get(v)) return h;
      kid_seen = true;
      h.kid = std::string(v);
    } else if (key == "crit") {
      // RFC 7515 4.1.11: extensions listed in "crit" must be understood. We
      // understand none, so such a token is refused.
      return h;
    }
  }
  if (!at_end(doc) || !kid_seen) return h;
  // Exactly one algorithm: the caller's key type decides it, never the token.
  // This shuts out "none" and HS256-with-the-public-key-as-secret attacks.
  h.status = alg == kAlg ? JwtStatus::ok : JwtStatus::bad_algorithm;
  return h;
}

constexpr std::string_view kClaimNames[] = {"iss", "sub", "aud", "sid", "iat", "nbf", "exp", "jti"};

// Fills `out` from the payload; false unless all eight claims are present,
// unique and of the right type.
bool parse_claims(od::parser& parser, std::string_view json, AccessClaims& out) {
  simdjson::padded_string padded(json);
  od::document doc;
  od::object obj;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(obj)) return false;
  unsigned seen = 0;
  for (auto item : obj) {
    od::field field;
    std::string_view key;
    if (std::move(item).get(field) || field.unescaped_key().get(key)) return false;
    unsigned bit = 0;
    for (std::size_t i = 0; i < std::size(kClaimNames); ++i) {
      if (key == kClaimNames[i]) bit = 1u << i;
    }
    if (bit == 0) continue;  // unknown claims are ignored (forward compatibility)
    if (seen & bit) return false;
    seen |= bit;

    od::value value = field.value();
    std::string_view s;
    std::int64_t n = 0;
    if (key == "iat" || key == "nbf" || key == "exp") {
      if (value.get_int64().get(n)) return false;
      (key == "iat" ? out.iat : key == "nbf" ? out.nbf : out.exp) = n;
      continue;
    }
    if (value.get_string().get(s)) return false;
    if (key == "iss") {
      out.iss = std::string(s);
    } else if (key == "jti") {
      out.jti = std::string(s);
    } else {
      std::optional<Id> id = parse_uuid(s);
      if (!id) return false;
      (key == "sub" ? out.sub : key == "aud" ? out.aud : out.sid) = *id;
    }
  }
  return at_end(doc) && seen == (1u << std::size(kClaimNames)) - 1;
}

}  // namespace

std::string jwt_sign(const AccessClaims& claims, std::string_view kid,
                     const crypto::Ed25519PrivateKey& key) {
  // Every refresh signs one of these. The objects and their strings live in
  // a stack buffer (a claim set is ~300 bytes of JSON; the resource falls
  // back to the heap should it not fit), and the token is built in place.
  unsigned char storage[2048];
  boost::json::monotonic_resource resource(storage, sizeof storage);
  // Boost.JSON keeps insertion order and escapes every string.
  boost::json::object header(&resource);
  header.reserve(3);
  header["alg"] = js(kAlg);
  header["typ"] = "JWT";
  header["kid"] = js(kid);

  boost::json::object payload(&resource);
  payload.reserve(8);
  payload["iss"] = js(claims.iss);
  payload["sub"] = js(to_string(claims.sub));
  payload["aud"] = js(to_string(claims.aud));
  payload["sid"] = js(to_string(claims.sid));
  payload["iat"] = claims.iat;
  payload["nbf"] = claims.nbf;
  payload["exp"] = claims.exp;
  payload["jti"] = js(claims.jti);

  std::string token;
  token.reserve(512);
  token += b64(header);
  token += '.';
  token += b64(payload);
  std::string sig = key.sign(token);
  token += '.';
  token += crypto::base64url_encode(sig);
  return token;
}

JwtVerification jwt_verify(std::string_view token, const KeyLookup& keys, const Id& expected_aud,
                           std::int64_t now_s, std::int64_t leeway_s) {
  JwtVerification result;  // status malformed, claims empty
  if (token.empty() || token.size() > kMaxTokenLen) return result;

  std::size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return result;
  std::size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return result;
  }
  std::string_view header_b64 = token.substr(0, dot1);
  std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string_view sig_b64 = token.substr(dot2 + 1);
  if (header_b64.empty() || payload_b64.empty() || sig_b64.empty()) return result;

  // Strict base64url: one accepted spelling per token, so a token cannot be
  // altered (padding, stray bits) and still verify.
  auto header_json = crypto::base64url_decode(header_b64);
  auto payload_json = crypto::base64url_decode(payload_b64);
  auto signature = crypto::base64url_decode(sig_b64);
  if (!header_json || !payload_json || !signature) return result;

  od::parser parser;
  Header header = parse_header(parser, *header_json);
  if (header.status != JwtStatus::ok) {
    result.status = header.status;
    return result;
  }
  const crypto::Ed25519PublicKey* key = keys ? keys(header.kid) : nullptr;
  if (key == nullptr) {
    result.status = JwtStatus::unknown_key;
    return result;
  }
  // The signature covers the header and payload exactly as received. Nothing
  // in the payload is looked at before this check passes.
  if (!key->verify(token.substr(0, dot2), *signature)) {
    result.status = JwtStatus::bad_signature;
    return result;
  }

  AccessClaims claims;
  if (!parse_claims(parser, *payload_json, claims)) return result;
  if (claims.aud != expected_aud) {
    // A token for another tenant: say so, but hand out none of its claims.
    result.status = JwtStatus::wrong_audience;
    return result;
  }
  // Leeway only on nbf, so a token is never honoured after its exp. The sum
  // saturates instead of overflowing on extreme inputs.
  std::int64_t leeway = leeway_s > 0 ? leeway_s : 0;
  std::int64_t latest_nbf = now_s > std::numeric_limits<std::int64_t>::max() - leeway
                                ? std::numeric_limits<std::int64_t>::max()
                                : now_s + leeway;
  if (claims.nbf > latest_nbf) {
    result.status = JwtStatus::not_yet_valid;
    return result;
  }
  result.status = claims.exp <= now_s ? JwtStatus::expired : JwtStatus::ok;
  result.claims = std::move(claims);
  return result;
}

}  // namespace lk::auth
