#include "auth/jwt.hpp"

#include "crypto/encoding.hpp"
#include "crypto/random.hpp"

#include <doctest/doctest.h>

#include <limits>
#include <map>

using namespace lk;
using namespace lk::auth;
using crypto::base64url_encode;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;

struct Fixture {
  crypto::Ed25519PrivateKey sk = crypto::Ed25519PrivateKey::generate();
  std::map<std::string, crypto::Ed25519PublicKey, std::less<>> keys;
  Id tenant = crypto::new_id();
  KeyLookup lookup = [this](std::string_view kid) -> const crypto::Ed25519PublicKey* {
    auto it = keys.find(kid);
    return it == keys.end() ? nullptr : &it->second;
  };

  Fixture() { keys.emplace("k1", *crypto::Ed25519PublicKey::from_raw(sk.public_raw())); }

  AccessClaims claims() const {
    AccessClaims c;
    c.iss = "https://auth.example";
    c.sub = crypto::new_id();
    c.aud = tenant;
    c.sid = crypto::new_id();
    c.iat = kNow;
    c.nbf = kNow;
    c.exp = kNow + 900;
    c.jti = crypto::random_token(16);
    return c;
  }

  JwtVerification verify(std::string_view token, std::int64_t now = kNow) const {
    return jwt_verify(token, lookup, tenant, now);
  }

  // A token with hand-written JSON, correctly signed by `sk`.
  std::string forge(std::string_view header, std::string_view payload) const {
    std::string input = base64url_encode(header) + "." + base64url_encode(payload);
    return input + "." + base64url_encode(sk.sign(input));
  }

  std::string payload_json() const {
    return R"({"iss":"i","sub":")" + to_string(crypto::new_id()) + R"(","aud":")" +
           to_string(tenant) + R"(","sid":")" + to_string(crypto::new_id()) +
           R"(","iat":1800000000,"nbf":1800000000,"exp":1800000900,"jti":"j"})";
  }
};

constexpr std::string_view kHeader = R"({"alg":"EdDSA","typ":"JWT","kid":"k1"})";

std::string part(std::string_view token, int n) {
  std::size_t begin = 0;
  for (int i = 0; i < n; ++i) begin = token.find('.', begin) + 1;
  std::size_t end = token.find('.', begin);
  return std::string(token.substr(begin, end == std::string_view::npos ? end : end - begin));
}

}  // namespace

TEST_CASE("sign then verify round trip") {
  Fixture f;
  AccessClaims c = f.claims();
  std::string token = jwt_sign(c, "k1", f.sk);
  CHECK(crypto::base64url_decode(part(token, 0)) == std::string(kHeader));
  std::string payload = *crypto::base64url_decode(part(token, 1));
  CHECK(payload.find(R"("sub":")" + to_string(c.sub) + "\"") != std::string::npos);
  CHECK(payload.find(R"("exp":1800000900)") != std::string::npos);

  JwtVerification v = f.verify(token);
  REQUIRE(v.status == JwtStatus::ok);
  CHECK(v.claims.iss == c.iss);
  CHECK(v.claims.sub == c.sub);
  CHECK(v.claims.aud == c.aud);
  CHECK(v.claims.sid == c.sid);
  CHECK(v.claims.iat == c.iat);
  CHECK(v.claims.nbf == c.nbf);
  CHECK(v.claims.exp == c.exp);
  CHECK(v.claims.jti == c.jti);
}

TEST_CASE("hostile strings in kid and iss are escaped and round-trip") {
  Fixture f;
  std::string kid = "k\"1\\\n}\x01";
  f.keys.emplace(kid, *crypto::Ed25519PublicKey::from_raw(f.sk.public_raw()));
  AccessClaims c = f.claims();
  c.iss = "\",\"aud\":\"evil\"}\xe2\x82\xac";
  JwtVerification v = f.verify(jwt_sign(c, kid, f.sk));
  REQUIRE(v.status == JwtStatus::ok);
  CHECK(v.claims.iss == c.iss);
  CHECK(v.claims.aud == f.tenant);
}

TEST_CASE("tampered payload fails the signature") {
  Fixture f;
  AccessClaims c = f.claims();
  std::string token = jwt_sign(c, "k1", f.sk);
  AccessClaims other = c;
  other.sub = crypto::new_id();
  std::string forged_payload = part(jwt_sign(other, "k1", f.sk), 1);
  std::string tampered = part(token, 0) + "." + forged_payload + "." + part(token, 2);
  CHECK(f.verify(tampered).status == JwtStatus::bad_signature);

  std::string flipped = token;
  flipped[flipped.size() - 2] = flipped[flipped.size() - 2] == 'A' ? 'B' : 'A';
  CHECK(f.verify(flipped).status == JwtStatus::bad_signature);
}

TEST_CASE("expired tokens report expired with claims") {
  Fixture f;
  AccessClaims c = f.claims();
  std::string token = jwt_sign(c, "k1", f.sk);
  CHECK(f.verify(token, c.exp - 1).status == JwtStatus::ok);
  JwtVerification v = f.verify(token, c.exp);
  CHECK(v.status == JwtStatus::expired);
  CHECK(v.claims.sub == c.sub);
  CHECK(v.claims.sid == c.sid);
  CHECK(f.verify(token, c.exp + 86400).status == JwtStatus::expired);
}

