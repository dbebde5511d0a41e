// store/store_env.hpp: only RocksDB's temporary OPTIONS file loses its
// fsyncs, and the OPTIONS file is still written whole.
#include "store/store_env.hpp"

#include "store/column_families.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace lk::store;
using lk::store::test::TempDir;

TEST_CASE("only the temporary OPTIONS file is written without fsync") {
  CHECK(is_temp_options_file("/data/db/OPTIONS-000214.dbtmp"));
  CHECK(is_temp_options_file("OPTIONS-000007.dbtmp"));
  // CURRENT is written as <n>.dbtmp and must stay synced; so must the
  // final OPTIONS name (checkpoints copy it), the MANIFEST, WAL and tables.
  CHECK_FALSE(is_temp_options_file("/data/db/000213.dbtmp"));
  CHECK_FALSE(is_temp_options_file("/data/db/OPTIONS-000215"));
  CHECK_FALSE(is_temp_options_file("/backup/db/OPTIONS-000215"));
  CHECK_FALSE(is_temp_options_file("/data/db/MANIFEST-000213"));
  CHECK_FALSE(is_temp_options_file("/data/db/000212.log"));
  CHECK_FALSE(is_temp_options_file("/data/db/000217.sst"));
  CHECK_FALSE(is_temp_options_file("/data/OPTIONS-1.dbtmp/000217.sst"));
}

TEST_CASE("the store opens with its Env and still leaves a complete OPTIONS file") {
  CHECK(db_options().env == store_env());
  TempDir dir;
  for (int open = 0; open < 2; ++open) {
    auto store = Store::open(Options{dir.db(), Durability::strict});
    REQUIRE(store.has_value());
  }
  int options_files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.db())) {
    std::string name = entry.path().filename().string();
    CHECK_FALSE(name.ends_with(".dbtmp"));
    if (!name.starts_with("OPTIONS-")) continue;
    ++options_files;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    CHECK(text.str().starts_with("# This is a RocksDB option file."));
    for (const auto& spec : kColumnFamilies)
      CHECK(text.str().find("[CFOptions \"" + std::string(spec.name) + "\"]") != std::string::npos);
  }
  CHECK(options_files >= 1);
}
