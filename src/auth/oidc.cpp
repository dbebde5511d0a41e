#include "auth/oidc.hpp"

#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"

#include <boost/json/parse.hpp>

namespace lk::auth {

namespace {

namespace json = boost::json;

std::optional<json::object> decode_part(std::string_view part) {
  auto bytes = crypto::base64url_decode(part);
  if (!bytes) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(*bytes, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

std::optional<std::string> str(const json::object& obj, std::string_view name) {
  auto it = obj.find(name);
  if (it == obj.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().get_string());
}

std::optional<std::int64_t> seconds(const json::object& obj, std::string_view name) {
  auto it = obj.find(name);
  if (it == obj.end()) return std::nullopt;
  if (it->value().is_int64()) return it->value().get_int64();
  if (it->value().is_uint64() && it->value().get_uint64() < (1ULL << 62)) {
    return static_cast<std::int64_t>(it->value().get_uint64());
  }
  if (it->value().is_double()) return static_cast<std::int64_t>(it->value().get_double());
  return std::nullopt;
}

bool audience_ok(const json::object& claims, const std::string& client_id) {
  auto it = claims.find("aud");
  if (it == claims.end()) return false;
  if (it->value().is_string()) return it->value().get_string() == client_id;
  if (!it->value().is_array()) return false;
  const auto& list = it->value().get_array();
  bool listed = false;
  for (const auto& a : list) listed = listed || (a.is_string() && a.get_string() == client_id);
  if (!listed) return false;
  // With several audiences, the token must have been issued to us (azp).
  return list.size() == 1 || str(claims, "azp") == client_id;
}

// Google sends email_verified as a boolean; some providers send "true".
bool verified_flag(const json::object& claims) {
  auto it = claims.find("email_verified");
  if (it == claims.end()) return false;
  if (it->value().is_bool()) return it->value().get_bool();
  return it->value().is_string() && it->value().get_string() == "true";
}

}  // namespace

IdTokenResult verify_id_token(std::string_view token, const JwkSet& keys, const IdTokenExpectations& expect) {
  IdTokenResult out;
  auto dot1 = token.find('.');
  auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) return out;
  auto header = decode_part(token.substr(0, dot1));
  auto claims = decode_part(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = crypto::base64url_decode(token.substr(dot2 + 1));
  if (!header || !claims || !signature) return out;

  // The algorithm must be one we chose to support, and the key's own type
  // must agree (JwkSet::find): the token cannot switch RS256 to HS256.
  auto alg = str(*header, "alg");
  if (alg != "RS256" && alg != "ES256") {
    out.status = IdTokenStatus::bad_algorithm;
    return out;
  }
  const JwkKey* key = keys.find(str(*header, "kid").value_or(""), *alg);
  if (!key) {
    out.status = IdTokenStatus::unknown_key;
    return out;
  }
  if (!key->verify(token.substr(0, dot2), *signature)) {
    out.status = IdTokenStatus::bad_signature;
    return out;
  }

  auto sub = str(*claims, "sub");
  auto exp = seconds(*claims, "exp");
  if (!sub || sub->empty() || sub->size() > 255 || !exp) return out;
  if (str(*claims, "iss") != expect.issuer) {
    out.status = IdTokenStatus::wrong_issuer;
  } else if (!audience_ok(*claims, expect.client_id)) {
    out.status = IdTokenStatus::wrong_audience;
  } else if (*exp + expect.leeway_s <= expect.now_s) {
    out.status = IdTokenStatus::expired;
  } else if (auto nonce = str(*claims, "nonce");
             expect.nonce.empty() || !nonce || !crypto::ct_equal(*nonce, expect.nonce)) {
    out.status = IdTokenStatus::wrong_nonce;
  } else {
    out.status = IdTokenStatus::ok;
    out.identity.subject = std::move(*sub);
    out.identity.email = str(*claims, "email");
    out.identity.email_verified = out.identity.email && verified_flag(*claims);
    out.identity.first_name = str(*claims, "given_name");
    out.identity.last_name = str(*claims, "family_name");
    out.identity.avatar_url = str(*claims, "picture");
  }
  return out;
}

std::string_view describe(IdTokenStatus status) {
  switch (status) {
    case IdTokenStatus::ok: return "ok";
    case IdTokenStatus::malformed: return "malformed id_token";
    case IdTokenStatus::bad_algorithm: return "id_token algorithm not accepted";
    case IdTokenStatus::unknown_key: return "id_token signed with an unknown key";
    case IdTokenStatus::bad_signature: return "id_token signature is invalid";
    case IdTokenStatus::wrong_issuer: return "id_token issuer mismatch";
    case IdTokenStatus::wrong_audience: return "id_token audience mismatch";
    case IdTokenStatus::expired: return "id_token expired";
    case IdTokenStatus::wrong_nonce: return "id_token nonce mismatch";
  }
  return "invalid id_token";
}

}  // namespace lk::auth
