#include "core/rate_table.hpp"

#include "../store/temp_dir.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <thread>
#include <vector>

using namespace lk;
using lk::store::test::TempDir;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;
const Bucket kBucket{3, 60'000};

// Key digests chosen by hand: the first 8 bytes pick stripe and home slot.
Hash key_of(std::uint8_t tag, std::uint64_t home = 0) {
  Hash h{};
  std::memcpy(h.data(), &home, sizeof home);
  h[31] = tag;
  return h;
}

std::unique_ptr<RateTable> open_table(const std::string& path, RateTable::Geometry g = {1, 8}) {
  auto t = RateTable::open(path, g);
  REQUIRE_MESSAGE(t.has_value(), (t ? "" : t.error().message));
  return std::move(*t);
}

RateDecision take(RateTable& t, const Hash& key, std::int64_t now) {
  return t.update(key, now, [&](RateState& s, bool fresh) {
    if (fresh) s = kBucket.fresh(now);
    return kBucket.take(s, now);
  });
}

int drain(RateTable& t, const Hash& key, std::int64_t now) {
  int n = 0;
  while (take(t, key, now).allowed && n < 100) ++n;
  return n;
}

}  // namespace

TEST_SUITE_BEGIN("core.rate_table");

TEST_CASE("keys with the same home slot keep separate states (the full digest is compared)") {
  TempDir dir;
  auto t = open_table(dir.path() + "/t");
  Hash a = key_of(1, 5);
  Hash b = key_of(2, 5);
  CHECK(drain(*t, a, kT0) == 3);
  CHECK(drain(*t, b, kT0) == 3);
  CHECK_FALSE(take(*t, a, kT0).allowed);
  CHECK(t->live_slots(kT0) == 2);
}

TEST_CASE("a full probe window reuses an idle slot before evicting the least recently updated") {
  TempDir dir;
  auto t = open_table(dir.path() + "/t");  // one stripe of 8 slots: one window
  for (std::uint8_t i = 0; i < 8; ++i) REQUIRE(drain(*t, key_of(i), kT0 + i) == 3);
  CHECK(t->live_slots(kT0 + 8) == 8);

  // Key 0 has been empty since kT0; 6 s later key 1 was topped up a bit.
  // A ninth key must take the slot of the least recently updated key (0).
  CHECK(take(*t, key_of(1), kT0 + 30'000).allowed);
  CHECK(drain(*t, key_of(8), kT0 + 30'000) == 3);
  CHECK(drain(*t, key_of(1), kT0 + 30'000) == 0);  // still limited: kept
  CHECK(drain(*t, key_of(0), kT0 + 30'000) == 3);  // forgotten: full again (evicted key 2)
  // Key 3 is still tracked: it got only the refill since it was drained.
  CHECK(drain(*t, key_of(3), kT0 + 30'000) == 1);

  // Once states are idle (buckets refilled), new keys take those slots and
  // no live state is lost.
  std::int64_t later = kT0 + 10 * 60'000;
  CHECK(t->live_slots(later) == 0);
  for (std::uint8_t i = 20; i < 28; ++i) CHECK(drain(*t, key_of(i), later) == 3);
  CHECK(t->live_slots(later) == 8);
}

TEST_CASE("memory is fixed: a flood of distinct keys never grows the table") {
  TempDir dir;
  std::string path = dir.path() + "/t";
  auto t = open_table(path, {4, 16});
  struct stat before = {};
  REQUIRE(::stat(path.c_str(), &before) == 0);
  for (std::uint32_t i = 0; i < 10'000; ++i) {
    Hash k{};
    std::uint64_t h = i * 0x9E3779B97F4A7C15ull;
    std::memcpy(k.data(), &h, sizeof h);
    take(*t, k, kT0);
  }
  struct stat after = {};
  REQUIRE(::stat(path.c_str(), &after) == 0);
  CHECK(after.st_size == before.st_size);
  CHECK(t->live_slots(kT0) == 64);
}

TEST_CASE("limits survive closing and reopening the file (a restart)") {
  TempDir dir;
  std::string path = dir.path() + "/t";
  std::string salt;
  {
    auto t = open_table(path);
    salt = std::string(t->key_salt());
    REQUIRE(drain(*t, key_of(7), kT0) == 3);
  }
  auto t = open_table(path);
  CHECK(std::string(t->key_salt()) == salt);
  CHECK_FALSE(take(*t, key_of(7), kT0 + 1'000).allowed);
  CHECK(take(*t, key_of(7), kT0 + 20'000).allowed);
}

TEST_CASE("two mappings of one file (two processes) share states") {
  TempDir dir;
  std::string path = dir.path() + "/t";
  auto a = open_table(path);
  auto b = open_table(path);
  CHECK(a->key_salt() == b->key_salt());
  REQUIRE(take(*a, key_of(9), kT0).allowed);
  REQUIRE(take(*b, key_of(9), kT0).allowed);
  REQUIRE(take(*a, key_of(9), kT0).allowed);
  CHECK_FALSE(take(*b, key_of(9), kT0).allowed);

  // Concurrent updates through both mappings lose nothing: the stripe
  // mutex is shared between them.
  std::vector<std::thread> threads;
  std::atomic<int> granted{0};
  const Bucket big{1'000, 60'000};
  for (int i = 0; i < 4; ++i) {
    RateTable* t = i % 2 ? a.get() : b.get();
    threads.emplace_back([t, &granted, &big] {
      for (int n = 0; n < 500; ++n) {
        auto d = t->update(key_of(10), kT0, [&](RateState& s, bool fresh) {
          if (fresh) s = big.fresh(kT0);
          return big.take(s, kT0);
        });
        if (d.allowed) granted.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(granted.load() == 1'000);
}

TEST_CASE("a file of another geometry or version is replaced, not reinterpreted") {
  TempDir dir;
  std::string path = dir.path() + "/t";
  {
    auto t = open_table(path, {1, 8});
    REQUIRE(drain(*t, key_of(3), kT0) == 3);
  }
  auto t = open_table(path, {2, 8});
  CHECK(drain(*t, key_of(3), kT0) == 3);

  // Garbage of the right size: bad magic.
  std::string other = dir.path() + "/garbage";
  { auto sized = open_table(other, {1, 8}); }
  struct stat st = {};
  REQUIRE(::stat(other.c_str(), &st) == 0);
  {
    std::ofstream out(other, std::ios::binary | std::ios::trunc);
    out << std::string(static_cast<std::size_t>(st.st_size), 'x');
  }
  auto replaced = open_table(other, {1, 8});
  CHECK(drain(*replaced, key_of(1), kT0) == 3);
}

TEST_CASE("a table readable by others is refused") {
  TempDir dir;
  std::string path = dir.path() + "/t";
  { open_table(path); }
  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  auto t = RateTable::open(path, {1, 8});
  REQUIRE_FALSE(t.has_value());
  CHECK(t.error().message.find("mode 0600") != std::string::npos);
}

TEST_CASE("a lock held by a process that died is recovered, with the states kept") {
  TempDir dir;
  std::string path = dir.path() + "/t";
  auto t = open_table(path);
  REQUIRE(take(*t, key_of(4), kT0).allowed);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Dies inside the critical section, holding the stripe mutex.
    t->update(key_of(4), kT0, [](RateState&, bool) -> RateDecision { ::_exit(0); });
    ::_exit(1);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  // Without robust mutexes this would block forever.
  CHECK(take(*t, key_of(4), kT0).allowed);
  CHECK(take(*t, key_of(4), kT0).allowed);
  CHECK_FALSE(take(*t, key_of(4), kT0).allowed);
}

TEST_SUITE_END();
