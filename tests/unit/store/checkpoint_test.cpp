// Store::checkpoint (for `latchkey backup`) and the write-error mapping of
// store/write_guard.hpp.
#include "store/store.hpp"

#include "records_fixture.hpp"
#include "store/write_guard.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

using namespace lk;
using namespace lk::store;
using lk::store::test::full_user;
using lk::store::test::id_of;
using lk::store::test::TempDir;

TEST_CASE("a checkpoint holds every committed write and opens as a store") {
  TempDir dir;
  TempDir copy;
  Id tenant = id_of(1);
  Id user = id_of(2);
  {
    auto store = Store::open(Options{dir.db(), Durability::strict});
    REQUIRE(store.has_value());
    Batch batch;
    batch.put_user(tenant, full_user(user));
    batch.put_user_email(tenant, "a@example.com", user);
    REQUIRE((*store)->commit(batch).has_value());
    // Taken while the source is open: the backup case.
    REQUIRE((*store)->checkpoint(copy.path() + "/db").has_value());
    // The copy is a point in time: a later write stays out of it.
    Batch later;
    later.put_user_email(tenant, "b@example.com", user);
    REQUIRE((*store)->commit(later).has_value());
  }
  auto restored = Store::open(Options{copy.path() + "/db", Durability::strict});
  REQUIRE(restored.has_value());
  auto found = (*restored)->get_user(tenant, user);
  REQUIRE(found.has_value());
  REQUIRE(found->has_value());
  auto by_email = (*restored)->find_user_by_email(tenant, "a@example.com");
  REQUIRE(by_email.has_value());
  CHECK(by_email->has_value());
  auto later = (*restored)->find_user_by_email(tenant, "b@example.com");
  REQUIRE(later.has_value());
  CHECK_FALSE(later->has_value());
}

TEST_CASE("a checkpoint refuses a destination that exists") {
  TempDir dir;
  TempDir dest;  // exists already
  auto store = Store::open(Options{dir.db(), Durability::strict});
  REQUIRE(store.has_value());
  auto r = (*store)->checkpoint(dest.path());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::internal_error);
  CHECK(r.error().internal.find("rocksdb") != std::string::npos);
}

TEST_CASE("disk write errors map to a retryable 503, others to 500") {
  Error full = write_error("commit", rocksdb::Status::NoSpace("write", "No space left on device"));
  CHECK(full.code == Errc::service_busy);
  CHECK(full.retry_after_s > 0);
  CHECK(full.message.find("cannot store data") != std::string::npos);
  CHECK(full.message.find("rocksdb") == std::string::npos);  // the detail stays internal
  CHECK(full.internal.find("No space left") != std::string::npos);
  CHECK(write_error("commit", rocksdb::Status::IOError("read-only file system")).code == Errc::service_busy);
  CHECK(write_error("commit", rocksdb::Status::Corruption("bad block")).code == Errc::internal_error);
  CHECK(write_error("commit", rocksdb::Status::InvalidArgument("bad")).code == Errc::internal_error);
}
