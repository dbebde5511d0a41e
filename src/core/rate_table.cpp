#include "core/rate_table.hpp"

#include "core/log.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

namespace lk {

namespace {

constexpr char kMagic[8] = {'L', 'K', 'R', 'A', 'T', 'E', '\0', '\0'};
// Bump when the header, slot or stripe layout changes: old files are replaced.
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kHeaderBytes = 4096;
constexpr std::uint32_t kProbeWindow = 8;

struct Header {
  char magic[8];
  std::uint32_t version;
  std::uint32_t stripes;
  std::uint32_t slots_per_stripe;
  std::uint32_t mutex_bytes;  // another libc's pthread_mutex_t is another layout
  std::uint64_t file_bytes;
  unsigned char salt[32];
  char boot_id[48];
};
static_assert(sizeof(Header) <= kHeaderBytes);

struct Slot {
  unsigned char key[32];
  std::int64_t level;
  std::int64_t stamp_ms;
  std::int64_t idle_ms;
  std::int64_t used_ms;  // 0: empty
};
static_assert(sizeof(Slot) == 64);

struct alignas(64) StripeHead {
  pthread_mutex_t mutex;
};
static_assert(sizeof(StripeHead) == 64);

std::size_t stripe_bytes(const RateTable::Geometry& g) {
  return sizeof(StripeHead) + g.slots_per_stripe * sizeof(Slot);
}
std::size_t file_bytes(const RateTable::Geometry& g) { return kHeaderBytes + g.stripes * stripe_bytes(g); }

// A robust mutex in a dead process's hands is not stuck forever: the kernel
// marks it and the next locker recovers it. Across a reboot that record is
// gone (a table on a real disk keeps a stale owner id), so the boot id is
// kept in the header and the mutexes are re-initialised on the first open of
// a new boot.
std::string current_boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id.substr(0, sizeof(Header::boot_id) - 1);
}

Error table_error(const std::string& path, std::string_view what, int err = 0) {
  std::string text = "rate-limit table " + path + ": " + std::string(what);
  if (err != 0) text += ": " + std::string(std::strerror(err));
  return make_error(Errc::internal_error, text);
}

class StripeLock {
 public:
  explicit StripeLock(pthread_mutex_t& m) : m_(m) {
    int rc = pthread_mutex_lock(&m_);
    if (rc == EOWNERDEAD) {
      // The previous holder died inside the critical section; see the
      // header for why its stripe's states are kept as they are.
      pthread_mutex_consistent(&m_);
      log::warn("rate table: recovered a lock from a dead process", {});
    } else if (rc != 0) {
      throw std::system_error(rc, std::generic_category(), "rate table lock");
    }
  }
  ~StripeLock() { pthread_mutex_unlock(&m_); }
  StripeLock(const StripeLock&) = delete;
  StripeLock& operator=(const StripeLock&) = delete;

 private:
  pthread_mutex_t& m_;
};

}  // namespace

struct RateTable::Mapping {
  unsigned char* base = nullptr;
  std::size_t size = 0;
  Geometry geometry;

  ~Mapping() {
    if (base) ::munmap(base, size);
  }
  Header& header() const { return *reinterpret_cast<Header*>(base); }
  StripeHead& stripe(std::uint32_t i) const {
    return *reinterpret_cast<StripeHead*>(base + kHeaderBytes + i * stripe_bytes(geometry));
  }
  Slot* slots(std::uint32_t i) const { return reinterpret_cast<Slot*>(&stripe(i) + 1); }

  bool header_matches() const {
    const Header& h = header();
    return std::memcmp(h.magic, kMagic, sizeof kMagic) == 0 && h.version == kVersion && h.stripes == geometry.stripes &&
           h.slots_per_stripe == geometry.slots_per_stripe && h.mutex_bytes == sizeof(pthread_mutex_t) &&
           h.file_bytes == size;
  }

  bool init_mutexes() const {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    bool ok = true;
    for (std::uint32_t i = 0; i < geometry.stripes; ++i) ok = ok && pthread_mutex_init(&stripe(i).mutex, &attr) == 0;
    pthread_mutexattr_destroy(&attr);
    return ok;
  }

  // A new file: zeroed by ftruncate, so every slot is empty. The magic is
  // written last; a crash half-way leaves a file the next open replaces.
  bool initialise(const std::string& boot_id) const {
    Header& h = header();
    if (::getrandom(h.salt, sizeof h.salt, 0) != static_cast<ssize_t>(sizeof h.salt)) return false;
    if (!init_mutexes()) return false;
    h.version = kVersion;
    h.stripes = geometry.stripes;
    h.slots_per_stripe = geometry.slots_per_stripe;
    h.mutex_bytes = sizeof(pthread_mutex_t);
    h.file_bytes = size;
    std::memcpy(h.boot_id, boot_id.c_str(), boot_id.size() + 1);
    std::memcpy(h.magic, kMagic, sizeof kMagic);
    return true;
  }
};

