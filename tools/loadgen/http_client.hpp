// A tiny blocking HTTP/1.1 client over one keep-alive loopback connection,
// for the bench's load generators. Not used by the server.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loadgen {

struct Reply {
  int status = 0;
  std::vector<std::string> set_cookies;
  std::string body;
};

// Takes one complete reply off the front of `buffer`; nullopt while it is
// incomplete, or (with `malformed` set) when it cannot be a reply.
inline std::optional<Reply> parse_reply(std::string& buffer, bool& malformed) {
  std::size_t end = buffer.find("\r\n\r\n");
  if (end == std::string::npos) return std::nullopt;
  std::string_view head(buffer.data(), end);
  Reply reply;
  if (head.size() < 12) {
    malformed = true;
    return std::nullopt;
  }
  reply.status = std::atoi(std::string(head.substr(9, 3)).c_str());
  std::size_t length = 0;
  std::size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos < head.size()) {
    std::size_t next = head.find("\r\n", pos + 2);
    std::string_view line = head.substr(pos + 2, next == std::string_view::npos ? head.size() - pos - 2 : next - pos - 2);
    std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string name(line.substr(0, colon));
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (name == "content-length") length = std::strtoul(std::string(value).c_str(), nullptr, 10);
      if (name == "set-cookie") reply.set_cookies.emplace_back(value);
    }
    pos = next;
  }
  std::size_t total = end + 4 + length;
  if (buffer.size() < total) return std::nullopt;
  reply.body = buffer.substr(end + 4, length);
  buffer.erase(0, total);
  return reply;
}

class Connection {
 public:
  explicit Connection(int port) : port_(port) {}
  ~Connection() { close_fd(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Hands the connected socket to the caller (e.g. for an epoll loop); the
  // Connection is then closed. -1 if it is not connected.
  int release_fd() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

  // Sends one request and reads the whole reply; reconnects once if the
  // server closed a kept-alive connection. nullopt on network failure.
  std::optional<Reply> exchange(const std::string& request) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (fd_ < 0 && !connect_fd()) return std::nullopt;
      if (send_all(request)) {
        if (auto reply = read_reply()) return reply;
      }
      close_fd();
    }
    return std::nullopt;
  }

 private:
  bool connect_fd() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return false;
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      close_fd();
      return false;
    }
    buffer_.clear();
    return true;
  }
  void close_fd() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool send_all(const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }
  bool fill() {
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }
  std::optional<Reply> read_reply() {
    for (;;) {
      bool malformed = false;
      if (auto reply = parse_reply(buffer_, malformed)) return reply;
      if (malformed || !fill()) return std::nullopt;
    }
  }

  int port_;
  int fd_ = -1;
  std::string buffer_;
};

// Value of cookie `name` among Set-Cookie headers, or "".
inline std::string cookie_from(const Reply& reply, std::string_view name) {
  for (const auto& c : reply.set_cookies) {
    if (c.size() > name.size() && c.compare(0, name.size(), name) == 0 && c[name.size()] == '=') {
      std::size_t end = c.find(';');
      return c.substr(name.size() + 1, end == std::string::npos ? std::string::npos : end - name.size() - 1);
    }
  }
  return {};
}

}  // namespace loadgen
