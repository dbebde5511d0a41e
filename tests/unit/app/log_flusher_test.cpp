#include "app/log_flusher.hpp"

#include "../captured_stderr.hpp"
#include "core/log.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

using namespace lk;

TEST_CASE("log flusher: writes buffered lines within its interval, and the rest when stopped") {
  test::CapturedStderr captured;
  log::set_quiet(false);
  {
    app::LogFlusher flusher(std::chrono::milliseconds(10));
    flusher.start();
    log::info("periodic-line");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (captured.text().find("periodic-line") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CHECK(captured.text().find("periodic-line") != std::string::npos);
    // A long interval: only stop() can write this one.
    app::LogFlusher slow(std::chrono::hours(1));
    flusher.stop();
    slow.start();
    log::info("last-line");
    slow.stop();
    CHECK(captured.text().find("last-line") != std::string::npos);
  }
  log::info("after-stop");
  CHECK(captured.text().find("after-stop") != std::string::npos);
}
