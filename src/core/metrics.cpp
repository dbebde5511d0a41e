#include "core/metrics.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <vector>

namespace lk::metrics {

namespace {

constexpr std::array<std::int64_t, 12> kBucketsUs = {500,    1000,   2500,    5000,    10000,   25000,
                                                     50000,  100000, 250000,  500000,  1000000, 2500000};
constexpr int kMinStatus = 100;
constexpr int kMaxStatus = 599;

struct Counter {
  std::string help;
  std::atomic<std::uint64_t> value{0};
};

struct Gauge {
  std::string help;
  std::atomic<std::int64_t> value{0};
};

}  // namespace

// One slot per status code (4 KiB per route) so that recording is an index,
// not a map under a lock. Buckets are not cumulative here: a request adds to
// the one bucket it falls in, and render() sums them.
class RouteMetrics {
 public:
  std::array<std::atomic<std::uint64_t>, kMaxStatus - kMinStatus + 1> by_status{};
  std::array<std::atomic<std::uint64_t>, kBucketsUs.size()> buckets{};
  std::atomic<std::uint64_t> count{0};
  std::atomic<std::uint64_t> sum_us{0};
};

namespace {

struct Registry {
  std::shared_mutex mutex;
  std::map<std::string, std::unique_ptr<Gauge>, std::less<>> gauges;
  std::map<std::string, std::unique_ptr<RouteMetrics>, std::less<>> routes;
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

// The family of a series name: the name without its label set.
std::string_view family_of(std::string_view name) { return name.substr(0, name.find('{')); }

// Every series of `metrics` (a map by series name), grouped by family: one
// HELP and TYPE line per family, as the exposition format requires. The map
// order alone does not group them ("a_total" < "a_total_x" < "a_total{...}").
template <class Map>
void render_families(std::string& out, const Map& metrics, std::string_view type) {
  std::map<std::string_view, std::vector<typename Map::const_pointer>> families;
  for (const auto& entry : metrics) families[family_of(entry.first)].push_back(&entry);
  for (const auto& [family, series] : families) {
    out += "# HELP " + std::string(family) + " " + series.front()->second->help + "\n# TYPE " +
           std::string(family) + " " + std::string(type) + "\n";
    for (const auto* entry : series) {
      out += entry->first + " " + std::to_string(entry->second->value.load(std::memory_order_relaxed)) + "\n";
    }
  }
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

RouteMetrics& route_metrics(std::string_view route) {
  auto& r = registry();
  std::unique_lock lock(r.mutex);
  auto it = r.routes.find(route);
  if (it == r.routes.end()) it = r.routes.emplace(std::string(route), std::make_unique<RouteMetrics>()).first;
  return *it->second;
}

void observe_request(RouteMetrics& route, int status, std::int64_t micros) {
  micros = std::max<std::int64_t>(micros, 0);
  status = std::clamp(status, kMinStatus, kMaxStatus);
  route.by_status[static_cast<std::size_t>(status - kMinStatus)].fetch_add(1, std::memory_order_relaxed);
  auto bucket = std::lower_bound(kBucketsUs.begin(), kBucketsUs.end(), micros);
  if (bucket != kBucketsUs.end()) {
    route.buckets[static_cast<std::size_t>(bucket - kBucketsUs.begin())].fetch_add(1, std::memory_order_relaxed);
  }
  route.sum_us.fetch_add(static_cast<std::uint64_t>(micros), std::memory_order_relaxed);
  route.count.fetch_add(1, std::memory_order_relaxed);
}

std::string render(std::string_view extra) {
  auto& r = registry();
  std::string out;
  std::shared_lock lock(r.mutex);
  out += "# HELP latchkey_requests_total Requests by route pattern and status.\n";
  out += "# TYPE latchkey_requests_total counter\n";
  // Routes are registered when the router is built; list only those that
  // have seen a request.
  for (const auto& [route, stats] : r.routes) {
    if (stats->count.load(std::memory_order_relaxed) == 0) continue;
    for (int status = kMinStatus; status <= kMaxStatus; ++status) {
      auto n = stats->by_status[static_cast<std::size_t>(status - kMinStatus)].load(std::memory_order_relaxed);
      if (n == 0) continue;
      out += "latchkey_requests_total{route=\"" + label(route) + "\",status=\"" + std::to_string(status) + "\"} " +
             std::to_string(n) + "\n";
    }
  }
  out += "# HELP latchkey_request_duration_seconds Request latency by route pattern.\n";
  out += "# TYPE latchkey_request_duration_seconds histogram\n";
  for (const auto& [route, stats] : r.routes) {
    if (stats->count.load(std::memory_order_relaxed) == 0) continue;
    // Requests being recorded right now may show in a bucket and not yet in
    // the count; +Inf is at least the last bucket, so the series stays
    // monotonic as Prometheus requires.
    std::uint64_t cumulative = 0;
    std::string l = "route=\"" + label(route) + "\"";
    for (std::size_t i = 0; i < kBucketsUs.size(); ++i) {
      cumulative += stats->buckets[i].load(std::memory_order_relaxed);
      char le[32];
      std::snprintf(le, sizeof le, "%g", static_cast<double>(kBucketsUs[i]) / 1e6);
      out += "latchkey_request_duration_seconds_bucket{" + l + ",le=\"" + le + "\"} " + std::to_string(cumulative) +
             "\n";
    }
    std::uint64_t count = std::max(cumulative, stats->count.load(std::memory_order_relaxed));
    double sum_s = static_cast<double>(stats->sum_us.load(std::memory_order_relaxed)) / 1e6;
    out += "latchkey_request_duration_seconds_bucket{" + l + ",le=\"+Inf\"} " + std::to_string(count) + "\n";
    out += "latchkey_request_duration_seconds_sum{" + l + "} " + std::to_string(sum_s) + "\n";
    out += "latchkey_request_duration_seconds_count{" + l + "} " + std::to_string(count) + "\n";
  }
  render_families(out, r.counters, "counter");
  render_families(out, r.gauges, "gauge");
  out.append(extra);
  return out;
}

}  // namespace lk::metrics
