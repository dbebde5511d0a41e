#include "store/store.hpp"

#include "records_fixture.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <limits>

using namespace lk;
using namespace lk::store;
using lk::store::test::check_same;
using lk::store::test::full_session;
using lk::store::test::full_tenant;
using lk::store::test::full_user;
using lk::store::test::hash_of;
using lk::store::test::id_of;
using lk::store::test::TempDir;

namespace {

std::unique_ptr<Store> open_store(const TempDir& dir, Durability durability = Durability::strict) {
  auto store = Store::open(Options{dir.db(), durability});
  REQUIRE_MESSAGE(store.has_value(), (store ? "" : store.error().internal));
  return std::move(*store);
}

void commit(Store& store, Batch& batch) {
  auto r = store.commit(batch);
  REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().internal));
}

MailRecord mail(std::int64_t due_ms, std::uint8_t id) {
  MailRecord m;
  m.due_ms = due_ms;
  m.id = id_of(id);
  m.tenant_id = id_of(0x70);
  m.to = "to@x.io";
  m.subject = std::to_string(id);
  return m;
}

}  // namespace

TEST_SUITE_BEGIN("store.store");

TEST_CASE("each record kind commits and reads back; missing is nullopt") {
  TempDir dir;
  auto store = open_store(dir);
  const Id t = id_of(0x01);
  const Id u = id_of(0x02);
  const Id s = id_of(0x03);

  CHECK(store->get_tenant(t).value() == std::nullopt);
  CHECK(store->find_tenant_by_key(hash_of(1)).value() == std::nullopt);
  CHECK(store->get_user(t, u).value() == std::nullopt);
  CHECK(store->find_user_by_email(t, "a@x.io").value() == std::nullopt);
  CHECK(store->get_session(t, u, s).value() == std::nullopt);
  CHECK(store->get_refresh(t, hash_of(2)).value() == std::nullopt);
  CHECK(store->get_one_time(t, OneTimeKind::verify_email, hash_of(3)).value() == std::nullopt);
  CHECK(store->get_meta("schema_version").value() == std::nullopt);
  CHECK(store->due_mail(std::numeric_limits<std::int64_t>::max(), 10).value().empty());
  CHECK(store->list_tenants().value().empty());

  Batch batch;
  CHECK(batch.empty());
  batch.put_tenant(full_tenant(t));
  batch.put_tenant_key(hash_of(1), t);
  batch.put_user(t, full_user(u));
  batch.put_user_email(t, "a@x.io", u);
  batch.put_session(t, full_session(u, s));
  RefreshRecord refresh{500, u, s, 1, 0, std::nullopt};
  batch.put_refresh(t, hash_of(2), refresh);
  OneTimeRecord one_time{600, u, "payload"};
  batch.put_one_time(t, OneTimeKind::verify_email, hash_of(3), one_time);
  batch.put_mail(mail(100, 1));
  batch.put_meta("schema_version", "1");
  CHECK_FALSE(batch.empty());
  commit(*store, batch);

  check_same(store->get_tenant(t).value().value(), full_tenant(t));
  CHECK(store->find_tenant_by_key(hash_of(1)).value() == t);
  check_same(store->get_user(t, u).value().value(), full_user(u));
  CHECK(store->find_user_by_email(t, "a@x.io").value() == u);
  check_same(store->get_session(t, u, s).value().value(), full_session(u, s));
  check_same(store->get_refresh(t, hash_of(2)).value().value(), refresh);
  check_same(store->get_one_time(t, OneTimeKind::verify_email, hash_of(3)).value().value(), one_time);
  CHECK(store->get_meta("schema_version").value() == "1");
  auto due = store->due_mail(100, 10).value();
  REQUIRE(due.size() == 1);
  check_same(due[0], mail(100, 1));
  REQUIRE(store->list_tenants().value().size() == 1);

  // Same hash, other kind or other tenant: a different key.
  CHECK(store->get_one_time(t, OneTimeKind::reset_password, hash_of(3)).value() == std::nullopt);
  CHECK(store->get_refresh(id_of(0x09), hash_of(2)).value() == std::nullopt);
  CHECK(store->find_user_by_email(id_of(0x09), "a@x.io").value() == std::nullopt);
}

