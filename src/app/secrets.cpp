#include "app/secrets.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lk::app {

namespace {
Error file_error(const std::string& path, const char* what) {
  return make_error(Errc::internal_error, std::string(what) + " " + path + ": " + std::strerror(errno));
}

Result<void> write_all(int fd, const std::string& value, const std::string& path) {
  std::size_t done = 0;
  while (done < value.size()) {
    ssize_t n = ::write(fd, value.data() + done, value.size() - done);
    if (n <= 0) return file_error(path, "cannot write");
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return file_error(path, "cannot sync");
  return {};
}
}  // namespace

Result<void> write_secret(const std::string& path, const std::string& value) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return file_error(path, "cannot create");
  ::fchmod(fd, 0600);
  auto r = write_all(fd, value + "\n", path);
  ::close(fd);
  return r;
}

Result<std::string> read_or_create_secret(const std::string& path, std::string (*make)()) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    // O_EXCL: never overwrite a secret another process just wrote.
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return file_error(path, "cannot create");
    std::string value = make();
    auto r = write_all(fd, value + "\n", path);
    ::close(fd);
    if (!r) return r.error();
    return value;
  }
  if (fd >= 0) ::close(fd);
  return read_secret(path);
}

Result<std::string> read_secret(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return file_error(path, "cannot open");
  struct stat st {};
  if (::fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) {
    ::close(fd);
    return make_error(Errc::internal_error, path + " must not be readable by group or others (chmod 600)");
  }
  std::string value;
  char buf[512];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) value.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r' || value.back() == ' ')) value.pop_back();
  if (value.empty()) return make_error(Errc::internal_error, path + " is empty");
  return value;
}

}  // namespace lk::app
