#include "core/metrics.hpp"

#include <array>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>

namespace lk::metrics {

namespace {

constexpr std::array<double, 12> kBucketsS = {0.0005, 0.001, 0.0025, 0.005, 0.01,  0.025,
                                             0.05,   0.1,   0.25,   0.5,   1.0,   2.5};

struct RouteStats {
  std::mutex mutex;
  std::map<int, std::uint64_t> by_status;
  std::array<std::uint64_t, kBucketsS.size()> buckets{};
  std::uint64_t count = 0;
  double sum_s = 0;
};

struct Counter {
  std::string help;
  std::atomic<std::uint64_t> value{0};
};

struct Gauge {
  std::string help;
  std::atomic<std::int64_t> value{0};
};

struct Registry {
  std::shared_mutex mutex;
  std::map<std::string, std::unique_ptr<Gauge>, std::less<>> gauges;
  std::map<std::string, std::unique_ptr<RouteStats>, std::less<>> routes;
  std::map<std::string, std::unique_ptr<Counter>, std::less<>> counters;
};

Registry& registry() {
  static Registry r;
  return r;
}

// Route names come from the route table, but escape anyway: a label value
// must never break the exposition format.
std::string label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::atomic<std::uint64_t>& counter(std::string_view name, std::string_view help) {
  auto& r = registry();
  {
    std::shared_lock lock(r.mutex);
    if (auto it = r.counters.find(name); it != r.counters.end()) return it->second->value;
  }
  std::unique_lock lock(r.mutex);
  auto& slot = r.counters[std::string(name)];
  if (!slot) {
    slot = std::make_unique<Counter>();
    slot->help = std::string(help);
  }
  return slot->value;
}

std::atomic<std::int64_t>& gauge(std::string_view name, std::string_view help) {
  auto& r = registry();
  {
    std::shared_lock lock(r.mutex);
    if (auto it = r.gauges.find(name); it != r.gauges.end()) return it->second->value;
  }
  std::unique_lock lock(r.mutex);
  auto& slot = r.gauges[std::string(name)];
  if (!slot) {
    slot = std::make_unique<Gauge>();
    slot->help = std::string(help);
  }
  return slot->value;
}

void observe_request(std::string_view route, int status, std::int64_t micros) {
  auto& r = registry();
  RouteStats* stats = nullptr;
  {
    std::shared_lock lock(r.mutex);
    if (auto it = r.routes.find(route); it != r.routes.end()) stats = it->second.get();
  }
  if (!stats) {
    std::unique_lock lock(r.mutex);
    auto& slot = r.routes[std::string(route)];
    if (!slot) slot = std::make_unique<RouteStats>();
    stats = slot.get();
  }
  double seconds = static_cast<double>(micros) / 1e6;
  std::lock_guard lock(stats->mutex);
  ++stats->by_status[status];
  ++stats->count;
  stats->sum_s += seconds;
  for (std::size_t i = 0; i < kBucketsS.size(); ++i) {
    if (seconds <= kBucketsS[i]) ++stats->buckets[i];
  }
}

std::string render(std::string_view extra) {
  auto& r = registry();
  std::string out;
  std::shared_lock lock(r.mutex);
  out += "# HELP latchkey_requests_total Requests by route pattern and status.\n";
  out += "# TYPE latchkey_requests_total counter\n";
  for (const auto& [route, stats] : r.routes) {
    std::lock_guard route_lock(stats->mutex);
    for (const auto& [status, n] : stats->by_status) {
      out += "latchkey_requests_total{route=\"" + label(route) + "\",status=\"" + std::to_string(status) + "\"} " +
             std::to_string(n) + "\n";
    }
  }
  out += "# HELP latchkey_request_duration_seconds Request latency by route pattern.\n";
  out += "# TYPE latchkey_request_duration_seconds histogram\n";
  for (const auto& [route, stats] : r.routes) {
    std::lock_guard route_lock(stats->mutex);
    std::string l = "route=\"" + label(route) + "\"";
    for (std::size_t i = 0; i < kBucketsS.size(); ++i) {
      char le[32];
      std::snprintf(le, sizeof le, "%g", kBucketsS[i]);
      out += "latchkey_request_duration_seconds_bucket{" + l + ",le=\"" + le + "\"} " +
             std::to_string(stats->buckets[i]) + "\n";
    }
    out += "latchkey_request_duration_seconds_bucket{" + l + ",le=\"+Inf\"} " + std::to_string(stats->count) + "\n";
    out += "latchkey_request_duration_seconds_sum{" + l + "} " + std::to_string(stats->sum_s) + "\n";
    out += "latchkey_request_duration_seconds_count{" + l + "} " + std::to_string(stats->count) + "\n";
  }
  for (const auto& [name, c] : r.counters) {
    out += "# HELP " + name + " " + c->help + "\n# TYPE " + name + " counter\n";
    out += name + " " + std::to_string(c->value.load(std::memory_order_relaxed)) + "\n";
  }
  for (const auto& [name, g] : r.gauges) {
    out += "# HELP " + name + " " + g->help + "\n# TYPE " + name + " gauge\n";
    out += name + " " + std::to_string(g->value.load(std::memory_order_relaxed)) + "\n";
  }
  out.append(extra);
  return out;
}

}  // namespace lk::metrics
