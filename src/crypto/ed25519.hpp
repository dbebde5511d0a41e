// Ed25519 keys (libsodium). Key objects are immutable after construction
// and safe to use from many threads at once.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace lk::crypto {

class Ed25519PublicKey {
 public:
  // From 32 raw bytes; nullopt if malformed.
  static std::optional<Ed25519PublicKey> from_raw(std::string_view raw);
  // 64-byte signature check.
  bool verify(std::string_view message, std::string_view signature) const;
  const std::string& raw() const { return raw_; }

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
  std::string raw_;
};

class Ed25519PrivateKey {
 public:
  static Ed25519PrivateKey generate();
  // From the 32-byte raw seed; nullopt if malformed.
  static std::optional<Ed25519PrivateKey> from_raw(std::string_view raw);
  // 64-byte signature (Ed25519 is deterministic).
  std::string sign(std::string_view message) const;
  const std::string& raw() const { return raw_; }  // the seed: secret
  const std::string& public_raw() const { return public_raw_; }

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
  std::string raw_;
  std::string public_raw_;
};

}  // namespace lk::crypto
