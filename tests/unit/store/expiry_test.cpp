#include "store/expiry_filter.hpp"

#include "core/clock.hpp"
#include "records_fixture.hpp"
#include "store/codec.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <thread>

using namespace lk;
using namespace lk::store;
using lk::store::test::hash_of;
using lk::store::test::id_of;
using lk::store::test::TempDir;

namespace {

std::int64_t g_fake_now = 0;
std::int64_t fake_clock() { return g_fake_now; }

bool drops(const ExpiryFilter& f, const std::string& value) {
  std::string unused;
  bool changed = false;
  return f.Filter(0, rocksdb::Slice("k"), rocksdb::Slice(value), &unused, &changed);
}

RefreshRecord refresh_expiring(std::int64_t expires_ms) {
  return RefreshRecord{expires_ms, id_of(2), id_of(3), 1, 0, {}};
}
OneTimeRecord one_time_expiring(std::int64_t expires_ms) { return OneTimeRecord{expires_ms, id_of(2), "p"}; }

}  // namespace

TEST_SUITE_BEGIN("store.expiry");

TEST_CASE("the filter drops a token at its expiry instant, not before; short values are kept") {
  ExpiryFilter filter(&fake_clock);
  std::string refresh = codec::encode_refresh(refresh_expiring(1'000));
  std::string one_time = codec::encode_one_time(one_time_expiring(1'000));
  g_fake_now = 999;
  CHECK_FALSE(drops(filter, refresh));
  CHECK_FALSE(drops(filter, one_time));
  g_fake_now = 1'000;
  CHECK(drops(filter, refresh));
  CHECK(drops(filter, one_time));
  CHECK_FALSE(drops(filter, std::string("\x01\x02", 2)));
  CHECK_FALSE(drops(filter, ""));
}

TEST_CASE("compact_expired removes expired tokens and keeps live ones") {
  TempDir dir;
  auto opened = Store::open(Options{dir.db(), Durability::relaxed});
  REQUIRE(opened.has_value());
  Store& store = **opened;
  const Id t = id_of(1);
  const std::int64_t now = now_ms();

  Batch batch;
  batch.put_refresh(t, hash_of(1), refresh_expiring(now - 60'000));
  batch.put_refresh(t, hash_of(2), refresh_expiring(now + 3'600'000));
  batch.put_one_time(t, OneTimeKind::reset_password, hash_of(3), one_time_expiring(now - 1));
  batch.put_one_time(t, OneTimeKind::verify_email, hash_of(4), one_time_expiring(now + 3'600'000));
  // Short-lived: alive at the first compaction, expired by the second.
  batch.put_refresh(t, hash_of(5), refresh_expiring(now + 400));
  batch.put_one_time(t, OneTimeKind::mfa_challenge, hash_of(6), one_time_expiring(now + 400));
  REQUIRE(store.commit(batch).has_value());

  // Reads of the store itself do not filter by expiry: everything is there.
  REQUIRE(store.get_refresh(t, hash_of(1)).value().has_value());
  REQUIRE(store.get_one_time(t, OneTimeKind::reset_password, hash_of(3)).value().has_value());

  REQUIRE(store.compact_expired().has_value());
  CHECK_FALSE(store.get_refresh(t, hash_of(1)).value().has_value());
  CHECK_FALSE(store.get_one_time(t, OneTimeKind::reset_password, hash_of(3)).value().has_value());
  CHECK(store.get_refresh(t, hash_of(2)).value().has_value());
  CHECK(store.get_one_time(t, OneTimeKind::verify_email, hash_of(4)).value().has_value());
  REQUIRE(store.get_refresh(t, hash_of(5)).value().has_value());
  REQUIRE(store.get_one_time(t, OneTimeKind::mfa_challenge, hash_of(6)).value().has_value());

  // The short-lived ones now sit in the last level; wait for them to expire.
  while (now_ms() <= now + 400) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(store.compact_expired().has_value());
  CHECK_FALSE(store.get_refresh(t, hash_of(5)).value().has_value());
  CHECK_FALSE(store.get_one_time(t, OneTimeKind::mfa_challenge, hash_of(6)).value().has_value());
  CHECK(store.get_refresh(t, hash_of(2)).value().has_value());
  CHECK(store.get_one_time(t, OneTimeKind::verify_email, hash_of(4)).value().has_value());

  // Other families are never filtered, whatever their bytes look like.
  Batch other;
  other.put_meta("looks_expired", std::string(8, '\0'));
  REQUIRE(store.commit(other).has_value());
  REQUIRE(store.compact_expired().has_value());
  CHECK(store.get_meta("looks_expired").value().has_value());
}

TEST_SUITE_END();
