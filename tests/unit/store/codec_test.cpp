#include "store/codec.hpp"

#include "records_fixture.hpp"
#include "store/wire.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

using namespace lk;
using namespace lk::store;
using lk::store::test::check_same;
using lk::store::test::full_session;
using lk::store::test::full_tenant;
using lk::store::test::full_user;
using lk::store::test::hash_of;
using lk::store::test::id_of;

namespace {

RefreshRecord full_refresh() { return RefreshRecord{0x0102030405060708, id_of(1), id_of(2), 100, 200, hash_of(0x77)}; }

OneTimeRecord full_one_time() { return OneTimeRecord{1700000086400000, id_of(3), std::string("new@x.io\0\xff", 10)}; }

MailRecord full_mail() {
  MailRecord m{-5, id_of(4), id_of(5), "bob@x.io", "Verify", "text body", "<p>html</p>", 7};
  m.from = {"\xc3\x89quipe Acme", "no-reply@acme.test"};
  return m;
}

// The newest format version of each sample kind.
std::uint8_t latest_version(std::string_view name) {
  if (name == std::string_view("tenant")) return codec::kTenantFormatVersion;
  if (name == std::string_view("mail")) return codec::kMailFormatVersion;
  if (name == std::string_view("mfa")) return codec::kMfaFormatVersion;
  return codec::kFormatVersion;
}

// A tenant value as versions 1 and 2 wrote it (by hand, field by field: the
// encoder only writes the newest version).
std::string old_tenant_value(const TenantRecord& t, std::uint8_t version) {
  wire::Writer w;
  w.u8(version);
  w.fixed(t.id);
  w.str(t.name);
  w.str(t.owner_email);
  w.str(t.app_url);
  w.count(t.allowed_origins.size());
  for (const auto& origin : t.allowed_origins) w.str(origin);
  w.boolean(t.dev_mode);
  w.fixed(t.api_key_hash);
  w.fixed(t.secret_key_hash);
  w.count(t.signing_keys.size());
  for (const auto& k : t.signing_keys) {
    w.str(k.kid);
    w.str(k.public_key);
    w.str(k.sealed_private_key);
    w.i64(k.created_ms);
  }
  w.i64(t.created_ms);
  w.i64(t.updated_ms);
  if (version == 2) {
    w.count(t.oauth_providers.size());
    for (const auto& p : t.oauth_providers) {
      for (const std::string* field : {&p.id, &p.type, &p.client_id, &p.sealed_client_secret, &p.issuer,
                                       &p.authorize_url, &p.token_url, &p.api_url, &p.redirect_uri}) {
        w.str(*field);
      }
    }
  }
  return std::move(w).take();
}

// A valid encoding of every record kind, with the decoder that must accept it.
struct Sample {
  const char* name;
  std::string bytes;
  std::function<bool(std::string_view)> decodes;
};

std::vector<Sample> samples() {
  return {
      {"tenant", codec::encode_tenant(full_tenant(id_of(9))),
       [](auto v) { return codec::decode_tenant(v).has_value(); }},
      {"user", codec::encode_user(full_user(id_of(9))), [](auto v) { return codec::decode_user(v).has_value(); }},
      {"session", codec::encode_session(full_session(id_of(1), id_of(2))),
       [](auto v) { return codec::decode_session(v).has_value(); }},
      {"refresh", codec::encode_refresh(full_refresh()), [](auto v) { return codec::decode_refresh(v).has_value(); }},
      {"one_time", codec::encode_one_time(full_one_time()),
       [](auto v) { return codec::decode_one_time(v).has_value(); }},
      {"mail", codec::encode_mail(full_mail()), [](auto v) { return codec::decode_mail(v).has_value(); }},
      {"id", codec::encode_id(id_of(6)), [](auto v) { return codec::decode_id(v).has_value(); }},
  };
}

// Offset of the version byte: after the expiry for expiry-first values.
std::size_t version_offset(std::string_view name) {
  return name == std::string_view("refresh") || name == std::string_view("one_time") ? 8 : 0;
}

}  // namespace

TEST_SUITE_BEGIN("store.codec");

TEST_CASE("records round-trip with every field set") {
  auto tenant = full_tenant(id_of(9));
  check_same(*codec::decode_tenant(codec::encode_tenant(tenant)), tenant);
  auto user = full_user(id_of(9));
  check_same(*codec::decode_user(codec::encode_user(user)), user);
  auto session = full_session(id_of(1), id_of(2));
  check_same(*codec::decode_session(codec::encode_session(session)), session);
  check_same(*codec::decode_refresh(codec::encode_refresh(full_refresh())), full_refresh());
  check_same(*codec::decode_one_time(codec::encode_one_time(full_one_time())), full_one_time());
  check_same(*codec::decode_mail(codec::encode_mail(full_mail())), full_mail());
  CHECK(codec::decode_id(codec::encode_id(id_of(6))) == id_of(6));
  CHECK(codec::decode_meta(codec::encode_meta(std::string("v\0\xff", 3))) == std::string("v\0\xff", 3));
}