TEST_CASE("a different key under the same kid is a bad signature") {
  Fixture f;
  auto other = crypto::Ed25519PrivateKey::generate();
  std::string token = jwt_sign(f.claims(), "k1", other);
  JwtVerification v = f.verify(token);
  CHECK(v.status == JwtStatus::bad_signature);
  CHECK(v.claims.jti.empty());
}

TEST_CASE("unknown kid") {
  Fixture f;
  CHECK(f.verify(jwt_sign(f.claims(), "k2", f.sk)).status == JwtStatus::unknown_key);
  CHECK(jwt_verify(jwt_sign(f.claims(), "k1", f.sk), KeyLookup{}, f.tenant, kNow).status ==
        JwtStatus::unknown_key);
}

TEST_CASE("alg none is never accepted") {
  Fixture f;
  std::string header = base64url_encode(R"({"alg":"none","typ":"JWT","kid":"k1"})");
  std::string payload = base64url_encode(f.payload_json());
  std::string real_sig = part(jwt_sign(f.claims(), "k1", f.sk), 2);
  for (std::string token : {header + "." + payload + ".", header + "." + payload,
                            header + "." + payload + "." + base64url_encode("fake"),
                            header + "." + payload + "." + real_sig}) {
    CAPTURE(token);
    JwtStatus s = f.verify(token).status;
    CHECK((s == JwtStatus::bad_algorithm || s == JwtStatus::malformed));
  }
  CHECK(f.verify(header + "." + payload + "." + base64url_encode("fake")).status ==
        JwtStatus::bad_algorithm);
  // Even a correct EdDSA signature does not rescue a header that says "none".
  CHECK(f.verify(f.forge(R"({"alg":"none","kid":"k1"})", f.payload_json())).status ==
        JwtStatus::bad_algorithm);
}

TEST_CASE("other algorithms are refused") {
  Fixture f;
  std::string p = f.payload_json();
  for (std::string_view h :
       {R"({"alg":"HS256","typ":"JWT","kid":"k1"})", R"({"alg":"RS256","kid":"k1"})",
        R"({"alg":"eddsa","kid":"k1"})", R"({"alg":"EdDSA ","kid":"k1"})",
        R"({"alg":"Ed25519","kid":"k1"})", R"({"alg":null,"kid":"k1"})",
        R"({"alg":["EdDSA"],"kid":"k1"})", R"({"kid":"k1"})"}) {
    CAPTURE(h);
    CHECK(f.verify(f.forge(h, p)).status == JwtStatus::bad_algorithm);
  }
}

TEST_CASE("wrong audience, only after the signature") {
  Fixture f;
  AccessClaims c = f.claims();
  c.aud = crypto::new_id();
  std::string token = jwt_sign(c, "k1", f.sk);
  JwtVerification v = f.verify(token);
  CHECK(v.status == JwtStatus::wrong_audience);
  CHECK(v.claims.jti.empty());
  // Expired and for another tenant: still wrong_audience, never expired.
  CHECK(f.verify(token, c.exp + 10).status == JwtStatus::wrong_audience);
  // Signed by someone else: the audience and expiry are never looked at.
  auto other = crypto::Ed25519PrivateKey::generate();
  CHECK(f.verify(jwt_sign(c, "k1", other), c.exp + 10).status == JwtStatus::bad_signature);
}

TEST_CASE("nbf in the future, with leeway") {
  Fixture f;
  AccessClaims c = f.claims();
  c.nbf = kNow + 5;
  CHECK(f.verify(jwt_sign(c, "k1", f.sk)).status == JwtStatus::ok);
  c.nbf = kNow + 6;
  CHECK(f.verify(jwt_sign(c, "k1", f.sk)).status == JwtStatus::not_yet_valid);
  CHECK(jwt_verify(jwt_sign(c, "k1", f.sk), f.lookup, f.tenant, kNow, 0).status ==
        JwtStatus::not_yet_valid);
  c.nbf = std::numeric_limits<std::int64_t>::max();
  CHECK(jwt_verify(jwt_sign(c, "k1", f.sk), f.lookup, f.tenant,
                   std::numeric_limits<std::int64_t>::max() - 1)
            .status != JwtStatus::ok);
}

