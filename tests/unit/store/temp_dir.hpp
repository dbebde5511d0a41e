// A fresh directory under /tmp for one test case, removed with everything
// in it when the case ends.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace lk::store::test {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = "/tmp/latchkey-store-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // The DB directory inside; RocksDB creates it on first open.
  std::string db() const { return path_ + "/db"; }

 private:
  std::string path_;
};

}  // namespace lk::store::test