TEST_CASE("records round-trip with optionals and sequences empty") {
  check_same(*codec::decode_tenant(codec::encode_tenant(TenantRecord{})), TenantRecord{});

  UserRecord user;
  user.first_name.reset();
  auto decoded = codec::decode_user(codec::encode_user(user));
  REQUIRE(decoded);
  check_same(*decoded, user);
  CHECK_FALSE(decoded->first_name);
  CHECK_FALSE(decoded->avatar_url);
  CHECK(decoded->auth_provider == "local");

  RefreshRecord unused = full_refresh();
  unused.successor_hash.reset();
  auto refresh = codec::decode_refresh(codec::encode_refresh(unused));
  REQUIRE(refresh);
  CHECK_FALSE(refresh->successor_hash);
  check_same(*refresh, unused);

  check_same(*codec::decode_session(codec::encode_session(SessionRecord{})), SessionRecord{});
  check_same(*codec::decode_one_time(codec::encode_one_time(OneTimeRecord{})), OneTimeRecord{});
  check_same(*codec::decode_mail(codec::encode_mail(MailRecord{})), MailRecord{});
  CHECK(codec::decode_meta(codec::encode_meta("")) == std::string());
}

TEST_CASE("values start with the format version") {
  for (const auto& s : samples()) {
    CAPTURE(s.name);
    // Tenant records moved to version 2 with OAuth providers and to 3 with
    // the mail sender; mail records to version 2 with the sender.
    CHECK(static_cast<std::uint8_t>(s.bytes[version_offset(s.name)]) == latest_version(s.name));
  }
  CHECK(codec::encode_meta("x")[0] == static_cast<char>(codec::kFormatVersion));
}

TEST_CASE("the tenant's mail sender round-trips, and older tenant versions still decode") {
  TenantRecord tenant = full_tenant(id_of(9));
  tenant.mail_from = {"Acme \"Ops\"", "no-reply@acme.test"};
  tenant.oauth_providers = {{"google", "oidc", "cid", "sealed", "https://accounts.google.com", "", "", "", ""}};
  auto back = codec::decode_tenant(codec::encode_tenant(tenant));
  REQUIRE(back);
  check_same(*back, tenant);
  CHECK(back->mail_from.name == "Acme \"Ops\"");
  CHECK(back->mail_from.address == "no-reply@acme.test");
  REQUIRE(back->oauth_providers.size() == 1);
  CHECK(back->oauth_providers[0].issuer == "https://accounts.google.com");

  // Version 2 (OAuth, no sender): the server's sender.
  TenantRecord no_sender = tenant;
  no_sender.mail_from = {};
  auto v2 = codec::decode_tenant(old_tenant_value(tenant, 2));
  REQUIRE(v2);
  check_same(*v2, no_sender);
  CHECK(v2->mail_from.name.empty());
  CHECK(v2->mail_from.address.empty());
  REQUIRE(v2->oauth_providers.size() == 1);
  CHECK(v2->oauth_providers[0].client_id == "cid");
  // Version 1: neither providers nor sender.
  auto v1 = codec::decode_tenant(old_tenant_value(tenant, 1));
  REQUIRE(v1);
  check_same(*v1, no_sender);
  CHECK(v1->oauth_providers.empty());
  CHECK(v1->mail_from.address.empty());
  // An old version byte on a newer body is refused, not misread.
  std::string v3 = codec::encode_tenant(tenant);
  v3[0] = '\x02';
  CHECK_FALSE(codec::decode_tenant(v3));
}

TEST_CASE("a mail queued before senders existed (version 1) decodes with the server's sender") {
  MailRecord mail = full_mail();
  wire::Writer w;
  w.u8(1);
  w.i64(mail.due_ms);
  w.fixed(mail.id);
  w.fixed(mail.tenant_id);
  w.str(mail.to);
  w.str(mail.subject);
  w.str(mail.text_body);
  w.str(mail.html_body);
  w.u32(mail.attempts);
  auto v1 = codec::decode_mail(std::move(w).take());
  REQUIRE(v1);
  CHECK(v1->from.name.empty());
  CHECK(v1->from.address.empty());
  mail.from = {};
  check_same(*v1, mail);
  // The current encoding keeps the sender; an old version byte on it fails.
  std::string v2 = codec::encode_mail(full_mail());
  CHECK(codec::decode_mail(v2)->from.address == "no-reply@acme.test");
  v2[0] = '\x01';
  CHECK_FALSE(codec::decode_mail(v2));
}

