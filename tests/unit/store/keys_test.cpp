#include "store/keys.hpp"

#include "records_fixture.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

using namespace lk;
using namespace lk::store;
using lk::store::test::hash_of;
using lk::store::test::id_of;

namespace {

const std::vector<OneTimeKind> kAllKinds = {OneTimeKind::verify_email,    OneTimeKind::reset_password,
                                            OneTimeKind::restore_account, OneTimeKind::change_email,
                                            OneTimeKind::oauth_state,     OneTimeKind::mfa_challenge};

// Every key of every tenant-prefixed family for `tenant`.
std::vector<std::string> all_tenant_keys(const Id& tenant) {
  std::vector<std::string> out = {
      keys::tenant(tenant),
      keys::user(tenant, id_of(0x00, 0x00)),
      keys::user(tenant, id_of(0xff, 0xff)),
      keys::user_email(tenant, "a@b.c"),
      keys::user_email(tenant, "\xff\xff\xff"),
      keys::session(tenant, id_of(0xff, 0xff), id_of(0xff, 0xff)),
      keys::refresh(tenant, hash_of(0xff)),
      keys::mfa(tenant, id_of(7)),
      keys::oauth_link(tenant, hash_of(0xff), "\xff"),
  };
  for (auto kind : kAllKinds) out.push_back(keys::one_time(tenant, kind, hash_of(0x00)));
  return out;
}

bool in_range(std::string_view key, std::string_view prefix, const std::optional<std::string>& bound) {
  return key >= prefix && (!bound || key < *bound);
}

}  // namespace

TEST_SUITE_BEGIN("store.keys");

TEST_CASE("every key codec round-trips") {
  const Id t = id_of(0x11);
  const Id u = id_of(0x22);
  const Id s = id_of(0x33);
  const Hash h = hash_of(0x44);

  CHECK(keys::parse_tenant(keys::tenant(t)) == t);
  CHECK(keys::parse_tenant_key(keys::tenant_key(h)) == h);
  CHECK(keys::parse_user(keys::user(t, u)) == keys::UserKey{t, u});
  CHECK(keys::parse_user_email(keys::user_email(t, "alice@x.io")) == keys::UserEmailKey{t, "alice@x.io"});
  CHECK(keys::parse_session(keys::session(t, u, s)) == keys::SessionKey{t, u, s});
  CHECK(keys::parse_refresh(keys::refresh(t, h)) == keys::TokenKey{t, h});
  for (auto kind : kAllKinds) {
    CHECK(keys::parse_one_time(keys::one_time(t, kind, h)) == keys::OneTimeKey{t, kind, h});
  }
  CHECK(keys::parse_mfa(keys::mfa(t, u)) == keys::UserKey{t, u});
  CHECK(keys::parse_oauth_link(keys::oauth_link(t, h, "10842")) == keys::OAuthLinkKey{t, h, "10842"});
  for (std::int64_t due : {std::numeric_limits<std::int64_t>::min(), std::int64_t{-1}, std::int64_t{0},
                           std::int64_t{1700000000000}, std::numeric_limits<std::int64_t>::max()}) {
    CHECK(keys::parse_mail(keys::mail(due, s)) == keys::MailKey{due, s});
  }
  CHECK(keys::meta("schema_version") == "schema_version");
}

TEST_CASE("keys have the documented fixed-width layout") {
  const Id t = id_of(0x11);
  const Hash h = hash_of(0x44);
  CHECK(keys::tenant(t).size() == 16);
  CHECK(keys::tenant_key(h).size() == 32);
  CHECK(keys::user(t, t).size() == 32);
  CHECK(keys::session(t, t, t).size() == 48);
  CHECK(keys::refresh(t, h).size() == 48);
  CHECK(keys::one_time(t, OneTimeKind::reset_password, h).size() == 49);
  CHECK(keys::one_time(t, OneTimeKind::reset_password, h)[16] == '\x02');
  CHECK(keys::user_email(t, "alice@x.io") == keys::tenant(t) + "alice@x.io");
  CHECK(keys::oauth_link(t, h, "10842") == keys::tenant(t) + std::string(32, '\x44') + "10842");
  // The sample in the schema comment of keys.hpp.
  Id mail_id = *parse_uuid("0190a3c2-d4e5-7a1b-8c2d-3e4f50617283");
  CHECK(keys::to_hex(keys::mail(0x0190a3c2d4e5, mail_id)) == "80000190a3c2d4e50190a3c2d4e57a1b8c2d3e4f50617283");
  CHECK(keys::to_hex(keys::meta("health")) == "6865616c7468");
}

