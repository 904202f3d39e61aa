/*
 * lab/lib/loopback_guard.c - LD_PRELOAD guard that keeps a process (and its
 * children) on one loopback address. Built by lab/lib/rabbitmq.sh into
 * $AJAR_LAB_DIR/.build/loopback_guard.so and preloaded into epmd and the
 * RabbitMQ Erlang VM, because some of their sockets cannot be configured:
 *
 *   - epmd always adds the IPv6 loopback [::1] to its listen addresses, even
 *     with `-address 127.0.0.1`;
 *   - RabbitMQ 3.10 checks that its distribution port is free by listening on
 *     0.0.0.0:<port> for a moment, probes IPv6 support by listening on
 *     [::]:49152 and 0.0.0.0:49152, and Erlang resolves "localhost" for IPv6,
 *     which (no ::1 line in /etc/hosts) goes to the DNS server.
 *
 * Under the guard:
 *   - socket(AF_INET6, ...) fails with EAFNOSUPPORT (programs fall back to
 *     IPv4, as on a host without IPv6);
 *   - bind() to 0.0.0.0 is rewritten to LAB_GUARD_ADDR (same port), bind() to
 *     any other non-127.0.0.0/8 address fails with EADDRNOTAVAIL;
 *   - connect()/sendto()/sendmsg() towards an IPv4 address outside
 *     127.0.0.0/8 fail with ENETUNREACH (nothing leaves the loopback).
 *
 * LAB_GUARD_ADDR must be a dotted quad in 127.0.0.0/8; without it (or with a
 * bad value) every bind to 0.0.0.0 fails with EADDRNOTAVAIL.
 * Build: cc -shared -fPIC -O2 -o loopback_guard.so loopback_guard.c -ldl
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

static int is_loopback4(const struct sockaddr_in *sin) {
  return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
}

static int guard_addr(struct in_addr *out) {
  const char *s = getenv("LAB_GUARD_ADDR");
  if (s == NULL || inet_pton(AF_INET, s, out) != 1) return 0;
  return (ntohl(out->s_addr) >> 24) == 127;
}

/* 0 = allowed, else errno to fail with */
static int check_dest(const struct sockaddr *addr, socklen_t len) {
  if (addr == NULL) return 0;
  if (addr->sa_family == AF_INET) {
    if (len < (socklen_t)sizeof(struct sockaddr_in)) return EINVAL;
    return is_loopback4((const struct sockaddr_in *)addr) ? 0 : ENETUNREACH;
  }
  if (addr->sa_family == AF_INET6) return ENETUNREACH;
  return 0; /* AF_UNIX, AF_NETLINK, AF_UNSPEC ... */
}

int socket(int domain, int type, int protocol) {
  static int (*real)(int, int, int);
  if (!real) real = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
  if (domain == AF_INET6) {
    errno = EAFNOSUPPORT;
    return -1;
  }
  return real(domain, type, protocol);
}

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
  static int (*real)(int, const struct sockaddr *, socklen_t);
  if (!real) real = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");
  if (addr != NULL && addr->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
    const struct sockaddr_in *sin = (const struct sockaddr_in *)addr;
    if (sin->sin_addr.s_addr == htonl(INADDR_ANY)) {
      struct sockaddr_in copy;
      memcpy(&copy, sin, sizeof copy);
      if (!guard_addr(&copy.sin_addr)) {
        errno = EADDRNOTAVAIL;
        return -1;
      }
      return real(fd, (const struct sockaddr *)&copy, sizeof copy);
    }
    if (!is_loopback4(sin)) {
      errno = EADDRNOTAVAIL;
      return -1;
    }
  } else if (addr != NULL && addr->sa_family == AF_INET6) {
    errno = EADDRNOTAVAIL;
    return -1;
  }
  return real(fd, addr, len);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
  static int (*real)(int, const struct sockaddr *, socklen_t);
  if (!real) real = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect");
  int e = check_dest(addr, len);
  if (e) {
    errno = e;
    return -1;
  }
  return real(fd, addr, len);
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *addr, socklen_t len) {
  static ssize_t (*real)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
  if (!real) real = (ssize_t (*)(int, const void *, size_t, int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "sendto");
  int e = check_dest(addr, len);
  if (e) {
    errno = e;
    return -1;
  }
  return real(fd, buf, n, flags, addr, len);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags) {
  static ssize_t (*real)(int, const struct msghdr *, int);
  if (!real) real = (ssize_t (*)(int, const struct msghdr *, int))dlsym(RTLD_NEXT, "sendmsg");
  if (msg != NULL) {
    int e = check_dest((const struct sockaddr *)msg->msg_name, msg->msg_namelen);
    if (e) {
      errno = e;
      return -1;
    }
  }
  return real(fd, msg, flags);
}