TEST_CASE("refresh and one-time values begin with the big-endian expiry") {
  const std::string expected("\x01\x02\x03\x04\x05\x06\x07\x08", 8);
  std::string refresh = codec::encode_refresh(full_refresh());
  CHECK(refresh.substr(0, 8) == expected);
  CHECK(codec::expiry_of(refresh) == 0x0102030405060708);

  OneTimeRecord one_time = full_one_time();
  one_time.expires_ms = 0x0102030405060708;
  std::string encoded = codec::encode_one_time(one_time);
  CHECK(encoded.substr(0, 8) == expected);
  CHECK(codec::expiry_of(encoded) == 0x0102030405060708);

  one_time.expires_ms = -2;
  CHECK(codec::expiry_of(codec::encode_one_time(one_time)) == -2);
  // The compaction filter reads the expiry whatever follows it.
  CHECK(codec::expiry_of(expected) == 0x0102030405060708);
  CHECK_FALSE(codec::expiry_of(expected.substr(0, 7)));
  CHECK_FALSE(codec::expiry_of(""));
}

TEST_CASE("truncated values fail to decode") {
  for (const auto& s : samples()) {
    CAPTURE(s.name);
    REQUIRE(s.decodes(s.bytes));
    for (std::size_t n = 0; n < s.bytes.size(); ++n) {
      CAPTURE(n);
      CHECK_FALSE(s.decodes(std::string_view(s.bytes).substr(0, n)));
    }
  }
  CHECK_FALSE(codec::decode_meta(""));
}

TEST_CASE("trailing bytes and unknown versions fail to decode") {
  for (const auto& s : samples()) {
    CAPTURE(s.name);
    CHECK_FALSE(s.decodes(s.bytes + '\0'));
    for (std::uint8_t version :
         {std::uint8_t{0}, static_cast<std::uint8_t>(latest_version(s.name) + 1), std::uint8_t{0xff}}) {
      std::string bad = s.bytes;
      bad[version_offset(s.name)] = static_cast<char>(version);
      CHECK_FALSE(s.decodes(bad));
    }
  }
  CHECK_FALSE(codec::decode_meta(std::string(1, '\x02') + "x"));
}

TEST_CASE("bool and presence bytes other than 0 or 1 fail to decode") {
  // The last byte of a refresh value with no successor is its presence byte.
  RefreshRecord r = full_refresh();
  r.successor_hash.reset();
  std::string bytes = codec::encode_refresh(r);
  bytes.back() = '\x02';
  CHECK_FALSE(codec::decode_refresh(bytes));

  // dev_mode follows the id, three empty strings and an empty origin list.
  std::string tenant = codec::encode_tenant(TenantRecord{});
  std::size_t dev_mode_at = 1 + 16 + 3 * 4 + 4;
  REQUIRE(tenant[dev_mode_at] == '\0');
  tenant[dev_mode_at] = '\x7f';
  CHECK_FALSE(codec::decode_tenant(tenant));
}

TEST_CASE("a huge element count fails without allocating") {
  // An empty tenant whose origin count claims 4 billion entries.
  std::string tenant = codec::encode_tenant(TenantRecord{});
  std::size_t count_at = 1 + 16 + 3 * 4;
  for (std::size_t i = 0; i < 4; ++i) tenant[count_at + i] = '\xff';
  CHECK_FALSE(codec::decode_tenant(tenant));

  // A string length far beyond the input.
  std::string user = codec::encode_user(UserRecord{});
  for (std::size_t i = 0; i < 4; ++i) user[1 + 16 + i] = '\xff';
  CHECK_FALSE(codec::decode_user(user));
}

TEST_CASE("random garbage never crashes a decoder") {
  std::mt19937 rng(20240601);
  std::uniform_int_distribution<int> byte(0, 255);
  auto all = samples();
  for (int round = 0; round < 3000; ++round) {
    std::string junk(static_cast<std::size_t>(round % 300), '\0');
    for (auto& c : junk) c = static_cast<char>(byte(rng));
    // Mostly valid prefixes with flipped bytes reach deeper into the decoders.
    if (round % 2 == 0) {
      const auto& s = all[static_cast<std::size_t>(round) % all.size()];
      junk = s.bytes;
      junk[static_cast<std::size_t>(byte(rng)) % junk.size()] = static_cast<char>(byte(rng));
    }
    for (const auto& s : all) (void)s.decodes(junk);
    (void)codec::decode_meta(junk);
    (void)codec::expiry_of(junk);
  }
}

TEST_CASE("wire reader stops at the end of its input") {
  wire::Reader r(
      std::string_view("\x00\x00\x00\x05"
                       "abc",
                       7));
  CHECK(r.str().empty());
  CHECK_FALSE(r.ok());
  CHECK(r.u64() == 0);  // every read after a failure is a zero value
  CHECK_FALSE(r.done());

  wire::Writer w;
  w.u32(0xdeadbeef);
  w.i64(-1);
  w.opt_str(std::nullopt);
  w.opt_str(std::string("hi"));
  std::string bytes = std::move(w).take();
  wire::Reader back(bytes);
  CHECK(back.u32() == 0xdeadbeef);
  CHECK(back.i64() == -1);
  CHECK_FALSE(back.opt_str());
  CHECK(back.opt_str() == "hi");
  CHECK(back.done());
}

TEST_SUITE_END();
