// Process-wide metrics in Prometheus text format (GET /metrics).
//
// Counters are named once and live for the process. Recording is lock-free:
// a request adds to four relaxed atomics of its route's entry, which the
// router looks up once, when the route is added.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace lk::metrics {

// A named monotonic counter, e.g. counter("latchkey_refresh_reuse_total",
// "Refresh token reuse detections"). The same name returns the same counter.
// The name may end in a label set, counter("x_total{limit=\"ip\"}", help):
// the series of one family share one HELP and TYPE line, so give them the
// same help. Register a component's counters when it is built, so that
// they read 0 until something happens, rather than being absent.
std::atomic<std::uint64_t>& counter(std::string_view name, std::string_view help);

// A named gauge (a value that goes up and down), rendered like counters.
std::atomic<std::int64_t>& gauge(std::string_view name, std::string_view help);

// The request counts and latency histogram of one route pattern. The same
// pattern returns the same object, which lives for the process. Takes a
// lock: call it when routes are set up, not per request.
class RouteMetrics;
RouteMetrics& route_metrics(std::string_view route);

// One finished request: its status (clamped into 100..599) and duration.
// Lock-free, safe from any thread.
void observe_request(RouteMetrics& route, int status, std::int64_t micros);

// Renders every counter and request metric; `extra` is appended verbatim
// (gauges computed by the caller: pools, store, process).
std::string render(std::string_view extra);

}  // namespace lk::metrics