TEST_CASE("deletes remove exactly the named keys") {
  TempDir dir;
  auto store = open_store(dir);
  const Id t = id_of(0x01);
  const Id u = id_of(0x02);
  Batch put;
  put.put_tenant_key(hash_of(1), t);
  put.put_user_email(t, "a@x.io", u);
  put.put_user_email(t, "b@x.io", u);
  put.put_session(t, full_session(u, id_of(0x03)));
  put.put_refresh(t, hash_of(2), RefreshRecord{});
  put.put_one_time(t, OneTimeKind::change_email, hash_of(3), OneTimeRecord{});
  put.put_mail(mail(5, 1));
  commit(*store, put);

  Batch del;
  del.delete_tenant_key(hash_of(1));
  del.delete_user_email(t, "a@x.io");
  del.delete_session(t, u, id_of(0x03));
  del.delete_refresh(t, hash_of(2));
  del.delete_one_time(t, OneTimeKind::change_email, hash_of(3));
  del.delete_mail(5, id_of(1));
  commit(*store, del);

  CHECK(store->find_tenant_by_key(hash_of(1)).value() == std::nullopt);
  CHECK(store->find_user_by_email(t, "a@x.io").value() == std::nullopt);
  CHECK(store->find_user_by_email(t, "b@x.io").value() == u);
  CHECK(store->get_session(t, u, id_of(0x03)).value() == std::nullopt);
  CHECK(store->get_refresh(t, hash_of(2)).value() == std::nullopt);
  CHECK(store->get_one_time(t, OneTimeKind::change_email, hash_of(3)).value() == std::nullopt);
  CHECK(store->due_mail(10, 10).value().empty());
}

TEST_CASE("a batch is applied whole, across column families") {
  TempDir dir;
  const Id t = id_of(0x01);
  const Id u = id_of(0x02);
  {
    auto store = open_store(dir);
    Batch batch;
    batch.put_user(t, full_user(u));
    batch.put_user_email(t, "alice@example.test", u);
    batch.put_session(t, full_session(u, id_of(0x03)));
    // Nothing is visible before commit.
    CHECK(store->get_user(t, u).value() == std::nullopt);
    CHECK(store->find_user_by_email(t, "alice@example.test").value() == std::nullopt);

    // Within one batch, later writes win: a put then delete leaves nothing.
    batch.put_meta("k", "v");
    batch.put_user_email(t, "gone@x.io", u);
    batch.delete_user_email(t, "gone@x.io");
    commit(*store, batch);
    CHECK(store->get_user(t, u).value().has_value());
    CHECK(store->find_user_by_email(t, "alice@example.test").value() == u);
    CHECK(store->find_user_by_email(t, "gone@x.io").value() == std::nullopt);

    // A batch dropped without commit writes nothing.
    Batch dropped;
    dropped.put_meta("never", "x");
    // An empty batch commits as a no-op.
    Batch none;
    commit(*store, none);
  }
  auto store = open_store(dir);
  CHECK(store->get_user(t, u).value().has_value());
  CHECK(store->list_sessions(t, u).value().size() == 1);
  CHECK(store->get_meta("never").value() == std::nullopt);
}

TEST_CASE("a moved batch commits from its new owner; the old one can be reused") {
  TempDir dir;
  auto store = open_store(dir);
  Batch a;
  a.put_meta("one", "1");
  Batch b(std::move(a));
  CHECK_FALSE(b.empty());
  CHECK(a.empty());  // NOLINT(bugprone-use-after-move): the documented moved-from state
  a.put_meta("two", "2");
  commit(*store, b);
  commit(*store, a);
  CHECK(store->get_meta("one").value() == "1");
  CHECK(store->get_meta("two").value() == "2");
}

TEST_CASE("list_sessions returns only that user's sessions in that tenant") {
  TempDir dir;
  auto store = open_store(dir);
  const Id t = id_of(0x01);
  const Id other_tenant = id_of(0x02);  // differs from t in the last byte only
  const Id u = id_of(0x10);
  Batch batch;
  batch.put_session(t, full_session(u, id_of(0x02)));
  batch.put_session(t, full_session(u, id_of(0x01)));
  batch.put_session(t, full_session(id_of(0x11), id_of(0x03)));  // the next user id
  batch.put_session(t, full_session(id_of(0x0f), id_of(0x04)));  // the previous one
  batch.put_session(other_tenant, full_session(u, id_of(0x05)));
  commit(*store, batch);

  auto sessions = store->list_sessions(t, u).value();
  REQUIRE(sessions.size() == 2);
  CHECK(sessions[0].session_id == id_of(0x01));  // key order
  CHECK(sessions[1].session_id == id_of(0x02));
  REQUIRE(store->list_sessions(other_tenant, u).value().size() == 1);
  CHECK(store->list_sessions(id_of(0x03), u).value().empty());
}

