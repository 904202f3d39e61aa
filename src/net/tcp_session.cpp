#include "net/tcp_session.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/ssl.hpp>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <ctime>

namespace ajar::net {

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}

core::status status_from(const boost::system::error_code& ec) noexcept {
  namespace e = asio::error;
  if (!ec) return core::status::ok;
  if (ec == e::connection_refused) return core::status::connection_refused;
  if (ec == e::eof) return core::status::connection_closed;
  if (ec == e::connection_reset || ec == e::broken_pipe || ec == e::connection_aborted)
    return core::status::connection_reset;
  if (ec == e::timed_out || ec == e::operation_aborted) return core::status::io_timeout;
  if (ec == e::host_unreachable || ec == e::network_unreachable || ec == e::network_down)
    return core::status::unreachable;
  return core::status::error;
}

namespace {

// SSL ex_data slot holding a pointer to the session's cert_requested_ flag.
int cert_request_slot() {
  static const int slot = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return slot;
}

// OpenSSL calls this when the server sends a CertificateRequest (TLS 1.2 and 1.3) and we have
// no certificate configured: note it, and go on without one (return 0).
int on_certificate_request(SSL* ssl, X509**, EVP_PKEY**) {
  if (auto* flag = static_cast<bool*>(SSL_get_ex_data(ssl, cert_request_slot()))) *flag = true;
  return 0;
}

// One client context for every TLS conversation: built once, accepts any certificate and any
// protocol version and cipher the peer offers (security level 0), because an auditor must
// talk to the old and the misconfigured; the certificate is recorded, never trusted. We never
// present a client certificate, but notice when one is asked for.
asio::ssl::context& client_context() {
  static asio::ssl::context ctx = [] {
    asio::ssl::context c(asio::ssl::context::tls_client);
    c.set_verify_mode(asio::ssl::verify_none);
    SSL_CTX_set_security_level(c.native_handle(), 0);
    SSL_CTX_set_min_proto_version(c.native_handle(), 0);
    SSL_CTX_set_client_cert_cb(c.native_handle(), on_certificate_request);
    return c;
  }();
  return ctx;
}

// The TLS alert a peer sent us, from an OpenSSL error ("SSL alert number N" errors carry
// SSL_AD_REASON_OFFSET + N as their reason); -1 when the error is not a received alert.
int received_alert(const boost::system::error_code& ec) noexcept {
  if (ec.category() != asio::error::get_ssl_category()) return -1;
  auto code = static_cast<unsigned long>(static_cast<unsigned int>(ec.value()));
  if (ERR_GET_LIB(code) != ERR_LIB_SSL) return -1;
  int reason = ERR_GET_REASON(code);
  if (reason < SSL_AD_REASON_OFFSET || reason > SSL_AD_REASON_OFFSET + 255) return -1;
  return reason - SSL_AD_REASON_OFFSET;
}

// Static evidence text for the alerts servers send a client that brought no certificate:
// certificate_required (TLS 1.3, OpenSSL and Go), handshake_failure (OpenSSL, TLS 1.2),
// bad_certificate (Go, TLS 1.2), others by number.
std::string_view refusal_text(int alert) noexcept {
  switch (alert) {
    case 116: return "TLS alert certificate_required";
    case 40: return "TLS alert handshake_failure after a CertificateRequest";
    case 42: return "TLS alert bad_certificate after a CertificateRequest";
    case 48: return "TLS alert unknown_ca after a CertificateRequest";
    case 49: return "TLS alert access_denied after a CertificateRequest";
    default: return "TLS alert after a CertificateRequest";
  }
}

std::string name_line(X509_NAME* name) {
  if (name == nullptr) return {};
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  // A certificate name is attacker-controlled text: cap it.
  constexpr long max_name = 256;
  std::string out(data, static_cast<std::size_t>(std::clamp(len, 0L, max_name)));
  BIO_free(bio);
  return out;
}

core::certificate describe(X509* cert) {
  core::certificate c;
  c.subject = name_line(X509_get_subject_name(cert));
  c.issuer = name_line(X509_get_issuer_name(cert));
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1) {
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    c.not_after = buf;
  }
  c.self_signed = X509_self_signed(cert, 0) == 1;
  return c;
}

}  // namespace

int bind_source(int fd, const asio::ip::address& source) noexcept {
  int one = 1;
  ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  asio::ip::tcp::endpoint local(source, 0);
  return ::bind(fd, local.data(), static_cast<socklen_t>(local.size())) == 0 ? 0 : errno;
}

asio::ip::address to_asio(const core::ip_address& a) {
  if (a.is_v4()) return asio::ip::address_v4(a.v4_value());
  return asio::ip::address_v6(a.bytes());
}

tcp_session::tcp_session(asio::ip::tcp::socket socket, clock::time_point deadline,
                         std::size_t byte_budget)
    : session(byte_budget),
      socket_(std::move(socket)),
      deadline_(deadline),
      watchdog_(socket_.get_executor()),
      watch_(std::make_shared<watch>(watch{this})) {
  arm();
}

