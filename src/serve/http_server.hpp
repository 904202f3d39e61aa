// The dashboard's HTTP(S) listener (Boost.Beast, C++20 coroutines on one io_context). Each
// connection reads bounded requests (header and body limits, an idle deadline) and hands them to
// one synchronous handler. TLS when an ssl context is given.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "serve/http.hpp"

namespace ajar::serve {

using http_handler = std::function<http_response(const http_request&)>;

class http_server {
 public:
  // Binds now (throws std::system_error naming the address if it cannot).
  http_server(boost::asio::io_context& ctx, const std::string& host, std::uint16_t port,
              std::shared_ptr<boost::asio::ssl::context> tls, http_handler handler);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  void start();
  void stop();  // closes the acceptor; open connections end at their next deadline or request
  [[nodiscard]] std::uint16_t port() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

// Loads a PEM certificate chain and key, or throws core::input_error naming the file.
std::shared_ptr<boost::asio::ssl::context> tls_context(const std::string& cert_file, const std::string& key_file);
// Creates a self-signed certificate (EC P-256, CN=ajar, SAN localhost/127.0.0.1/the listen host,
// 825 days) at the given paths unless both exist. Key written 0600.
void ensure_self_signed(const std::string& cert_file, const std::string& key_file, const std::string& host);

}  // namespace ajar::serve
