// Bench-only seeding for tools/bench: writes a tenant and N verified users
// straight through the real store code (Store, Batch, TenantDirectory), all
// sharing one precomputed Argon2id hash, so a million users take seconds
// instead of hours of hashing. Never used by the server.
//
// usage: lk_seed --data DIR --users N [--password P]   -> JSON on stdout
//        lk_seed --hash-bench K [--threads N]            -> median and mean ms of K hashes per
//                                                           thread, N threads hashing at once,
//                                                           and hashes per second of wall time
#include "app/bootstrap.hpp"
#include "app/secrets.hpp"
#include "core/clock.hpp"
#include "core/offload.hpp"
#include "crypto/encoding.hpp"
#include "crypto/password.hpp"
#include "crypto/random.hpp"
#include "services/tenants.hpp"
#include "store/store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace {

int fail(const std::string& why) {
  std::fprintf(stderr, "lk_seed: %s\n", why.c_str());
  return 1;
}

std::string new_hex_key() {
  std::string raw(32, '\0');
  lk::crypto::random_bytes({reinterpret_cast<std::uint8_t*>(raw.data()), raw.size()});
  return lk::crypto::hex_encode(raw);
}

// Median time of one hash while `threads` threads hash at once: with one
// per core this is the time a hash takes when every core hashes, as in the
// server under login load (and, on a shared machine, the share of the cores
// this process actually gets). Also the sustained rate, hashes over the
// wall time of the whole run: it pays for the slow tail the median ignores.
int hash_bench(int count, int threads) {
  std::vector<std::vector<double>> per_thread(static_cast<std::size_t>(threads));
  std::vector<std::thread> workers;
  auto began = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([count, &ms = per_thread[static_cast<std::size_t>(t)]] {
      for (int i = 0; i < count; ++i) {
        auto start = std::chrono::steady_clock::now();
        auto h = lk::crypto::argon2id_hash("correct horse battery staple");
        if (h.empty()) continue;
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      }
    });
  }
  for (auto& w : workers) w.join();
  double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::vector<double> ms;
  for (const auto& v : per_thread) ms.insert(ms.end(), v.begin(), v.end());
  if (ms.size() != static_cast<std::size_t>(count) * static_cast<std::size_t>(threads)) return fail("hash failed");
  std::sort(ms.begin(), ms.end());
  double mean = 0;
  for (double m : ms) mean += m / static_cast<double>(ms.size());
  std::printf("{\"hash_ms_median\":%.3f,\"hash_ms_mean\":%.3f,\"hashes_per_s\":%.2f,\"hashes\":%zu,\"threads\":%d}\n",
              ms[ms.size() / 2], mean, static_cast<double>(ms.size()) / wall_s, ms.size(), threads);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data;
  long users = 0;
  std::string password = "bench-password-123";
  int bench_hashes = 0;
  int bench_threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--data") data = argv[i + 1];
    else if (flag == "--users") users = std::atol(argv[i + 1]);
    else if (flag == "--password") password = argv[i + 1];
    else if (flag == "--hash-bench") bench_hashes = std::max(1, std::atoi(argv[i + 1]));
    else if (flag == "--threads") bench_threads = std::max(1, std::atoi(argv[i + 1]));
    else return fail("unknown flag " + flag);
  }
  if (bench_hashes > 0) return hash_bench(bench_hashes, bench_threads);
  if (data.empty() || users < 0) return fail("usage: lk_seed --data DIR --users N [--password P]");
  std::filesystem::create_directories(data);

  auto opened = lk::store::Store::open({data + "/db", lk::store::Durability::relaxed});
  if (!opened) return fail(opened.error().message + " " + opened.error().internal);
  auto& store = **opened;
  auto master_hex = lk::app::read_or_create_secret(data + "/master.key", new_hex_key);
  if (!master_hex) return fail(master_hex.error().message);
  auto master = lk::crypto::hex_decode(*master_hex);
  if (!master || master->size() != 32) return fail("bad master key");
  if (auto ok = lk::app::verify_master_key(store, *master); !ok) return fail(ok.error().message);

  lk::Pool blocking("blocking", 1, 16);
  lk::services::TenantDirectory tenants(store, blocking, *master);
  boost::asio::io_context io;
  lk::services::NewTenant input;
  input.name = "bench";
  input.owner_email = "bench@bench.local";
  input.dev_mode = true;
  auto future = boost::asio::co_spawn(io, tenants.create(std::move(input)), boost::asio::use_future);
  io.run();
  auto created = future.get();
  if (!created) return fail(created.error().message + " " + created.error().internal);
  const lk::Id tenant = created->tenant->record.id;

  // One real Argon2id hash shared by every seeded user: logins still do the
  // full verification work.
  std::string hash = lk::crypto::argon2id_hash(password);
  std::int64_t now = lk::now_ms();
  auto started = std::chrono::steady_clock::now();
  constexpr long kBatch = 5000;
  for (long base = 0; base < users; base += kBatch) {
    lk::store::Batch batch;
    for (long i = base; i < std::min(users, base + kBatch); ++i) {
      lk::store::UserRecord user;
      user.id = lk::crypto::new_id();
      user.email = "user" + std::to_string(i) + "@bench.local";
      user.password_hash = hash;
      user.email_verified = true;
      user.terms_accepted = true;
      user.terms_accepted_ms = now;
      user.created_ms = now;
      user.updated_ms = now;
      batch.put_user(tenant, user);
      batch.put_user_email(tenant, user.email, user.id);
    }
    if (auto r = store.commit(batch); !r) return fail(r.error().internal);
  }
  // Flush what is still in the memtables, so that the server's first start
  // on this data has no WAL to replay (the seed's last ~16 MB otherwise),
  // and compact: a store that grew over months is settled, while a million
  // users written in one go leave dozens of L0 files whose compaction would
  // otherwise run during the server's first minutes (and the benchmark).
  store.shutdown();
  if (auto r = store.compact_all(); !r) return fail(r.error().internal);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("{\"tenant_id\":\"%s\",\"api_key\":\"%s\",\"password\":\"%s\",\"users\":%ld,\"seed_s\":%.2f}\n",
              lk::to_string(tenant).c_str(), created->api_key.c_str(), password.c_str(), users, secs);
  return 0;
}
