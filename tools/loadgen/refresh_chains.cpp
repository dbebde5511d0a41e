// Load generator for tools/bench: N independent refresh chains. Each chain
// logs in as its own seeded user, then refreshes in a loop on one keep-alive
// connection, carrying each rotated refreshToken cookie forward (what wrk
// cannot express). A chain whose refresh is refused has lost its session:
// that is counted, and must be zero.
//
// Like wrk, the timed window runs every chain from a few threads (one per
// core) over epoll, rather than a blocked thread per chain: the generator
// shares the machine's cores with the server, and 64 threads woken once per
// answer cost it ~35 us of CPU a request (~18% of the machine at 10k/s).
//
// usage: refresh_chains PORT API_KEY PASSWORD CHAINS SECONDS
// prints JSON: requests, rps, p50_ms, p99_ms, errors, lost_sessions
#include "http_client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Chain {
  int index = 0;
  int fd = -1;
  std::string token;  // the refresh token to present next
  std::string in;     // bytes read, not yet a whole reply
  Clock::time_point sent;
  std::vector<double> latencies_ms;
  long errors = 0;
  bool lost = false;
  bool logged_in = false;
  bool done = false;
};

std::string post(const std::string& path, const std::string& api_key, const std::string& cookie,
                 const std::string& body) {
  std::string req = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + api_key +
                    "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  if (!cookie.empty()) req += "Cookie: " + cookie + "\r\n";
  return req + "\r\n" + body;
}

// Logs the chain's user in over a blocking connection and keeps the socket.
void log_in(int port, const std::string& api_key, const std::string& password, Clock::time_point give_up_at,
            Chain* chain) {
  loadgen::Connection conn(port);
  std::string login_body =
      R"({"email":"user)" + std::to_string(chain->index) + R"(@bench.local","password":")" + password + R"("})";
  auto login = conn.exchange(post("/api/v1/auth/login", api_key, "", login_body));
  // 64 logins at once may overflow the server's hashing queue: a shed login
  // (503) is retried, as a client obeying Retry-After would.
  while (login && login->status == 503 && Clock::now() < give_up_at) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    login = conn.exchange(post("/api/v1/auth/login", api_key, "", login_body));
  }
  if (!login || login->status != 200) return;
  chain->token = loadgen::cookie_from(*login, "refreshToken");
  if (chain->token.empty()) return;
  chain->fd = conn.release_fd();
  chain->logged_in = chain->fd >= 0;
}

// Writes the whole request; the socket is non-blocking, so a full send
// buffer (rare: requests are ~300 bytes) waits in poll().
bool send_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 1000);
    } else {
      return false;
    }
  }
  return true;
}

void send_refresh(Chain* c, const std::string& api_key) {
  c->sent = Clock::now();
  if (!send_all(c->fd, post("/api/v1/auth/refresh", api_key, "refreshToken=" + c->token, ""))) {
    ++c->errors;
    c->done = true;
  }
}

// One reply of chain c: records it and sends the next refresh, or ends the
// chain (window over, session lost, connection broken).
void on_reply(Chain* c, const loadgen::Reply& reply, const std::string& api_key, Clock::time_point stop_at) {
  auto now = Clock::now();
  if (reply.status == 503 || reply.status == 429) {
    ++c->errors;  // shed: the token is still valid, try again
  } else if (reply.status != 200) {
    c->lost = true;
  } else {
    c->latencies_ms.push_back(std::chrono::duration<double, std::milli>(now - c->sent).count());
    c->token = loadgen::cookie_from(reply, "refreshToken");
    if (c->token.empty()) c->lost = true;
  }
  if (c->lost || now >= stop_at) {
    c->done = true;
    return;
  }
  send_refresh(c, api_key);
}

// Drives `chains` until the window closes and every chain has its last answer.
void drive(std::vector<Chain*> chains, const std::string& api_key, Clock::time_point stop_at) {
  int ep = ::epoll_create1(0);
  int active = 0;
  for (Chain* c : chains) {
    ::fcntl(c->fd, F_SETFL, ::fcntl(c->fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = c;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    send_refresh(c, api_key);
    if (!c->done) ++active;
  }
  epoll_event events[64];
  while (active > 0) {
    int n = ::epoll_wait(ep, events, 64, 1000);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      auto* c = static_cast<Chain*>(events[i].data.ptr);
      if (c->done) continue;
      char chunk[16384];
      bool closed = false;
      for (;;) {
        ssize_t got = ::recv(c->fd, chunk, sizeof chunk, 0);
        if (got > 0) {
          c->in.append(chunk, static_cast<std::size_t>(got));
          continue;
        }
        closed = got == 0 || errno != EAGAIN;
        break;
      }
      bool malformed = false;
      while (!c->done) {
        auto reply = loadgen::parse_reply(c->in, malformed);
        if (!reply) break;
        on_reply(c, *reply, api_key, stop_at);
      }
      if (!c->done && (closed || malformed)) {
        ++c->errors;  // the server closed or garbled the connection
        c->done = true;
      }
      if (c->done) --active;
    }
  }
  ::close(ep);
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

  // Logins are slow (Argon2id, ~1 s for 64 on two cores); the timed window
  // starts once every chain has its answer. A login shed with 503 is retried
  // until give_up_at; a chain still without a session then counts against
  // the run (logged_in < chains).
  auto give_up_at = Clock::now() + std::chrono::seconds(30);
  std::vector<Chain> all_chains(static_cast<std::size_t>(chains));
  {
    std::vector<std::thread> logins;
    for (int i = 0; i < chains; ++i) {
      all_chains[static_cast<std::size_t>(i)].index = i;
      logins.emplace_back(log_in, port, api_key, password, give_up_at, &all_chains[static_cast<std::size_t>(i)]);
    }
    for (auto& t : logins) t.join();
  }
  auto stop_at = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));

  int threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  std::vector<std::vector<Chain*>> shares(static_cast<std::size_t>(threads));
  int next = 0;
  for (auto& c : all_chains) {
    if (c.logged_in) shares[static_cast<std::size_t>(next++ % threads)].push_back(&c);
  }
  std::vector<std::thread> drivers;
  for (auto& share : shares) {
    if (!share.empty()) drivers.emplace_back(drive, share, api_key, stop_at);
  }
  for (auto& t : drivers) t.join();

  std::vector<double> latencies;
  long errors = 0;
  int lost = 0;
  int logged_in = 0;
  for (const auto& c : all_chains) {
    latencies.insert(latencies.end(), c.latencies_ms.begin(), c.latencies_ms.end());
    errors += c.errors;
    lost += c.lost ? 1 : 0;
    logged_in += c.logged_in ? 1 : 0;
    if (c.fd >= 0) ::close(c.fd);
  }
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty() ? 0.0 : latencies[std::min(latencies.size() - 1, static_cast<std::size_t>(p * latencies.size()))];
  };
  std::printf(
      "{\"requests\":%zu,\"rps\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"errors\":%ld,\"lost_sessions\":%d,"
      "\"chains\":%d,\"logged_in\":%d}\n",
      latencies.size(), latencies.size() / seconds, pct(0.50), pct(0.99), errors, lost, chains, logged_in);
  return lost == 0 && logged_in == chains ? 0 : 1;
}
