// Batch's recorded writes, shared by batch.cpp (which records them) and
// store.cpp (which turns them into one rocksdb::WriteBatch at commit). A
// Batch is built before any Store exists, so it cannot hold column family
// handles yet. Internal to store/.
#pragma once

#include "store/column_families.hpp"
#include "store/store.hpp"

#include <optional>
#include <string>
#include <vector>

namespace lk::store {

struct Batch::Impl {
  struct Op {
    Cf cf;
    std::string key;
    std::optional<std::string> value;  // nullopt: delete the key
  };
  std::vector<Op> ops;
};

}  // namespace lk::store
