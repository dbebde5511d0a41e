// The store against a DB it did not write itself: families from a newer
// build, and values that no longer decode.
#include "store/store.hpp"

#include "records_fixture.hpp"
#include "store/keys.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include <memory>
#include <vector>

using namespace lk;
using namespace lk::store;
using lk::store::test::full_session;
using lk::store::test::id_of;
using lk::store::test::TempDir;

namespace {

// Opens the DB with plain RocksDB and every family it has, runs `fn`, closes.
template <class Fn>
void with_raw_db(const std::string& path, Fn fn) {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(options, path, &names).ok()) names = {rocksdb::kDefaultColumnFamilyName};
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::Open(options, path, descriptors, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  fn(*db, names, handles);
  for (auto* h : handles) REQUIRE(db->DestroyColumnFamilyHandle(h).ok());
  REQUIRE(db->Close().ok());
}

rocksdb::ColumnFamilyHandle* handle(const std::vector<std::string>& names,
                                    const std::vector<rocksdb::ColumnFamilyHandle*>& handles, std::string_view name) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return handles[i];
  }
  FAIL("no column family " << name);
  return nullptr;
}

}  // namespace

TEST_SUITE_BEGIN("store.recovery");

TEST_CASE("a DB with a family this build does not know still opens") {
  TempDir dir;
  with_raw_db(dir.db(), [](rocksdb::DB& db, auto&, auto&) {
    rocksdb::ColumnFamilyHandle* extra = nullptr;
    REQUIRE(db.CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "from_the_future", &extra).ok());
    REQUIRE(db.DestroyColumnFamilyHandle(extra).ok());
  });
  auto store = Store::open(Options{dir.db(), Durability::strict});
  REQUIRE_MESSAGE(store.has_value(), (store ? "" : store.error().internal));
  CHECK((*store)->writable());
}

TEST_CASE("undecodable values are errors, not crashes or empty records") {
  TempDir dir;
  const Id t = id_of(0x01);
  const Id u = id_of(0x02);
  {
    auto store = Store::open(Options{dir.db(), Durability::strict});
    REQUIRE(store.has_value());
    Batch batch;
    batch.put_session(t, full_session(u, id_of(0x03)));
    REQUIRE((*store)->commit(batch).has_value());
  }
  with_raw_db(dir.db(), [&](rocksdb::DB& db, auto& names, auto& handles) {
    rocksdb::WriteOptions wo;
    REQUIRE(db.Put(wo, handle(names, handles, "users"), keys::user(t, u), "\x01garbage").ok());
    REQUIRE(db.Put(wo, handle(names, handles, "sessions"), keys::session(t, u, id_of(0x04)), "").ok());
    REQUIRE(db.Put(wo, handle(names, handles, "mail_queue"), keys::mail(1, id_of(0x05)), "\x02").ok());
  });

  auto store = Store::open(Options{dir.db(), Durability::strict});
  REQUIRE(store.has_value());
  auto user = (*store)->get_user(t, u);
  REQUIRE_FALSE(user.has_value());
  CHECK(user.error().code == Errc::internal_error);
  CHECK(user.error().message.find("users") == std::string::npos);  // details stay internal
  CHECK(user.error().internal.find("users") != std::string::npos);

  auto sessions = (*store)->list_sessions(t, u);
  REQUIRE_FALSE(sessions.has_value());
  CHECK(sessions.error().internal.find("sessions") != std::string::npos);
  CHECK_FALSE((*store)->due_mail(10, 10).has_value());
  // The valid session is still readable on its own.
  CHECK((*store)->get_session(t, u, id_of(0x03)).value().has_value());
}

TEST_SUITE_END();