namespace {

// One attempt at opening: nullptr (no error) means "the file was replaced
// under us, try again".
Result<std::unique_ptr<RateTable::Mapping>> open_once(const std::string& path, RateTable::Geometry g) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return table_error(path, "cannot open", errno);
  // Unlocks explicitly: a mapping keeps the open file (and so an flock on
  // it) alive after close, which would shut every later opener out.
  struct FdCloser {
    int fd;
    ~FdCloser() {
      ::flock(fd, LOCK_UN);
      ::close(fd);
    }
  } closer{fd};
  // Serialises checking, replacing and initialising between processes.
  if (::flock(fd, LOCK_EX) != 0) return table_error(path, "cannot lock", errno);
  struct stat fs = {};
  struct stat ps = {};
  if (::fstat(fd, &fs) != 0) return table_error(path, "cannot stat", errno);
  // Another opener replaced the file between our open and our lock.
  if (::stat(path.c_str(), &ps) != 0 || ps.st_ino != fs.st_ino || ps.st_dev != fs.st_dev) {
    return std::unique_ptr<RateTable::Mapping>();
  }
  // In a shared directory like /dev/shm, anyone can create a file first: a
  // table someone else owns or can read could forge or leak limit state.
  if (!S_ISREG(fs.st_mode) || fs.st_uid != ::geteuid() || (fs.st_mode & 077) != 0) {
    return table_error(path, "must be a regular file owned by this user with mode 0600");
  }
  const std::size_t size = file_bytes(g);
  const bool created = fs.st_size == 0;
  if (!created && static_cast<std::size_t>(fs.st_size) != size) {
    ::unlink(path.c_str());
    return std::unique_ptr<RateTable::Mapping>();
  }
  if (created && ::ftruncate(fd, static_cast<off_t>(size)) != 0) return table_error(path, "cannot size", errno);

  auto m = std::make_unique<RateTable::Mapping>();
  void* base = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) return table_error(path, "cannot map", errno);
  m->base = static_cast<unsigned char*>(base);
  m->size = size;
  m->geometry = g;

  std::string boot_id = current_boot_id();
  if (created) {
    if (!m->initialise(boot_id)) return table_error(path, "cannot initialise");
  } else if (!m->header_matches()) {
    // Written by another version or geometry: start a new file rather than
    // reinterpret its bytes. A process still mapping the old inode keeps it.
    ::unlink(path.c_str());
    return std::unique_ptr<RateTable::Mapping>();
  } else if (boot_id != std::string_view(m->header().boot_id, strnlen(m->header().boot_id, sizeof(Header::boot_id)))) {
    if (!m->init_mutexes()) return table_error(path, "cannot initialise locks");
    std::memcpy(m->header().boot_id, boot_id.c_str(), boot_id.size() + 1);
  }
  return m;
}

}  // namespace

Result<std::unique_ptr<RateTable>> RateTable::open(const std::string& path, Geometry geometry) {
  if (geometry.stripes == 0 || geometry.slots_per_stripe == 0 || geometry.stripes > 4096 ||
      geometry.slots_per_stripe > 65536) {
    return table_error(path, "bad geometry");
  }
  // Replacement races settle within a try or two; give up rather than spin.
  for (int attempt = 0; attempt < 4; ++attempt) {
    auto m = open_once(path, geometry);
    if (!m) return m.error();
    if (*m) return std::unique_ptr<RateTable>(new RateTable(std::move(*m)));
  }
  return table_error(path, "replaced repeatedly by another process");
}

RateTable::RateTable(std::unique_ptr<Mapping> mapping) : m_(std::move(mapping)) {}
RateTable::~RateTable() = default;

std::string_view RateTable::key_salt() const {
  return {reinterpret_cast<const char*>(m_->header().salt), sizeof(Header::salt)};
}

RateDecision RateTable::update(const Hash& key, std::int64_t now_ms,
                               const std::function<RateDecision(RateState&, bool)>& op, bool create) {
  const Geometry& g = m_->geometry;
  std::uint64_t h = 0;
  std::memcpy(&h, key.data(), sizeof h);
  const std::uint32_t stripe = static_cast<std::uint32_t>(h % g.stripes);
  const std::uint32_t home = static_cast<std::uint32_t>((h / g.stripes) % g.slots_per_stripe);
  const std::uint32_t window = std::min(kProbeWindow, g.slots_per_stripe);

  StripeLock lock(m_->stripe(stripe).mutex);
  Slot* slots = m_->slots(stripe);
  Slot* found = nullptr;
  Slot* empty = nullptr;
  Slot* idle = nullptr;
  Slot* oldest = nullptr;
  for (std::uint32_t i = 0; i < window; ++i) {
    Slot& s = slots[(home + i) % g.slots_per_stripe];
    if (s.used_ms != 0 && std::memcmp(s.key, key.data(), sizeof s.key) == 0) {
      found = &s;
      break;
    }
    if (s.used_ms == 0) {
      if (!empty) empty = &s;
    } else if (s.idle_ms <= now_ms) {
      if (!idle) idle = &s;
    } else if (!oldest || s.used_ms < oldest->used_ms) {
      oldest = &s;
    }
  }
  bool fresh = found == nullptr || found->idle_ms <= now_ms;
  if (!found) {
    if (!create) return {};
    // Empty, then idle (nothing is lost), then least recently updated.
    found = empty ? empty : idle ? idle : oldest;
    std::memcpy(found->key, key.data(), sizeof found->key);
  }
  RateState state = fresh ? RateState{} : RateState{found->level, found->stamp_ms};
  RateDecision d = op(state, fresh);
  found->level = state.level;
  found->stamp_ms = state.stamp_ms;
  found->idle_ms = d.idle_at_ms;
  found->used_ms = std::max<std::int64_t>(now_ms, 1);
  return d;
}

std::size_t RateTable::live_slots(std::int64_t now_ms) {
  std::size_t live = 0;
  for (std::uint32_t i = 0; i < m_->geometry.stripes; ++i) {
    StripeLock lock(m_->stripe(i).mutex);
    const Slot* slots = m_->slots(i);
    for (std::uint32_t j = 0; j < m_->geometry.slots_per_stripe; ++j) {
      if (slots[j].used_ms != 0 && slots[j].idle_ms > now_ms) ++live;
    }
  }
  return live;
}

}  // namespace lk
