// Load generator for tools/bench: mixed traffic over N keep-alive
// connections. Each connection signs in as a seeded user, then picks every
// request at random: 60% GET /users/profile, 25% POST /auth/refresh (the
// rotated cookies carried forward), 10% POST /auth/login (a random seeded
// user; its fresh session cookies are adopted, as a browser would), 5%
// POST /auth/register (a new email). Nothing is retried: every answer
// other than the expected 2xx counts as an error, and the target is none.
//
// usage: mixed PORT API_KEY PASSWORD USERS CONNECTIONS SECONDS
// prints JSON: overall and per kind requests, rps, p50_ms, p99_ms, non2xx,
// statuses; plus network errors.
#include "http_client.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <latch>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

enum Kind { kProfile, kRefresh, kLogin, kRegister, kKinds };
constexpr std::array<const char*, kKinds> kNames{"profile", "refresh", "login", "register"};
// Percent of requests per kind, in Kind order.
constexpr std::array<int, kKinds> kShare{60, 25, 10, 5};

struct Tally {
  std::vector<double> latencies_ms;
  std::map<int, long> statuses;
  long non2xx = 0;
};

struct ConnResult {
  std::array<Tally, kKinds> kinds;
  long network_errors = 0;
  bool signed_in = false;
};

struct Session {
  std::string access;
  std::string refresh;
  // Takes the cookies a login or refresh answer set; false if it set none.
  bool adopt(const loadgen::Reply& reply) {
    std::string a = loadgen::cookie_from(reply, "accessToken");
    std::string r = loadgen::cookie_from(reply, "refreshToken");
    if (a.empty() || r.empty()) return false;
    access = std::move(a);
    refresh = std::move(r);
    return true;
  }
};

std::string request(const char* method, const std::string& path, const std::string& api_key, const std::string& cookie,
                    const std::string& body) {
  std::string req = std::string(method) + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + api_key + "\r\n";
  if (!body.empty()) {
    req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  } else if (std::string(method) == "POST") {
    req += "Content-Length: 0\r\n";
  }
  if (!cookie.empty()) req += "Cookie: " + cookie + "\r\n";
  return req + "\r\n" + body;
}

std::string login_body(long user, const std::string& password) {
  return R"({"email":"user)" + std::to_string(user) + R"(@bench.local","password":")" + password + R"("})";
}

struct Setup {
  int port;
  std::string api_key;
  std::string password;
  long users;
};

void run_connection(const Setup& setup, int index, std::latch& ready, std::latch& go, const Clock::time_point& stop_at,
                    ConnResult* out) {
  loadgen::Connection conn(setup.port);
  Session session;
  std::mt19937_64 rng(0x9e3779b97f4a7c15ULL * static_cast<unsigned>(index + 1));
  // Sign in before the timed window; 64 logins at once are a burst the
  // server may shed (503): retry it, as a client obeying Retry-After would.
  for (int attempt = 0; attempt < 200 && !out->signed_in; ++attempt) {
    auto reply = conn.exchange(
        request("POST", "/api/v1/auth/login", setup.api_key, "", login_body(index % setup.users, setup.password)));
    if (reply && reply->status == 200) out->signed_in = session.adopt(*reply);
    if (!out->signed_in) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ready.count_down();
  go.wait();
  if (!out->signed_in) return;
  std::uniform_int_distribution<int> percent(0, 99);
  std::uniform_int_distribution<long> user(0, setup.users - 1);
  long registered = 0;
  while (Clock::now() < stop_at) {
    int roll = percent(rng);
    int kind = 0;
    for (int bound = kShare[0]; roll >= bound; bound += kShare[++kind]) {
    }
    std::string req;
    switch (kind) {
      case kProfile:
        req = request("GET", "/api/v1/users/profile", setup.api_key, "accessToken=" + session.access, "");
        break;
      case kRefresh:
        req = request("POST", "/api/v1/auth/refresh", setup.api_key, "refreshToken=" + session.refresh, "");
        break;
      case kLogin:
        req = request("POST", "/api/v1/auth/login", setup.api_key, "", login_body(user(rng), setup.password));
        break;
      default:
        req = request("POST", "/api/v1/auth/register", setup.api_key, "",
                      R"({"email":"mix-)" + std::to_string(index) + "-" + std::to_string(++registered) + "-" +
                          std::to_string(rng() % 1000000000) +
                          R"(@bench.local","password":"bench-password-123","termsAccepted":true})");
        break;
    }
    auto t0 = Clock::now();
    auto reply = conn.exchange(req);
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!reply) {
      ++out->network_errors;
      continue;
    }
    Tally& tally = out->kinds[static_cast<std::size_t>(kind)];
    tally.latencies_ms.push_back(ms);
    ++tally.statuses[reply->status];
    if (reply->status < 200 || reply->status > 299) {
      ++tally.non2xx;
      continue;
    }
    // A rotation or a new login hands out the cookies to use from now on.
    if (kind == kRefresh || kind == kLogin) session.adopt(*reply);
  }
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0.0;
  return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted.size())))];
}

