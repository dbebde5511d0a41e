// MfaRecord: its codec and its column family.
#include "records_fixture.hpp"
#include "store/codec.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

using namespace lk;
using namespace lk::store;
using lk::store::test::hash_of;
using lk::store::test::id_of;
using lk::store::test::TempDir;

namespace {

MfaRecord full_mfa() {
  MfaRecord m;
  m.sealed_secret = std::string("nonce\0ciphertext\xfftag", 20);
  m.pending = false;
  m.last_used_step = 60'000'000;
  m.backup_code_hashes = {hash_of(0x11), hash_of(0x22), hash_of(0x33)};
  m.created_ms = 1700000000000;
  m.enabled_ms = 1700000000500;
  return m;
}

void check_same(const MfaRecord& a, const MfaRecord& b) {
  CHECK(a.sealed_secret == b.sealed_secret);
  CHECK(a.pending == b.pending);
  CHECK(a.last_used_step == b.last_used_step);
  CHECK(a.backup_code_hashes == b.backup_code_hashes);
  CHECK(a.created_ms == b.created_ms);
  CHECK(a.enabled_ms == b.enabled_ms);
}

bool decodes(std::string_view v) { return codec::decode_mfa(v).has_value(); }

}  // namespace

TEST_SUITE_BEGIN("store.mfa");

TEST_CASE("MfaRecord round-trips, full and empty") {
  check_same(*codec::decode_mfa(codec::encode_mfa(full_mfa())), full_mfa());
  auto empty = codec::decode_mfa(codec::encode_mfa(MfaRecord{}));
  REQUIRE(empty);
  check_same(*empty, MfaRecord{});
  CHECK(empty->pending);
  CHECK(empty->last_used_step == -1);
}

TEST_CASE("MfaRecord values start with the format version and reject damage") {
  const std::string bytes = codec::encode_mfa(full_mfa());
  CHECK(static_cast<std::uint8_t>(bytes[0]) == codec::kFormatVersion);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    CAPTURE(n);
    CHECK_FALSE(decodes(std::string_view(bytes).substr(0, n)));
  }
  CHECK_FALSE(decodes(bytes + '\0'));
  std::string bad_version = bytes;
  bad_version[0] = '\x02';
  CHECK_FALSE(decodes(bad_version));

  // pending follows the version byte and the 4-byte length of the secret.
  std::string empty = codec::encode_mfa(MfaRecord{});
  REQUIRE(empty[1 + 4] == '\x01');
  empty[1 + 4] = '\x02';
  CHECK_FALSE(decodes(empty));

  // A hash count far beyond the input fails without allocating.
  std::string huge = codec::encode_mfa(MfaRecord{});
  for (std::size_t i = 0; i < 4; ++i) huge[1 + 4 + 1 + 8 + i] = '\xff';
  CHECK_FALSE(decodes(huge));
}

TEST_CASE("MfaRecord commits, reads back per tenant and user, and deletes") {
  TempDir dir;
  auto opened = Store::open(Options{dir.db(), Durability::strict});
  REQUIRE(opened.has_value());
  auto& store = **opened;
  const Id t1 = id_of(0x01), t2 = id_of(0x02), u = id_of(0x03);

  CHECK(store.get_mfa(t1, u).value() == std::nullopt);
  Batch batch;
  batch.put_mfa(t1, u, full_mfa());
  REQUIRE(store.commit(batch).has_value());
  auto got = store.get_mfa(t1, u);
  REQUIRE(got.has_value());
  REQUIRE(got->has_value());
  check_same(**got, full_mfa());
  // Same user id in another tenant, and another user in this one: nothing.
  CHECK(store.get_mfa(t2, u).value() == std::nullopt);
  CHECK(store.get_mfa(t1, id_of(0x04)).value() == std::nullopt);
  // The users family is untouched: mfa is its own column family.
  CHECK(store.get_user(t1, u).value() == std::nullopt);

  Batch remove;
  remove.delete_mfa(t1, u);
  REQUIRE(store.commit(remove).has_value());
  CHECK(store.get_mfa(t1, u).value() == std::nullopt);
}

TEST_SUITE_END();
