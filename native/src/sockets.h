// Socket syscalls, no N-API here: batched UDP (recvmmsg, sendmmsg) over JS-owned slot arenas,
// and SO_REUSEPORT TCP listeners that worker threads hand to node:net.
#pragma once

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#include <memory>

// The arena layout; must match src/transport/udp/batch.ts (binding.ts checks it at load).
constexpr uint32_t kSlotSize = 2048;
constexpr uint32_t kMetaStride = 32;
constexpr uint32_t kMetaLength = 0;   // int32, -1 when truncated
constexpr uint32_t kMetaPort = 4;     // int32
constexpr uint32_t kMetaFamily = 8;   // int32, 4 or 6
constexpr uint32_t kMetaAddress = 16; // 16 bytes, IPv4 as ::ffff:a.b.c.d

constexpr int kFlagReusePort = 1;
constexpr int kFlagV6Only = 2;

// Big enough for both families, and much smaller than sockaddr_storage.
union SockAddr {
  sockaddr base;
  sockaddr_in v4;
  sockaddr_in6 v6;
};

// One socket and the message headers it reuses for every batch (allocated once).
struct UdpSocket {
  int fd = -1;
  int family = 0;
  uint32_t maxBatch = 0;
  std::unique_ptr<mmsghdr[]> rxMsgs, txMsgs;
  std::unique_ptr<iovec[]> rxIov, txIov;
  std::unique_ptr<SockAddr[]> rxAddr, txAddr;
  // The receive arena, pointed into by rxIov; rxSlots <= maxBatch.
  uint8_t* rxMeta = nullptr;
  uint32_t rxSlots = 0;
};

// Parses an IP literal (no brackets) and port into `addr`; false if it is not one.
bool parseAddress(const char* host, int port, SockAddr* addr);

// Creates, configures and binds the socket. Returns 0, or an errno with `*syscall` set.
int openSocket(UdpSocket* socket, const SockAddr& addr, int flags, int rcvbuf, int sndbuf, const char** syscall);

// Points the receive headers at the arena's first `slots` slots.
void setReceiveArena(UdpSocket* socket, uint8_t* data, uint8_t* meta, uint32_t slots);

// One recvmmsg into the receive arena, metadata filled in. Returns the count, or -errno.
int receiveBatch(UdpSocket* socket);

// sendmmsg of `count` slots; drops messages the kernel refuses. Returns how many were sent.
uint32_t sendBatch(UdpSocket* socket, const uint8_t* data, const uint8_t* meta, uint32_t count);

void closeSocket(UdpSocket* socket);

// A non-blocking listening TCP socket (SO_REUSEPORT with kFlagReusePort, so each worker
// thread can own one on the same address). Returns the fd, or -errno with `*syscall` set.
int openTcpListener(const SockAddr& addr, int flags, int backlog, const char** syscall);