std::string summary(std::vector<double> latencies, const std::map<int, long>& statuses, long non2xx, double seconds) {
  std::sort(latencies.begin(), latencies.end());
  char head[256];
  std::snprintf(head, sizeof head,
                R"({"requests":%zu,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"non2xx":%ld,"statuses":{)", latencies.size(),
                static_cast<double>(latencies.size()) / seconds, percentile(latencies, 0.50),
                percentile(latencies, 0.99), non2xx);
  std::string out = head;
  bool first = true;
  for (const auto& [status, count] : statuses) {
    out += (first ? "\"" : ",\"") + std::to_string(status) + "\":" + std::to_string(count);
    first = false;
  }
  return out + "}}";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: mixed PORT API_KEY PASSWORD USERS CONNECTIONS SECONDS\n");
    return 2;
  }
  Setup setup{std::atoi(argv[1]), argv[2], argv[3], std::max(1L, std::atol(argv[4]))};
  int conns = std::max(1, std::atoi(argv[5]));
  double seconds = std::max(1.0, std::atof(argv[6]));

  std::latch ready(conns);
  std::latch go(1);
  Clock::time_point stop_at;
  std::vector<ConnResult> results(static_cast<std::size_t>(conns));
  std::vector<std::thread> threads;
  for (int i = 0; i < conns; ++i) {
    threads.emplace_back(run_connection, std::cref(setup), i, std::ref(ready), std::ref(go), std::cref(stop_at),
                         &results[static_cast<std::size_t>(i)]);
  }
  // The timed window starts once every connection has signed in.
  ready.wait();
  stop_at = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  go.count_down();
  for (auto& t : threads) t.join();

  std::vector<double> all;
  std::map<int, long> all_statuses;
  long all_non2xx = 0;
  long network_errors = 0;
  int signed_in = 0;
  std::string kinds;
  for (int k = 0; k < kKinds; ++k) {
    std::vector<double> latencies;
    std::map<int, long> statuses;
    long non2xx = 0;
    for (const auto& r : results) {
      const Tally& t = r.kinds[static_cast<std::size_t>(k)];
      latencies.insert(latencies.end(), t.latencies_ms.begin(), t.latencies_ms.end());
      for (const auto& [status, count] : t.statuses) statuses[status] += count;
      non2xx += t.non2xx;
    }
    all.insert(all.end(), latencies.begin(), latencies.end());
    for (const auto& [status, count] : statuses) all_statuses[status] += count;
    all_non2xx += non2xx;
    kinds += std::string(k ? "," : "") + "\"" + kNames[static_cast<std::size_t>(k)] +
             "\":" + summary(std::move(latencies), statuses, non2xx, seconds);
  }
  for (const auto& r : results) {
    network_errors += r.network_errors;
    signed_in += r.signed_in ? 1 : 0;
  }
  std::string overall = summary(std::move(all), all_statuses, all_non2xx, seconds);
  overall.pop_back();  // reopen the object to add the rest
  std::printf("%s,\"network_errors\":%ld,\"connections\":%d,\"signed_in\":%d,\"kinds\":{%s}}\n", overall.c_str(),
              network_errors, conns, signed_in, kinds.c_str());
  return signed_in == conns ? 0 : 1;
}
