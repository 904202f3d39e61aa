// Bytes Debian's zookeeper 3.8.0-11+deb12u2 (ZooKeeperServerMain) sent to a python3 socket
// script that spoke the zookeeper probe's session step (wire/zookeeper.hpp: ConnectRequest,
// getChildren2 "/" xid 1, closeSession xid 2), on 2026-11-26:
//   open      the lab's zookeeper-open, 127.0.1.13:2181 (root children: zookeeper, lab)
//   enforce   127.0.14.20:2181, enforce.auth.enabled=true, enforce.auth.schemes=sasl,
//             authProvider.1=...SASLAuthenticationProvider (sessionRequireClientSASLAuth=true
//             on 127.0.14.22 sent the same bytes)
//   acl       127.0.14.21:2181, `setAcl / ip:127.255.255.254:cdrwa` (world may not read the root)
// Shared by the codec, probe and fuzz-seed tests.
#pragma once

#include <string>
#include <string_view>

namespace ajar::test::zk {

inline std::string hex(std::string_view h) {
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

// ConnectResponse: protocol 0, timeout 4000, a session id, 16-byte password, readOnly false.
inline const std::string open_connect =
    hex("000000250000000000000fa0010000cc175000010000001015d7f66707c86be9a590f11b5c05a64d00");
// getChildren2("/") reply: xid 1, zxid 9, err 0, ["zookeeper", "lab"], Stat (numChildren 2).
inline const std::string open_children = hex(
    "0000006c0000000100000000000000090000000000000002000000097a6f6f6b6565706572000000036c6162"
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000020000000000000002");
// closeSession reply: xid 2, zxid 0x10, err 0 (then the server closes).
inline const std::string open_close = hex("00000010000000020000000000000010" "00000000");

inline const std::string enforce_connect =
    hex("000000250000000000000fa0010000dbb461000000000010250e188d4e75a49c0bd252e34799bff400");
// err -124 SESSIONCLOSEDREQUIRESASLAUTH, then the server closes.
inline const std::string enforce_children = hex("00000010000000010000000000000000ffffff84");

inline const std::string acl_connect =
    hex("000000250000000000000fa0010000db77a300010000001052d7535900b0775aaa0bf9b77de4f73300");
// err -102 NOAUTH; the session stays open.
inline const std::string acl_children = hex("00000010000000010000000000000006ffffff9a");
inline const std::string acl_close = hex("0000001000000002000000000000000d00000000");

}  // namespace ajar::test::zk
