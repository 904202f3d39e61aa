// Secrets for the dashboard: password hashes (Argon2id, libsodium crypto_pwhash_str with the
// INTERACTIVE limits), random tokens for sessions / CSRF / API access, and the one-way hash under
// which a token is stored (a stolen database never yields a usable session or API token).
#pragma once

#include <string>
#include <string_view>

namespace ajar::serve {

// Initialises libsodium once; throws std::runtime_error if it cannot (no entropy source).
void init_crypto();

// "$argon2id$v=19$m=65536,t=2,p=1$..." (crypto_pwhash_str, OPSLIMIT/MEMLIMIT_INTERACTIVE).
std::string hash_password(std::string_view password);
// Constant time in the password (libsodium); false for a malformed hash.
bool verify_password(std::string_view hash, std::string_view password);
// A hash of a password nobody has, so that an unknown user costs as much as a wrong password.
const std::string& decoy_hash();

// 256 random bits, hex (64 characters).
std::string random_token();
// BLAKE2b-256 of the token, hex: what the database keeps.
std::string token_digest(std::string_view token);
// Constant-time equality (sodium_memcmp); false when the lengths differ.
bool equal_ct(std::string_view a, std::string_view b);

}  // namespace ajar::serve