tcp_session::~tcp_session() {
  watch_->self = nullptr;
  abort();
}

void tcp_session::arm() {
  watchdog_.expires_at(deadline_);
  watchdog_.async_wait([w = watch_](boost::system::error_code ec) {
    if (ec || w->self == nullptr) return;  // re-armed, or the session is gone
    w->self->expired_ = true;
    boost::system::error_code ignored;
    w->self->socket_.cancel(ignored);  // every pending connect/read/write/handshake ends now
  });
}

void tcp_session::set_deadline(clock::time_point d) {
  deadline_ = d;
  // Past already (a probe started after its wait for the first byte timed out): every operation
  // fails at once, so the probe ends without suspending.
  expired_ = d <= clock::now();
  if (expired_) {
    watchdog_.cancel();
    return;
  }
  arm();  // expires_at cancels the previous wait
}

core::status tcp_session::client_cert_outcome(const boost::system::error_code& ec,
                                              core::status otherwise) noexcept {
  int alert = cert_requested_ ? received_alert(ec) : -1;
  if (alert < 0) return otherwise;
  note_client_cert_refusal(refusal_text(alert));
  return core::status::tls_client_cert_required;
}

core::status tcp_session::outcome(const boost::system::error_code& ec) const noexcept {
  if (!ec) return core::status::ok;
  if (expired_ && ec == asio::error::operation_aborted) return core::status::io_timeout;
  return status_from(ec);
}

void tcp_session::abort() noexcept {
  tls_.reset();
  boost::system::error_code ignored;
  watchdog_.cancel();
  if (!socket_.is_open()) return;
  // SO_LINGER {on, 0}: close() sends RST and frees the port at once (no TIME_WAIT). A socket
  // that never connected (refused, or still in SYN-SENT) leaves nothing behind: no option needed.
  if (connected_) socket_.set_option(asio::socket_base::linger(true, 0), ignored);
  socket_.close(ignored);
}

asio::awaitable<std::pair<core::status, std::unique_ptr<tcp_session>>> tcp_session::connect(
    const core::endpoint& to, clock::time_point connect_deadline, clock::time_point deadline,
    const std::optional<core::ip_address>& source, std::size_t byte_budget) {
  using result = std::pair<core::status, std::unique_ptr<tcp_session>>;
  asio::ip::tcp::endpoint ep(to_asio(to.ip), to.port);
  auto s = std::make_unique<tcp_session>(asio::ip::tcp::socket(co_await asio::this_coro::executor),
                                         std::min(connect_deadline, deadline), byte_budget);
  s->remote_ = ep;
  if (source) s->source_ = to_asio(*source);
  auto cec = co_await s->open_and_connect();
  if (cec) {
    co_return result{as_connect_status(s->outcome(cec)), nullptr};
  }
  boost::system::error_code ignored;
  s->socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  s->set_deadline(deadline);
  co_return result{core::status::ok, std::move(s)};
}

std::unique_ptr<tcp_session> tcp_session::adopt(asio::io_context& ctx, int fd, const core::endpoint& to,
                                                const std::optional<core::ip_address>& source,
                                                clock::time_point deadline, std::size_t byte_budget) {
  asio::ip::tcp::endpoint remote(to_asio(to.ip), to.port);
  asio::ip::tcp::socket socket(ctx);
  boost::system::error_code ec;
  socket.assign(remote.protocol(), fd, ec);
  if (ec) {
    ::close(fd);
    return nullptr;
  }
  auto s = std::make_unique<tcp_session>(std::move(socket), deadline, byte_budget);
  s->remote_ = remote;
  if (source) s->source_ = to_asio(*source);
  s->connected_ = true;
  s->socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  return s;
}

