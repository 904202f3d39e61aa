// First start without a certificate: a self-signed one (EC P-256, SHA-256) for the listen host,
// written next to the database. Browsers warn about it; people who care give tls.cert/tls.key.
#include <sys/stat.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "serve/config.hpp"
#include "serve/http_server.hpp"

namespace ajar::serve {

namespace {

// Validity of a generated certificate (the longest browsers accept).
constexpr long validity_seconds = 825L * 24 * 3600;

template <typename T, void (*F)(T*)>
struct deleter {
  void operator()(T* p) const { F(p); }
};

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(fmt::format("generating the self-signed certificate failed at {}", what));
}

void write_pem(const std::string& path, bool is_key, EVP_PKEY* key, X509* cert) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "w"), std::fclose);
  if (!f) throw std::runtime_error(fmt::format("cannot write '{}'", path));
  if (is_key) {
    ::chmod(path.c_str(), 0600);
    check(PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1, "writing the key");
  } else {
    check(PEM_write_X509(f.get(), cert) == 1, "writing the certificate");
  }
}

}  // namespace

void ensure_self_signed(const std::string& cert_file, const std::string& key_file, const std::string& host) {
  if (std::filesystem::exists(cert_file) && std::filesystem::exists(key_file)) return;
  std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>> key(EVP_EC_gen("P-256"));
  check(key != nullptr, "key generation");
  std::unique_ptr<X509, deleter<X509, X509_free>> cert(X509_new());
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  check(RAND_bytes(serial, sizeof serial) == 1, "serial");
  serial[0] &= 0x7f;
  std::unique_ptr<BIGNUM, deleter<BIGNUM, BN_free>> bn(BN_bin2bn(serial, sizeof serial, nullptr));
  BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), validity_seconds);
  X509_set_pubkey(cert.get(), key.get());
  auto* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("ajar"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("ajar dashboard"),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  std::string san = "DNS:localhost,IP:127.0.0.1";
  if (host != "localhost" && host != "127.0.0.1")
    san += (host.find(':') != std::string::npos || std::isdigit(static_cast<unsigned char>(host[0])) != 0 ? ",IP:" : ",DNS:") + host;
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (auto [nid, val] : {std::pair{NID_subject_alt_name, san}, std::pair{NID_basic_constraints, std::string("CA:FALSE")},
                          std::pair{NID_ext_key_usage, std::string("serverAuth")}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, val.c_str());
    check(ext != nullptr, "extension");
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "signing");
  write_pem(key_file, true, key.get(), nullptr);
  write_pem(cert_file, false, nullptr, cert.get());
}

}  // namespace ajar::serve
