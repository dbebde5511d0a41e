// GET /metrics: Prometheus text format (no API key; see --metrics flags).
#include "api/api.hpp"

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/offload.hpp"
#include "crypto/hash.hpp"
#include "http/envelope.hpp"
#include "services/context.hpp"

#include <unistd.h>

#include <cstdio>

namespace lk::api {

namespace {

constexpr std::size_t kMailCountLimit = 100'000;

std::string header(std::string_view name, std::string_view help) {
  return "# HELP " + std::string(name) + " " + std::string(help) + "\n# TYPE " + std::string(name) + " gauge\n";
}

std::string sample(std::string_view name, std::string_view labels, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, " %.17g\n", value);
  return std::string(name) + std::string(labels) + buf;
}

// One family, one sample: HELP and TYPE appear once per family, as the
// exposition format requires.
std::string gauge(std::string_view name, std::string_view help, double value) {
  return header(name, help) + sample(name, "", value);
}

double resident_bytes() {
  long pages = 0;
  long resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

awaitable<http::Response> metrics_page(Api& api, http::Request& req) {
  if (!api.metrics_enabled) co_return http::error_response(make_error(Errc::not_found, "Route not found"));
  if (!api.metrics_token.empty()) {
    // Constant-time: the token is a secret.
    auto given = req.header("authorization").value_or("");
    if (!given.starts_with("Bearer ") || !crypto::ct_equal(given.substr(7), api.metrics_token)) {
      co_return http::error_response(make_error(Errc::unauthorized, "Metrics token required"));
    }
  }
  auto& ctx = api.ctx;
  std::string extra;
  extra += header("latchkey_pool_in_flight", "Jobs queued or running on a worker pool.");
  for (Pool* pool : {&ctx.cpu, &ctx.blocking}) {
    extra += sample("latchkey_pool_in_flight", "{pool=\"" + pool->name() + "\"}", pool->in_flight());
  }
  extra += header("latchkey_pool_rejections", "Jobs refused with 503 because the pool was full (since start).");
  for (Pool* pool : {&ctx.cpu, &ctx.blocking}) {
    extra += sample("latchkey_pool_rejections", "{pool=\"" + pool->name() + "\"}",
                    static_cast<double>(pool->rejections()));
  }
  extra += gauge("latchkey_pool_abandoned",
                 "Queued password hashes skipped because their client closed the connection first (since start).",
                 static_cast<double>(ctx.cpu.abandoned()));
  extra += ctx.store.metrics_text();
  // A scan, so on the blocking pool; left out when that pool is saturated
  // or the read fails, rather than reported wrong.
  auto queued = co_await run_on(ctx.blocking, [&ctx] { return ctx.store.count_mail(kMailCountLimit); });
  if (queued) {
    extra += gauge("latchkey_mail_queue_depth",
                   "Messages in the durable mail queue, due or waiting for a retry (counted up to " +
                       std::to_string(kMailCountLimit) + ").",
                   static_cast<double>(*queued));
  }
  extra += gauge("process_resident_memory_bytes", "Resident memory.", resident_bytes());
  extra += gauge("latchkey_uptime_seconds", "Seconds since start.",
                 static_cast<double>(now_ms() - api.started_ms) / 1000.0);
  http::Response res;
  res.content_type = "text/plain; version=0.0.4";
  res.body = metrics::render(extra);
  co_return res;
}

}  // namespace

void add_metrics_route(http::Router& router, Api& api) {
  router.add("GET", "/metrics", [&api](http::Request& req) { return metrics_page(api, req); });
}

}  // namespace lk::api