asio::awaitable<boost::system::error_code> tcp_session::open_and_connect() {
  boost::system::error_code ec;
  connected_ = false;
  socket_.open(remote_.protocol(), ec);
  if (ec) co_return ec;
  if (source_) {
    if (int err = bind_source(socket_.native_handle(), *source_); err != 0)
      co_return boost::system::error_code(err, asio::error::get_system_category());
  }
  // A non-blocking connect() finished by waiting for writability and reading SO_ERROR: the
  // same as async_connect minus the poll() Asio's connect op makes before getsockopt (one of
  // 8.8 system calls per refused endpoint; docs/PERFORMANCE.md).
  socket_.non_blocking(true, ec);
  if (ec) co_return ec;
  if (::connect(socket_.native_handle(), remote_.data(), static_cast<socklen_t>(remote_.size())) == 0) {
    connected_ = true;
    co_return boost::system::error_code{};
  }
  if (errno != EINPROGRESS) co_return boost::system::error_code(errno, asio::error::get_system_category());
  auto [wec] = co_await socket_.async_wait(asio::ip::tcp::socket::wait_write, use_tuple);
  if (wec) co_return wec;
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(socket_.native_handle(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  connected_ = err == 0;
  co_return boost::system::error_code(err, asio::error::get_system_category());
}

asio::awaitable<core::status> tcp_session::do_reopen() {
  if (expired_) co_return core::status::io_timeout;
  tls_.reset();  // it refers to the socket about to close
  cert_requested_ = false;
  boost::system::error_code ignored;
  if (connected_) socket_.set_option(asio::socket_base::linger(true, 0), ignored);
  socket_.close(ignored);
  auto ec = co_await open_and_connect();
  if (ec) co_return as_connect_status(outcome(ec));
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  co_return core::status::ok;
}

sent_now send_now(int fd, std::string_view bytes) noexcept {
  auto n = ::send(fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n >= 0) return {static_cast<std::size_t>(n), 0};
  return {0, errno == EAGAIN || errno == EWOULDBLOCK ? 0 : errno};
}

std::string peer_name(const asio::ip::address& ip, std::uint16_t port) {
  return ip.is_v6() ? fmt::format("[{}]:{}", ip.to_string(), port) : fmt::format("{}:{}", ip.to_string(), port);
}

std::string tcp_session::peer() const {
  boost::system::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  if (ec) return "localhost";
  return peer_name(ep.address(), ep.port());
}

asio::awaitable<core::status> tcp_session::do_start_tls(std::optional<core::certificate>& cert) {
  if (expired_) co_return core::status::io_timeout;
  tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(socket_, client_context());
  SSL_set_ex_data(tls_->native_handle(), cert_request_slot(), &cert_requested_);
  auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::client, use_tuple);
  // The server's certificate arrives before any CertificateRequest, so a refusal still names it.
  if (X509* peer_cert = SSL_get1_peer_certificate(tls_->native_handle())) {
    cert = describe(peer_cert);
    X509_free(peer_cert);
  }
  if (ec) {
    auto st = outcome(ec);
    if (st == core::status::io_timeout) co_return st;
    co_return client_cert_outcome(
        ec, ec == asio::error::eof ? core::status::connection_closed : core::status::tls_error);
  }
  co_return core::status::ok;
}

asio::awaitable<core::status> tcp_session::do_wait_readable() {
  // Plain TCP: wait for readability before allocating anything, so a connection waiting on a
  // silent peer costs no receive buffer. TLS reads go through the stream.
  if (tls_) co_return core::status::ok;
  if (expired_) co_return core::status::io_timeout;
  auto [ec] = co_await socket_.async_wait(asio::ip::tcp::socket::wait_read, use_tuple);
  co_return outcome(ec);
}

std::size_t tcp_session::do_available() const {
  if (tls_) return 4096;  // a TLS record is at most 16 KiB; most answers are far smaller
  boost::system::error_code ec;
  return socket_.available(ec);
}

asio::awaitable<std::pair<core::status, std::size_t>> tcp_session::do_read(std::span<char> into) {
  using result = std::pair<core::status, std::size_t>;
  if (expired_) co_return result{core::status::io_timeout, 0};
  if (!tls_) {
    // read_more waited for readability first, so the bytes are almost always there: take them
    // now, without an Asio operation (its frame, its reactor op, and the FIONBIO it makes the
    // first time). Nothing there after all: wait for them below.
    auto n = ::recv(socket_.native_handle(), into.data(), into.size(), MSG_DONTWAIT);
    if (n > 0) co_return result{core::status::ok, static_cast<std::size_t>(n)};
    if (n == 0) co_return result{core::status::connection_closed, 0};
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      co_return result{outcome(boost::system::error_code(errno, asio::error::get_system_category())), 0};
  }
  auto buf = asio::buffer(into.data(), into.size());
  auto [ec, n] = tls_ ? co_await tls_->async_read_some(buf, use_tuple) : co_await socket_.async_read_some(buf, use_tuple);
  if (ec) {
    // A TLS peer that closes without close_notify is an ordinary end of conversation here.
    if (tls_ && ec == asio::ssl::error::stream_truncated) co_return result{core::status::connection_closed, 0};
    co_return result{tls_ ? client_cert_outcome(ec, outcome(ec)) : outcome(ec), 0};
  }
  co_return result{core::status::ok, n};
}

asio::awaitable<core::status> tcp_session::do_send(std::string_view bytes) {
  if (expired_) co_return core::status::io_timeout;
  if (!tls_) {
    // A probe's request is small and the send buffer nearly empty: write it now, without an
    // Asio operation; whatever the kernel did not take goes through async_write below.
    auto [written, err] = send_now(socket_.native_handle(), bytes);
    if (err != 0) co_return outcome(boost::system::error_code(err, asio::error::get_system_category()));
    if (written == bytes.size()) co_return core::status::ok;
    bytes.remove_prefix(written);
  }
  auto buf = asio::buffer(bytes.data(), bytes.size());
  auto [ec, n] = tls_ ? co_await asio::async_write(*tls_, buf, use_tuple) : co_await asio::async_write(socket_, buf, use_tuple);
  (void)n;
  if (ec && tls_) co_return client_cert_outcome(ec, outcome(ec));
  co_return outcome(ec);
}

}  // namespace ajar::net
