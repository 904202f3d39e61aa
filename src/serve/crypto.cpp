#include "serve/crypto.hpp"

#include <sodium.h>

#include <array>
#include <stdexcept>

namespace ajar::serve {

namespace {

// Longest password accepted: Argon2 hashes any length, but a megabyte "password" in a login
// POST would only burn memory.
constexpr std::size_t max_password_bytes = 1024;

std::string to_hex(const unsigned char* p, std::size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), p, n);
  out.pop_back();
  return out;
}

}  // namespace

void init_crypto() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

std::string hash_password(std::string_view password) {
  init_crypto();
  if (password.size() > max_password_bytes) throw std::invalid_argument("password longer than 1024 bytes");
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str(out.data(), password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw std::runtime_error("out of memory while hashing the password");
  return std::string(out.data());
}

bool verify_password(std::string_view hash, std::string_view password) {
  init_crypto();
  if (password.size() > max_password_bytes || hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::array<char, crypto_pwhash_STRBYTES> h{};
  hash.copy(h.data(), hash.size());
  return crypto_pwhash_str_verify(h.data(), password.data(), password.size()) == 0;
}

const std::string& decoy_hash() {
  static const std::string h = hash_password(random_token());
  return h;
}

std::string random_token() {
  init_crypto();
  std::array<unsigned char, 32> b{};
  randombytes_buf(b.data(), b.size());
  return to_hex(b.data(), b.size());
}

std::string token_digest(std::string_view token) {
  init_crypto();
  std::array<unsigned char, 32> d{};
  crypto_generichash(d.data(), d.size(), reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                     nullptr, 0);
  return to_hex(d.data(), d.size());
}

bool equal_ct(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace ajar::serve
