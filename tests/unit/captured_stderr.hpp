// Points stderr (fd 2) at a temporary file for the life of the object, so a
// test can read what the logger wrote.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace lk::test {

struct CapturedStderr {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("lk-log-test-" + std::to_string(::getpid()) + ".txt");
  int saved = -1;
  CapturedStderr() {
    std::fflush(stderr);
    saved = ::dup(2);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 2);
    ::close(fd);
  }
  ~CapturedStderr() {
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    std::filesystem::remove(path);
  }
  CapturedStderr(const CapturedStderr&) = delete;
  CapturedStderr& operator=(const CapturedStderr&) = delete;
  std::string text() const {
    std::fflush(stderr);
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
};

}  // namespace lk::test
