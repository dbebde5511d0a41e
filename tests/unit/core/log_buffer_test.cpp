#include "core/log_buffer.hpp"

#include "core/log.hpp"
#include "../captured_stderr.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace lk;

TEST_CASE("log buffer: take returns lines in append order and empties the buffer") {
  log::LogBuffer buffer;
  CHECK_FALSE(buffer.append("a\n"));
  CHECK_FALSE(buffer.append("b\n"));
  std::string out = "stale";
  buffer.take(out);
  CHECK(out == "a\nb\n");
  CHECK(buffer.size() == 0);
  buffer.take(out);
  CHECK(out.empty());
}

TEST_CASE("log buffer: append reports the soft limit and keeps every line past it") {
  log::LogBuffer buffer(10);
  CHECK_FALSE(buffer.append("12345\n"));
  CHECK(buffer.append("67890\n"));
  CHECK(buffer.append("more\n"));
  std::string out;
  buffer.take(out);
  CHECK(out == "12345\n67890\nmore\n");
}

TEST_CASE("log buffer: lines from many threads stay whole and none is lost") {
  log::LogBuffer buffer(1 << 30);
  constexpr int kThreads = 4;
  constexpr int kLines = 5000;
  std::vector<std::thread> threads;
  std::string taken;
  std::string all;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&buffer, t] {
      for (int i = 0; i < kLines; ++i) buffer.append("thread " + std::to_string(t) + " line " + std::to_string(i) + "\n");
    });
  }
  // Take concurrently with the writers, as the flusher does.
  for (int i = 0; i < 50; ++i) {
    buffer.take(taken);
    all += taken;
  }
  for (auto& th : threads) th.join();
  buffer.take(taken);
  all += taken;
  std::istringstream lines(all);
  std::set<std::string> seen;
  std::vector<int> next(kThreads, 0);
  for (std::string line; std::getline(lines, line);) {
    int t = -1;
    int i = -1;
    REQUIRE(std::sscanf(line.c_str(), "thread %d line %d", &t, &i) == 2);
    REQUIRE(t >= 0);
    REQUIRE(t < kThreads);
    CHECK(i == next[t]);  // each thread's lines in its own order
    next[t] = i + 1;
    CHECK(seen.insert(line).second);
  }
  CHECK(seen.size() == static_cast<std::size_t>(kThreads * kLines));
}


TEST_CASE("log: buffered info lines wait for a flush; a warning writes them first, then itself") {
  test::CapturedStderr captured;
  log::set_quiet(false);
  log::set_buffered(true);
  log::info("first-info");
  log::info("second-info");
  CHECK(captured.text().empty());
  log::warn("the-warning");
  log::info("third-info");
  std::string text = captured.text();
  auto first = text.find("first-info");
  auto second = text.find("second-info");
  auto warning = text.find("the-warning");
  REQUIRE(first != std::string::npos);
  REQUIRE(second != std::string::npos);
  REQUIRE(warning != std::string::npos);
  CHECK(first < second);
  CHECK(second < warning);
  CHECK(text.find("third-info") == std::string::npos);
  log::set_buffered(false);  // flushes
  CHECK(captured.text().find("third-info") != std::string::npos);
  log::info("unbuffered-info");
  CHECK(captured.text().find("unbuffered-info") != std::string::npos);
}
