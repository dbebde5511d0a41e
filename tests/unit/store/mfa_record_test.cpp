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
  m.backup_kdf = {std::string(16, '\x5a'), 19456, 2, 1};
  return m;
}

void check_same(const MfaRecord& a, const MfaRecord& b) {
  CHECK(a.sealed_secret == b.sealed_secret);
  CHECK(a.pending == b.pending);
  CHECK(a.last_used_step == b.last_used_step);
  CHECK(a.backup_code_hashes == b.backup_code_hashes);
  CHECK(a.created_ms == b.created_ms);
  CHECK(a.enabled_ms == b.enabled_ms);
  CHECK(a.backup_kdf.salt == b.backup_kdf.salt);
  CHECK(a.backup_kdf.memory_kib == b.backup_kdf.memory_kib);
  CHECK(a.backup_kdf.iterations == b.backup_kdf.iterations);
  CHECK(a.backup_kdf.parallelism == b.backup_kdf.parallelism);
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
  CHECK(static_cast<std::uint8_t>(bytes[0]) == codec::kMfaFormatVersion);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    CAPTURE(n);
    CHECK_FALSE(decodes(std::string_view(bytes).substr(0, n)));
  }
  CHECK_FALSE(decodes(bytes + '\0'));
  std::string bad_version = bytes;
  bad_version[0] = '\x03';
  CHECK_FALSE(decodes(bad_version));
  bad_version[0] = '\x00';
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

TEST_CASE("a format-1 MfaRecord (before Argon2id backup codes) decodes with an empty salt") {
  // Version 1 is version 2 without the trailing salt (4-byte length + bytes)
  // and the three u32 parameters.
  MfaRecord legacy = full_mfa();
  legacy.backup_kdf = {};
  std::string v2 = codec::encode_mfa(legacy);
  std::string v1 = v2.substr(0, v2.size() - 4 - 12);
  v1[0] = '\x01';
  auto decoded = codec::decode_mfa(v1);
  REQUIRE(decoded);
  check_same(*decoded, legacy);
  CHECK(decoded->backup_kdf.salt.empty());
  // Re-encoded, it is a version-2 value that reads back the same.
  CHECK(codec::encode_mfa(*decoded) == v2);
  // A version-1 value carrying the version-2 tail is refused (trailing bytes),
  // and so is a version-2 value without it.
  std::string v1_with_tail = v2;
  v1_with_tail[0] = '\x01';
  CHECK_FALSE(decodes(v1_with_tail));
  std::string v2_without_tail = v1;
  v2_without_tail[0] = '\x02';
  CHECK_FALSE(decodes(v2_without_tail));
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
