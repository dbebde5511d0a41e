// Load generator for tools/bench: N independent refresh chains. Each chain
// logs in as its own seeded user, then refreshes in a loop on one keep-alive
// connection, carrying each rotated refreshToken cookie forward (what wrk
// cannot express). A chain whose refresh is refused has lost its session:
// that is counted, and must be zero.
//
// usage: refresh_chains PORT API_KEY PASSWORD CHAINS SECONDS
// prints JSON: requests, rps, p50_ms, p99_ms, errors, lost_sessions
#include "http_client.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct ChainResult {
  std::vector<double> latencies_ms;
  long errors = 0;
  bool lost = false;
  bool logged_in = false;
};

std::string post(const std::string& path, const std::string& api_key, const std::string& cookie,
                 const std::string& body) {
  std::string req = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + api_key +
                    "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  if (!cookie.empty()) req += "Cookie: " + cookie + "\r\n";
  return req + "\r\n" + body;
}

void run_chain(int port, std::string api_key, std::string password, int index, Clock::time_point start_at,
               Clock::time_point stop_at, ChainResult* out) {
  loadgen::Connection conn(port);
  std::string login_body =
      R"({"email":"user)" + std::to_string(index) + R"(@bench.local","password":")" + password + R"("})";
  auto login = conn.exchange(post("/api/v1/auth/login", api_key, "", login_body));
  // 64 logins at once overflow the server's short hashing queue: a shed
  // login (503) is retried, as a client obeying Retry-After would.
  while (login && login->status == 503 && Clock::now() < start_at) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    login = conn.exchange(post("/api/v1/auth/login", api_key, "", login_body));
  }
  if (!login || login->status != 200) return;
  std::string token = loadgen::cookie_from(*login, "refreshToken");
  if (token.empty()) return;
  out->logged_in = true;
  std::this_thread::sleep_until(start_at);
  while (Clock::now() < stop_at) {
    auto t0 = Clock::now();
    auto reply = conn.exchange(post("/api/v1/auth/refresh", api_key, "refreshToken=" + token, ""));
    auto ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!reply) {
      ++out->errors;
      continue;
    }
    if (reply->status == 503 || reply->status == 429) {
      ++out->errors;  // shed: the token is still valid, try again
      continue;
    }
    if (reply->status != 200) {
      out->lost = true;
      return;
    }
    out->latencies_ms.push_back(ms);
    token = loadgen::cookie_from(*reply, "refreshToken");
    if (token.empty()) {
      out->lost = true;
      return;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: refresh_chains PORT API_KEY PASSWORD CHAINS SECONDS\n");
    return 2;
  }
  int port = std::atoi(argv[1]);
  std::string api_key = argv[2];
  std::string password = argv[3];
  int chains = std::max(1, std::atoi(argv[4]));
  double seconds = std::max(1.0, std::atof(argv[5]));

  // Logins are slow (Argon2id); the timed window starts once they are done.
  auto start_at = Clock::now() + std::chrono::milliseconds(200 + chains * 120);
  auto stop_at = start_at + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<ChainResult> results(static_cast<std::size_t>(chains));
  std::vector<std::thread> threads;
  for (int i = 0; i < chains; ++i) {
    threads.emplace_back(run_chain, port, api_key, password, i, start_at, stop_at, &results[static_cast<std::size_t>(i)]);
  }
  for (auto& t : threads) t.join();

  std::vector<double> all;
  long errors = 0;
  int lost = 0;
  int logged_in = 0;
  for (const auto& r : results) {
    all.insert(all.end(), r.latencies_ms.begin(), r.latencies_ms.end());
    errors += r.errors;
    lost += r.lost ? 1 : 0;
    logged_in += r.logged_in ? 1 : 0;
  }
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<std::size_t>(p * all.size()))]; };
  std::printf(
      "{\"requests\":%zu,\"rps\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"errors\":%ld,\"lost_sessions\":%d,"
      "\"chains\":%d,\"logged_in\":%d}\n",
      all.size(), all.size() / seconds, pct(0.50), pct(0.99), errors, lost, chains, logged_in);
  return lost == 0 && logged_in == chains ? 0 : 1;
}