TEST_CASE("scans under the all-0xff tenant and user stay in range") {
  TempDir dir;
  auto store = open_store(dir);
  Id top{};
  top.fill(0xff);
  Id below = top;
  below[15] = 0xfe;
  Batch batch;
  batch.put_session(top, full_session(top, id_of(0x01)));
  batch.put_session(top, full_session(below, id_of(0x02)));
  batch.put_session(below, full_session(top, id_of(0x03)));
  commit(*store, batch);

  auto sessions = store->list_sessions(top, top).value();
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0].session_id == id_of(0x01));
  sessions = store->list_sessions(below, top).value();
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0].session_id == id_of(0x03));
}

TEST_CASE("count_mail counts every queued message, due or not, up to its limit") {
  TempDir dir;
  auto store = open_store(dir);
  CHECK(store->count_mail(10).value() == 0);
  Batch batch;
  batch.put_mail(mail(-50, 1));
  batch.put_mail(mail(100, 2));
  batch.put_mail(mail(std::numeric_limits<std::int64_t>::max(), 3));
  commit(*store, batch);
  CHECK(store->count_mail(10).value() == 3);
  CHECK(store->count_mail(2).value() == 2);
  CHECK(store->count_mail(0).value() == 0);
  Batch sent;
  sent.delete_mail(100, id_of(2));
  commit(*store, sent);
  CHECK(store->count_mail(10).value() == 2);
}

TEST_CASE("due_mail respects now, limit and due order") {
  TempDir dir;
  auto store = open_store(dir);
  Batch batch;
  batch.put_mail(mail(300, 1));
  batch.put_mail(mail(100, 3));
  batch.put_mail(mail(200, 2));
  batch.put_mail(mail(100, 4));
  batch.put_mail(mail(400, 5));
  batch.put_mail(mail(-50, 6));
  commit(*store, batch);

  auto ids = [](const std::vector<MailRecord>& mails) {
    std::vector<int> out;
    for (const auto& m : mails) out.push_back(m.id[15]);
    return out;
  };
  CHECK(ids(store->due_mail(300, 10).value()) == std::vector<int>{6, 3, 4, 2, 1});
  CHECK(ids(store->due_mail(300, 2).value()) == std::vector<int>{6, 3});
  CHECK(ids(store->due_mail(99, 10).value()) == std::vector<int>{6});
  CHECK(ids(store->due_mail(-51, 10).value()).empty());
  CHECK(store->due_mail(1000, 0).value().empty());
  CHECK(ids(store->due_mail(std::numeric_limits<std::int64_t>::max(), 100).value()) ==
        std::vector<int>{6, 3, 4, 2, 1, 5});
}

TEST_CASE("meta values can be written, overwritten and read") {
  TempDir dir;
  auto store = open_store(dir, Durability::relaxed);
  Batch first;
  first.put_meta("schema_version", "1");
  first.put_meta("master_key_check", std::string("\0\x01\xff", 3));
  commit(*store, first);
  Batch second;
  second.put_meta("schema_version", "2");
  commit(*store, second);
  CHECK(store->get_meta("schema_version").value() == "2");
  CHECK(store->get_meta("master_key_check").value() == std::string("\0\x01\xff", 3));
  CHECK(store->get_meta("schema").value() == std::nullopt);
  CHECK(store->writable());
}

TEST_CASE("data survives close and reopen") {
  TempDir dir;
  const Id t = id_of(0x01);
  {
    auto store = open_store(dir);
    Batch batch;
    batch.put_tenant(full_tenant(t));
    batch.put_tenant(full_tenant(id_of(0x02)));
    batch.put_mail(mail(1, 1));
    commit(*store, batch);
  }
  auto store = open_store(dir);
  check_same(store->get_tenant(t).value().value(), full_tenant(t));
  auto tenants = store->list_tenants().value();
  REQUIRE(tenants.size() == 2);
  CHECK(tenants[0].id == t);
  CHECK(tenants[1].id == id_of(0x02));
  CHECK(store->due_mail(1, 10).value().size() == 1);
}

TEST_CASE("a second open of a data directory in use fails clearly") {
  TempDir dir;
  auto first = open_store(dir);
  auto second = Store::open(Options{dir.db(), Durability::strict});
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().message == "data directory " + dir.db() + " is in use by another latchkey process");
  CHECK_FALSE(second.error().internal.empty());

  first.reset();
  CHECK(Store::open(Options{dir.db(), Durability::strict}).has_value());
}

TEST_CASE("open fails with an internal error when the path is unusable") {
  TempDir dir;
  auto store = Store::open(Options{dir.path() + "/missing/parent/db", Durability::strict});
  REQUIRE_FALSE(store.has_value());
  CHECK(store.error().code == Errc::internal_error);
  CHECK(store.error().internal.starts_with("rocksdb: "));
}

TEST_SUITE_END();
