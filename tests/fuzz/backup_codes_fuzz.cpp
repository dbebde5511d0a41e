// Backup-code input: normalization is idempotent, yields 10 alphabet symbols,
// and a code matches the hash of its own canonical form.
#include "auth/backup_codes.hpp"
#include "fuzz.hpp"

using namespace lk::auth;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = lk::fuzz::as_text(data, size);
  auto canonical = backup::normalize(in);
  std::vector<lk::Hash> hashes = {backup::hash("0123456789"), backup::hash("abcdefghjk")};
  auto found = backup::find(hashes, in);
  if (!canonical) {
    FUZZ_CHECK(!found);
    return 0;
  }
  FUZZ_CHECK(canonical->size() == backup::kSymbols && backup::normalize(*canonical) == canonical);
  hashes.push_back(backup::hash(*canonical));
  found = backup::find(hashes, in);
  FUZZ_CHECK(found && hashes[*found] == backup::hash(*canonical));
  return 0;
}
