// Account-lifecycle rules that the HTTP suite cannot reach: OAuth-only
// accounts (no OAuth sign-in exists yet to create one), the padding write
// of forgot-password, and the purge against a real store.
#include "services/account_lifecycle.hpp"
#include "services/context.hpp"
#include "services/passwords.hpp"
#include "services/purge.hpp"

#include "../store/records_fixture.hpp"
#include "../store/temp_dir.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <doctest/doctest.h>

#include <atomic>

using namespace lk;
using lk::store::test::full_user;
using lk::store::test::id_of;
using lk::store::test::TempDir;

namespace {

struct Fixture {
  TempDir dir;
  std::unique_ptr<store::Store> store = open();
  Pool cpu{"cpu", 1, 16};
  Pool blocking{"blocking", 2, 16};
  services::TenantDirectory tenants{*store, blocking, std::string(32, 'k')};
  std::atomic<int> wakes{0};
  services::Context ctx{
      services::Settings{}, *store, cpu, blocking, tenants, std::string(32, 'k'), std::string(32, 'd'),
      [this] { ++wakes; }};
  std::shared_ptr<services::Tenant> tenant = make_tenant();

  std::unique_ptr<store::Store> open() {
    auto s = store::Store::open({dir.db(), store::Durability::strict});
    REQUIRE(s.has_value());
    return std::move(*s);
  }
  static std::shared_ptr<services::Tenant> make_tenant() {
    auto t = std::make_shared<services::Tenant>();
    t->record.id = id_of(7, 0x0c);
    t->record.name = "Acme";
    t->record.app_url = "https://app.test";
    return t;
  }
  // A verified user, stored; OAuth-only when `password_hash` is empty.
  store::UserRecord add_user(std::uint8_t n, std::string password_hash, std::int64_t deleted_ms = 0) {
    store::UserRecord u = full_user(id_of(n, 0x0a));
    u.email = "user" + std::to_string(n) + "@x.test";
    u.password_hash = std::move(password_hash);
    u.auth_provider = u.password_hash.empty() ? "github" : "local";
    u.deleted_ms = deleted_ms;
    u.valid_after_ms = 0;
    store::Batch batch;
    batch.put_user(tenant->record.id, u);
    batch.put_user_email(tenant->record.id, u.email, u.id);
    REQUIRE(store->commit(batch).has_value());
    return u;
  }
  services::Authenticated who(const store::UserRecord& user) {
    return services::Authenticated{user, id_of(99, 0x05)};
  }
  std::vector<store::MailRecord> queued() { return *store->due_mail(INT64_MAX, 100); }
};

// Runs a coroutine to completion (and everything it spawned).
template <class T>
T run(awaitable<T> task) {
  net::io_context io;
  auto future = net::co_spawn(io, std::move(task), net::use_future);
  io.run();
  return future.get();
}

}  // namespace

TEST_CASE("an OAuth-only account cannot change a password or an address it does not have") {
  Fixture f;
  auto user = f.add_user(1, "");
  auto change = run(services::Passwords(f.ctx).change_password(f.tenant, f.who(user), "", "Brand-new-pass-1"));
  REQUIRE_FALSE(change.has_value());
  CHECK(change.error().code == Errc::forbidden);
  auto email = run(services::AccountLifecycle(f.ctx).request_email_change(f.tenant, f.who(user), "n@x.test", ""));
  REQUIRE_FALSE(email.has_value());
  CHECK(email.error().code == Errc::forbidden);
  CHECK(f.queued().empty());
}

TEST_CASE("an OAuth-only account is deleted without a password; a local one needs it") {
  Fixture f;
  auto oauth = f.add_user(1, "");
  REQUIRE(run(services::AccountLifecycle(f.ctx).delete_account(f.tenant, f.who(oauth), std::nullopt)).has_value());
  auto stored = *f.store->get_user(f.tenant->record.id, oauth.id);
  REQUIRE(stored);
  CHECK(stored->deleted_ms != 0);
  CHECK(stored->valid_after_ms == stored->deleted_ms / 1000 * 1000);
  auto mail = f.queued();
  REQUIRE(mail.size() == 1);
  CHECK(mail[0].to == oauth.email);
  CHECK(mail[0].text_body.find("https://app.test/restore-account?token=") != std::string::npos);

  auto local = f.add_user(2, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA");
  auto refused = run(services::AccountLifecycle(f.ctx).delete_account(f.tenant, f.who(local), std::nullopt));
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == Errc::validation_error);
  CHECK((*f.store->get_user(f.tenant->record.id, local.id))->deleted_ms == 0);
}

TEST_CASE("forgot-password commits the same kind of write whether or not the address has an account") {
  Fixture f;
  auto user = f.add_user(1, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA");
  services::Passwords passwords(f.ctx);

  REQUIRE(run(passwords.forgot_password(f.tenant, "ghost@x.test")).has_value());
  auto pad = *f.store->get_meta("forgot_password_pad");
  REQUIRE(pad);
  CHECK(f.queued().empty());
  CHECK(f.wakes == 0);

  REQUIRE(run(passwords.forgot_password(f.tenant, user.email)).has_value());
  auto mail = f.queued();
  REQUIRE(mail.size() == 1);
  CHECK(mail[0].to == user.email);
  CHECK(f.wakes == 1);  // woken after a delay, so run() waited for it
  // The padding is about as large as what the real path stores.
  std::size_t real = mail[0].subject.size() + mail[0].text_body.size() + mail[0].html_body.size();
  CHECK(pad->size() >= real);
  CHECK(pad->size() <= real + 512);
}

TEST_CASE("forgot-password mails no deleted or OAuth-only account") {
  Fixture f;
  auto deleted = f.add_user(1, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", 1000);
  auto oauth = f.add_user(2, "");
  REQUIRE(run(services::Passwords(f.ctx).forgot_password(f.tenant, deleted.email)).has_value());
  REQUIRE(run(services::Passwords(f.ctx).forgot_password(f.tenant, oauth.email)).has_value());
  CHECK(f.queued().empty());
}

TEST_CASE("purge_deleted_accounts erases accounts deleted before the cutoff only") {
  Fixture f;
  auto old = f.add_user(1, "h", 1000);
  auto recent = f.add_user(2, "h", 9000);
  auto live = f.add_user(3, "h");
  auto purged = services::purge_deleted_accounts(*f.store, 5000);
  REQUIRE(purged.has_value());
  CHECK(*purged == 1);
  const Id& t = f.tenant->record.id;
  CHECK_FALSE(*f.store->get_user(t, old.id));
  CHECK_FALSE(*f.store->find_user_by_email(t, old.email));
  CHECK(*f.store->get_user(t, recent.id));
  CHECK(*f.store->get_user(t, live.id));
  CHECK(*services::purge_deleted_accounts(*f.store, 5000) == 0);
}
