#include "auth/refresh_family.hpp"

#include "crypto/hash.hpp"

#include <doctest/doctest.h>

using namespace lk;
using namespace lk::auth;

namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;
constexpr std::int64_t kGrace = 10'000;

Id id_of(std::uint8_t b) {
  Id id{};
  id.fill(b);
  return id;
}

// A family of three generations: t0 -> t1 -> t2 (current, unused).
struct Family {
  Hash t0 = crypto::sha256("token-0");
  Hash t1 = crypto::sha256("token-1");
  Hash t2 = crypto::sha256("token-2");
  Id user = id_of(0x11);
  Id sid = id_of(0x22);

  store::SessionRecord session() const {
    store::SessionRecord s;
    s.user_id = user;
    s.session_id = sid;
    s.created_ms = kNow - 60'000;
    s.expires_ms = kNow + 86'400'000;
    s.current_token_hash = t2;
    return s;
  }

  store::RefreshRecord token(std::int64_t consumed_ms = 0, std::optional<Hash> successor = std::nullopt) const {
    store::RefreshRecord r;
    r.expires_ms = kNow + 3'600'000;
    r.user_id = user;
    r.session_id = sid;
    r.issued_ms = kNow - 30'000;
    r.consumed_ms = consumed_ms;
    r.successor_hash = successor;
    return r;
  }
  // t1, consumed `ago` ms before kNow, succeeded by t2 (the current token).
  store::RefreshRecord predecessor(std::int64_t ago) const { return token(kNow - ago, t2); }
};

}  // namespace

TEST_CASE("decide_refresh: the current unused token rotates") {
  Family f;
  CHECK(decide_refresh(f.t2, f.token(), f.session(), kNow, kGrace) == RefreshDecision::rotate);
}

TEST_CASE("decide_refresh: an unknown token is rejected, even with a live session") {
  Family f;
  CHECK(decide_refresh(f.t2, std::nullopt, f.session(), kNow, kGrace) == RefreshDecision::reject);
  CHECK(decide_refresh(f.t2, std::nullopt, std::nullopt, kNow, kGrace) == RefreshDecision::reject);
}

TEST_CASE("decide_refresh: an expired token is rejected at and after its expiry") {
  Family f;
  auto t = f.token();
  t.expires_ms = kNow;
  CHECK(decide_refresh(f.t2, t, f.session(), kNow, kGrace) == RefreshDecision::reject);
  t.expires_ms = kNow - 1;
  CHECK(decide_refresh(f.t2, t, f.session(), kNow, kGrace) == RefreshDecision::reject);
  t.expires_ms = kNow + 1;
  CHECK(decide_refresh(f.t2, t, f.session(), kNow, kGrace) == RefreshDecision::rotate);
}

TEST_CASE("decide_refresh: an expired consumed token is rejected, not treated as theft") {
  Family f;
  auto t = f.token(kNow - 100'000, f.t1);
  t.expires_ms = kNow - 1;
  CHECK(decide_refresh(f.t0, t, f.session(), kNow, kGrace) == RefreshDecision::reject);
}

TEST_CASE("decide_refresh: a token whose session is gone (revoked family) is rejected") {
  Family f;
  CHECK(decide_refresh(f.t2, f.token(), std::nullopt, kNow, kGrace) == RefreshDecision::reject);
  // A reused, consumed token of a dead family: nothing left to revoke.
  CHECK(decide_refresh(f.t1, f.predecessor(60'000), std::nullopt, kNow, kGrace) == RefreshDecision::reject);
}

TEST_CASE("decide_refresh: a session of another user is never rotated") {
  Family f;
  auto s = f.session();
  s.user_id = id_of(0x33);
  CHECK(decide_refresh(f.t2, f.token(), s, kNow, kGrace) == RefreshDecision::reject);
}

TEST_CASE("decide_refresh: a session with another session id is never rotated") {
  Family f;
  auto s = f.session();
  s.session_id = id_of(0x44);
  CHECK(decide_refresh(f.t2, f.token(), s, kNow, kGrace) == RefreshDecision::reject);
}

TEST_CASE("decide_refresh: a family past its absolute lifetime is rejected") {
  Family f;
  auto s = f.session();
  s.expires_ms = kNow;
  CHECK(decide_refresh(f.t2, f.token(), s, kNow, kGrace) == RefreshDecision::reject);
  s.expires_ms = kNow - 1;
  CHECK(decide_refresh(f.t2, f.token(), s, kNow, kGrace) == RefreshDecision::reject);
  // Even a replay within grace does not outlive the family.
  CHECK(decide_refresh(f.t1, f.predecessor(1), s, kNow, kGrace) == RefreshDecision::reject);
}

TEST_CASE("decide_refresh: an unused token that is not the current one revokes the family") {
  Family f;
  // t1 claims to be unused, but the session says t2 is the newest.
  CHECK(decide_refresh(f.t1, f.token(), f.session(), kNow, kGrace) == RefreshDecision::revoke);
}

TEST_CASE("decide_refresh: the predecessor replayed within grace is a replay (two tabs)") {
  Family f;
  CHECK(decide_refresh(f.t1, f.predecessor(0), f.session(), kNow, kGrace) == RefreshDecision::replay);
  CHECK(decide_refresh(f.t1, f.predecessor(1), f.session(), kNow, kGrace) == RefreshDecision::replay);
  CHECK(decide_refresh(f.t1, f.predecessor(kGrace), f.session(), kNow, kGrace) == RefreshDecision::replay);
}

TEST_CASE("decide_refresh: the predecessor replayed just after grace revokes the family") {
  Family f;
  CHECK(decide_refresh(f.t1, f.predecessor(kGrace + 1), f.session(), kNow, kGrace) == RefreshDecision::revoke);
  CHECK(decide_refresh(f.t1, f.predecessor(3'600'000), f.session(), kNow, kGrace) == RefreshDecision::revoke);
}

TEST_CASE("decide_refresh: an older generation revokes even within grace") {
  Family f;
  // t0 was consumed a moment ago, but its successor t1 is no longer current.
  auto t0 = f.token(kNow - 1, f.t1);
  CHECK(decide_refresh(f.t0, t0, f.session(), kNow, kGrace) == RefreshDecision::revoke);
}

TEST_CASE("decide_refresh: a consumed token without a recorded successor revokes") {
  Family f;
  auto t = f.token(kNow - 1, std::nullopt);
  CHECK(decide_refresh(f.t1, t, f.session(), kNow, kGrace) == RefreshDecision::revoke);
}

TEST_CASE("decide_refresh: grace 0 turns any later reuse of the predecessor into a revoke") {
  Family f;
  CHECK(decide_refresh(f.t1, f.predecessor(1), f.session(), kNow, 0) == RefreshDecision::revoke);
  CHECK(decide_refresh(f.t1, f.predecessor(1000), f.session(), kNow, 0) == RefreshDecision::revoke);
  // The current token still rotates.
  CHECK(decide_refresh(f.t2, f.token(), f.session(), kNow, 0) == RefreshDecision::rotate);
}