TEST_CASE("hostile structure is malformed") {
  Fixture f;
  std::string good = jwt_sign(f.claims(), "k1", f.sk);
  std::string h = part(good, 0), p = part(good, 1), s = part(good, 2);
  for (std::string token :
       {std::string(), std::string("."), std::string(".."), std::string("a.b"),
        std::string("a.b.c.d"), h + "." + p, h + "." + p + "." + s + ".", "." + p + "." + s,
        h + ".." + s, h + "." + p + ".", h + "." + p + "." + s + "=", h + "." + p + "=." + s,
        h + "." + p + "." + s + " ", " " + good, h + "*." + p + "." + s,
        h + "." + p + "." + s.substr(1), h + "." + p + "." + s + "AAAA"}) {
    CAPTURE(token);
    JwtStatus st = f.verify(token).status;
    CHECK(st != JwtStatus::ok);
    CHECK((st == JwtStatus::malformed || st == JwtStatus::bad_signature));
  }
  CHECK(f.verify("a.b").status == JwtStatus::malformed);
  CHECK(f.verify("a.b.c.d").status == JwtStatus::malformed);
  CHECK(f.verify("").status == JwtStatus::malformed);
  CHECK(f.verify("e!J.e!J.sig").status == JwtStatus::malformed);
}

TEST_CASE("hostile headers are malformed") {
  Fixture f;
  std::string p = f.payload_json();
  for (std::string_view h :
       {R"(["EdDSA","k1"])", R"("EdDSA")", "null", "", "{", "{}", R"({"alg":"EdDSA"})",
        R"({"alg":"EdDSA","kid":1})", R"({"alg":"EdDSA","kid":null})",
        R"({"alg":"EdDSA","kid":"k1"} x)", R"({"alg":"EdDSA","kid":"k1"}{})",
        R"({"alg":"EdDSA","kid":"k1",})", R"({"alg":"EdDSA","alg":"none","kid":"k1"})",
        R"({"alg":"none","alg":"EdDSA","kid":"k1"})", R"({"alg":"EdDSA","kid":"k1","kid":"k2"})",
        R"({"alg":"EdDSA","kid":"k1","crit":["exp"]})"}) {
    CAPTURE(h);
    CHECK(f.verify(f.forge(h, p)).status == JwtStatus::malformed);
  }
  // Unknown header fields are fine.
  CHECK(f.verify(f.forge(R"({"kid":"k1","x":{"y":[1,2]},"alg":"EdDSA"})", p)).status ==
        JwtStatus::ok);
}

TEST_CASE("signed claims with missing or ill-typed fields are malformed") {
  Fixture f;
  std::string sub = to_string(crypto::new_id());
  std::string aud = to_string(f.tenant);
  auto with = [&](std::string_view field, std::string_view value) {
    std::string fields[][2] = {{"iss", "\"i\""},           {"sub", "\"" + sub + "\""},
                               {"aud", "\"" + aud + "\""}, {"sid", "\"" + sub + "\""},
                               {"iat", "1800000000"},      {"nbf", "1800000000"},
                               {"exp", "1800000900"},      {"jti", "\"j\""}};
    std::string json = "{";
    for (auto& [name, v] : fields) {
      if (name == field && value.empty()) continue;  // drop the field
      if (json.size() > 1) json += ",";
      json += "\"" + name + "\":" + (name == field ? std::string(value) : v);
    }
    return f.forge(kHeader, json + "}");
  };
  CHECK(f.verify(with("", "")).status == JwtStatus::ok);
  for (const char* name : {"iss", "sub", "aud", "sid", "iat", "nbf", "exp", "jti"}) {
    CAPTURE(name);
    CHECK(f.verify(with(name, "")).status == JwtStatus::malformed);
    CHECK(f.verify(with(name, "null")).status == JwtStatus::malformed);
    CHECK(f.verify(with(name, "[]")).status == JwtStatus::malformed);
  }
  CHECK(f.verify(with("exp", "\"1800000900\"")).status == JwtStatus::malformed);
  CHECK(f.verify(with("exp", "1800000900.5")).status == JwtStatus::malformed);
  CHECK(f.verify(with("exp", "99999999999999999999")).status == JwtStatus::malformed);
  CHECK(f.verify(with("iat", "true")).status == JwtStatus::malformed);
  CHECK(f.verify(with("iss", "1")).status == JwtStatus::malformed);
  CHECK(f.verify(with("sub", "\"not-a-uuid\"")).status == JwtStatus::malformed);
  CHECK(f.verify(with("aud", "1")).status == JwtStatus::malformed);
  CHECK(f.verify(with("sid", "\"" + sub + "0\"")).status == JwtStatus::malformed);
  CHECK(f.verify(f.forge(kHeader, "[1,2,3]")).status == JwtStatus::malformed);
  CHECK(f.verify(f.forge(kHeader, "")).status == JwtStatus::malformed);
  CHECK(f.verify(f.forge(kHeader, f.payload_json() + "x")).status == JwtStatus::malformed);
  std::string dup = f.payload_json();
  dup.insert(1, R"("exp":9999999999,)");
  CHECK(f.verify(f.forge(kHeader, dup)).status == JwtStatus::malformed);
}

TEST_CASE("huge tokens are refused before any work") {
  Fixture f;
  AccessClaims c = f.claims();
  c.iss = std::string(5000, 'a');
  CHECK(f.verify(jwt_sign(c, "k1", f.sk)).status == JwtStatus::malformed);
  CHECK(f.verify(std::string(1 << 20, 'A')).status == JwtStatus::malformed);
  CHECK(f.verify(std::string(4000, '.')).status == JwtStatus::malformed);
}