TEST_CASE("parsers reject keys of the wrong shape") {
  const Id t = id_of(0x11);
  const Hash h = hash_of(0x44);
  CHECK_FALSE(keys::parse_tenant(""));
  CHECK_FALSE(keys::parse_tenant(keys::tenant(t) + "x"));
  CHECK_FALSE(keys::parse_tenant_key(keys::tenant(t)));
  CHECK_FALSE(keys::parse_user(keys::tenant(t)));
  CHECK_FALSE(keys::parse_user(keys::session(t, t, t)));
  CHECK_FALSE(keys::parse_user_email(keys::tenant(t)));  // empty email
  CHECK_FALSE(keys::parse_session(keys::user(t, t)));
  CHECK_FALSE(keys::parse_refresh(keys::refresh(t, h).substr(1)));
  CHECK_FALSE(keys::parse_oauth_link(keys::tenant(t) + std::string(32, '\x01')));  // empty provider user id
  CHECK_FALSE(keys::parse_mail(keys::mail(5, t) + std::string(1, '\0')));

  std::string bad_kind = keys::one_time(t, OneTimeKind::verify_email, h);
  bad_kind[16] = '\x00';
  CHECK_FALSE(keys::parse_one_time(bad_kind));
  bad_kind[16] = '\x07';
  CHECK_FALSE(keys::parse_one_time(bad_kind));
}

TEST_CASE("big-endian fields sort numerically") {
  const Id t = id_of(0x11);
  // 255 < 256 fails under little-endian; negatives must sort before zero.
  std::vector<std::int64_t> dues = {256,
                                    255,
                                    1,
                                    0,
                                    -1,
                                    -256,
                                    1LL << 40,
                                    (1LL << 40) - 1,
                                    std::numeric_limits<std::int64_t>::max(),
                                    std::numeric_limits<std::int64_t>::min()};
  std::vector<std::string> encoded;
  for (auto due : dues) encoded.push_back(keys::mail(due, t));
  std::sort(dues.begin(), dues.end());
  std::sort(encoded.begin(), encoded.end());
  for (std::size_t i = 0; i < dues.size(); ++i) CHECK(keys::parse_mail(encoded[i])->due_ms == dues[i]);

  // Same due time: the id breaks the tie; an earlier due time always wins.
  CHECK(keys::mail(100, id_of(1)) < keys::mail(100, id_of(2)));
  CHECK(keys::mail(99, id_of(0xff, 0xff)) < keys::mail(100, id_of(0, 0)));

  // UUIDv7 user ids minted later sort later within a tenant.
  std::array<std::uint8_t, 10> hi{};
  hi.fill(0xff);
  std::array<std::uint8_t, 10> lo{};
  CHECK(keys::user(t, make_uuid_v7(1000, hi)) < keys::user(t, make_uuid_v7(1001, lo)));
  CHECK(keys::session(t, t, make_uuid_v7(255, hi)) < keys::session(t, t, make_uuid_v7(256, lo)));
}

TEST_CASE("prefix_upper_bound is the exclusive end of the prefix range") {
  CHECK(keys::prefix_upper_bound("ab") == "ac");
  CHECK(keys::prefix_upper_bound(std::string("a\xff\xff", 3)) == "b");
  CHECK(keys::prefix_upper_bound(std::string("\x00", 1)) == std::string("\x01", 1));
  CHECK_FALSE(keys::prefix_upper_bound(""));
  CHECK_FALSE(keys::prefix_upper_bound(std::string(16, '\xff')));

  Id almost{};
  almost.fill(0xff);
  almost[15] = 0xfe;
  CHECK(keys::prefix_upper_bound(keys::tenant_prefix(almost)) == std::string(16, '\xff'));
}

TEST_CASE("a tenant scan never sees another tenant's keys") {
  // Ids that differ only in the last byte, and the carry cases around 0xff.
  Id a = id_of(0x01);
  Id b = id_of(0x02);
  Id c = id_of(0xff);
  Id d = id_of(0x00, 0x02);  // greater than c in the first byte, smaller in the last
  Id top{};
  top.fill(0xff);
  Id below_top = top;
  below_top[15] = 0xfe;
  std::vector<Id> tenants = {Id{}, a, b, c, d, below_top, top};

  for (const Id& scanned : tenants) {
    std::string prefix = keys::tenant_prefix(scanned);
    auto bound = keys::prefix_upper_bound(prefix);
    CHECK(bound.has_value() == (scanned != top));
    for (const Id& other : tenants) {
      for (const auto& key : all_tenant_keys(other)) {
        CAPTURE(keys::to_hex(key));
        CHECK(in_range(key, prefix, bound) == (other == scanned));
      }
    }
  }
}

TEST_CASE("a user's session prefix excludes neighbouring users and tenants") {
  Id t = id_of(0x01);
  Id u = id_of(0x10);
  std::string prefix = keys::sessions_prefix(t, u);
  auto bound = keys::prefix_upper_bound(prefix);
  CHECK(in_range(keys::session(t, u, id_of(0xff, 0xff)), prefix, bound));
  CHECK(in_range(keys::session(t, u, Id{}), prefix, bound));
  CHECK_FALSE(in_range(keys::session(t, id_of(0x11), Id{}), prefix, bound));
  CHECK_FALSE(in_range(keys::session(t, id_of(0x0f), id_of(0xff, 0xff)), prefix, bound));
  CHECK_FALSE(in_range(keys::session(id_of(0x02), u, Id{}), prefix, bound));
}

TEST_SUITE_END();
