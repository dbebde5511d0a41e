// Access-token verification with a fixed key. The raw input is verified as a
// token; it is also signed as "header-json\npayload-json" (or as a payload
// under a good header when it has no newline), so the claim parser behind
// the signature check gets fuzzed too.
#include "auth/jwt.hpp"
#include "crypto/encoding.hpp"
#include "fuzz.hpp"

namespace {

using namespace lk;

constexpr std::int64_t kNow = 1'800'000'000;
// Fixed seed: the checked-in corpus holds tokens signed with it.
const crypto::Ed25519PrivateKey& key() {
  static const auto k = *crypto::Ed25519PrivateKey::from_raw("latchkey-fuzz-ed25519-seed-32byt");
  return k;
}
const crypto::Ed25519PublicKey& public_key() {
  static const auto k = *crypto::Ed25519PublicKey::from_raw(key().public_raw());
  return k;
}
const Id& tenant() {
  static const Id id = *parse_uuid("0190a3c2-d4e5-7a1b-8c2d-3e4f50617283");
  return id;
}
const crypto::Ed25519PublicKey* lookup(std::string_view kid) { return kid == "k1" ? &public_key() : nullptr; }

void verify(std::string_view token) {
  auto v = auth::jwt_verify(token, lookup, tenant(), kNow);
  if (v.status != auth::JwtStatus::ok) return;
  FUZZ_CHECK(v.claims.aud == tenant() && v.claims.exp > kNow);
  // What verifies re-signs into a token that verifies to the same claims.
  auto again = auth::jwt_verify(auth::jwt_sign(v.claims, "k1", key()), lookup, tenant(), kNow);
  FUZZ_CHECK(again.status == auth::JwtStatus::ok && again.claims.jti == v.claims.jti &&
             again.claims.sub == v.claims.sub && again.claims.sid == v.claims.sid);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = fuzz::as_text(data, size);
  verify(in);
  auto parts = fuzz::split(in, 2);
  bool whole = in.find('\n') == std::string_view::npos;
  std::string header = whole ? R"({"alg":"EdDSA","typ":"JWT","kid":"k1"})" : std::string(parts[0]);
  std::string signing_input =
      crypto::base64url_encode(header) + "." + crypto::base64url_encode(whole ? in : parts[1]);
  verify(signing_input + "." + crypto::base64url_encode(key().sign(signing_input)));
  return 0;
}
