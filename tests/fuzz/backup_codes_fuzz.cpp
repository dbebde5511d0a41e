// Backup-code input: normalization is idempotent, yields 10 alphabet symbols,
// and a code matches the stored hash of its own canonical form, both under a
// salted Argon2id KDF (cheap parameters: the scheme, not the cost, is fuzzed)
// and under the format-1 SHA-256 scheme (empty salt).
#include "auth/backup_codes.hpp"
#include "fuzz.hpp"

using namespace lk::auth;

namespace {

void check(std::string_view in, const lk::store::BackupCodeKdf& kdf) {
  auto canonical = backup::normalize(in);
  auto derived = backup::derive(in, kdf);
  FUZZ_CHECK(derived.has_value() == canonical.has_value());
  if (!canonical) return;
  FUZZ_CHECK(canonical->size() == backup::kSymbols && backup::normalize(*canonical) == canonical);
  std::vector<lk::Hash> hashes = backup::hash_all({"0123456789", "abcdefghjk"}, kdf);
  auto found = backup::find(hashes, *derived);
  FUZZ_CHECK(!found || *canonical == "0123456789" || *canonical == "abcdefghjk");
  hashes.push_back(*backup::derive(*canonical, kdf));
  found = backup::find(hashes, *derived);
  FUZZ_CHECK(found && hashes[*found] == *derived);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = lk::fuzz::as_text(data, size);
  check(in, lk::store::BackupCodeKdf{});
  check(in, lk::store::BackupCodeKdf{std::string(backup::kSaltBytes, 's'), 8, 1, 1});
  return 0;
}
