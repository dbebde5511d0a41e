#include "core/metrics.hpp"

#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

using namespace lk;

namespace {

// The value of one series line of the rendered text ("" when absent).
std::string sample(const std::string& text, const std::string& series) {
  auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return "";
  auto start = at + 1 + series.size() + 1;
  return text.substr(start, text.find('\n', start) - start);
}

}  // namespace

TEST_CASE("metrics: the same route name gives the same entry") {
  CHECK(&metrics::route_metrics("/unit/same") == &metrics::route_metrics("/unit/same"));
  CHECK(&metrics::route_metrics("/unit/same") != &metrics::route_metrics("/unit/other"));
}

TEST_CASE("metrics: counts by status, cumulative buckets, sum and count") {
  auto& route = metrics::route_metrics("/unit/histogram");
  metrics::observe_request(route, 200, 400);      // <= 0.0005 s
  metrics::observe_request(route, 200, 500);      // <= 0.0005 s (bounds are inclusive)
  metrics::observe_request(route, 404, 3000);     // <= 0.005 s
  metrics::observe_request(route, 503, 9000000);  // past the last bucket: +Inf only
  std::string text = metrics::render("");
  std::string r = "route=\"/unit/histogram\"";
  CHECK(sample(text, "latchkey_requests_total{" + r + ",status=\"200\"}") == "2");
  CHECK(sample(text, "latchkey_requests_total{" + r + ",status=\"404\"}") == "1");
  CHECK(sample(text, "latchkey_requests_total{" + r + ",status=\"503\"}") == "1");
  CHECK(sample(text, "latchkey_requests_total{" + r + ",status=\"500\"}") == "");
  CHECK(sample(text, "latchkey_request_duration_seconds_bucket{" + r + ",le=\"0.0005\"}") == "2");
  CHECK(sample(text, "latchkey_request_duration_seconds_bucket{" + r + ",le=\"0.001\"}") == "2");
  CHECK(sample(text, "latchkey_request_duration_seconds_bucket{" + r + ",le=\"0.005\"}") == "3");
  CHECK(sample(text, "latchkey_request_duration_seconds_bucket{" + r + ",le=\"2.5\"}") == "3");
  CHECK(sample(text, "latchkey_request_duration_seconds_bucket{" + r + ",le=\"+Inf\"}") == "4");
  CHECK(sample(text, "latchkey_request_duration_seconds_count{" + r + "}") == "4");
  CHECK(sample(text, "latchkey_request_duration_seconds_sum{" + r + "}") == "9.003900");
}

TEST_CASE("metrics: a route that has seen no request is not listed") {
  metrics::route_metrics("/unit/never");
  CHECK(metrics::render("").find("/unit/never") == std::string::npos);
}

TEST_CASE("metrics: concurrent recording loses nothing") {
  auto& route = metrics::route_metrics("/unit/concurrent");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&route] {
      for (int i = 0; i < 10000; ++i) metrics::observe_request(route, 200, 1);
    });
  }
  for (auto& th : threads) th.join();
  std::string text = metrics::render("");
  CHECK(sample(text, "latchkey_requests_total{route=\"/unit/concurrent\",status=\"200\"}") == "40000");
  CHECK(sample(text, "latchkey_request_duration_seconds_count{route=\"/unit/concurrent\"}") == "40000");
}

TEST_CASE("metrics: route labels are escaped") {
  metrics::observe_request(metrics::route_metrics("/unit/\"quoted\"\n"), 200, 1);
  CHECK(metrics::render("").find("route=\"/unit/\\\"quoted\\\"\\n\"") != std::string::npos);
}

TEST_CASE("metrics: labelled series of one family share one HELP and TYPE line") {
  const char* help = "Unit rejections.";
  metrics::counter("unit_family_total{limit=\"ip\"}", help).fetch_add(2);
  metrics::counter("unit_family_total_other", "Another family.").fetch_add(1);
  metrics::counter("unit_family_total{limit=\"login\"}", help);
  std::string text = metrics::render("");
  CHECK(sample(text, "unit_family_total{limit=\"ip\"}") == "2");
  // Registered, never counted: present, at zero.
  CHECK(sample(text, "unit_family_total{limit=\"login\"}") == "0");
  CHECK(sample(text, "unit_family_total_other") == "1");
  auto type_lines = [&](const std::string& line) {
    std::size_t n = 0;
    for (auto at = text.find(line); at != std::string::npos; at = text.find(line, at + 1)) ++n;
    return n;
  };
  CHECK(type_lines("# TYPE unit_family_total counter\n") == 1);
  CHECK(type_lines("# HELP unit_family_total Unit rejections.\n") == 1);
  CHECK(type_lines("# TYPE unit_family_total_other counter\n") == 1);
  // Both series follow their family's TYPE line, before the next family's.
  auto type_at = text.find("# TYPE unit_family_total counter\n");
  auto other_at = text.find("# TYPE unit_family_total_other counter\n");
  auto ip_at = text.find("unit_family_total{limit=\"ip\"}");
  auto login_at = text.find("unit_family_total{limit=\"login\"}");
  CHECK((type_at < ip_at && type_at < login_at));
  CHECK(((ip_at < other_at) == (type_at < other_at)));
  CHECK(((login_at < other_at) == (type_at < other_at)));
}
