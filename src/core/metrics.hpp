// Process-wide metrics in Prometheus text format (GET /metrics).
//
// Counters are named once and live for the process; recording is a relaxed
// atomic add (plus, per request, one short mutex on the route's entry), so it
// is cheap enough for every request.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace lk::metrics {

// A named monotonic counter, e.g. counter("latchkey_refresh_reuse_total",
// "Refresh token reuse detections"). The same name returns the same counter.
std::atomic<std::uint64_t>& counter(std::string_view name, std::string_view help);

// A named gauge (a value that goes up and down), rendered like counters.
std::atomic<std::int64_t>& gauge(std::string_view name, std::string_view help);

// One finished request: its route pattern ("unmatched" for 404s), status and
// duration.
void observe_request(std::string_view route, int status, std::int64_t micros);

// Renders every counter and request metric; `extra` is appended verbatim
// (gauges computed by the caller: pools, store, process).
std::string render(std::string_view extra);

}  // namespace lk::metrics
