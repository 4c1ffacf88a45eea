// Socket syscalls, no N-API here: batched UDP (recvmmsg, sendmmsg) over JS-owned slot arenas,
// SO_REUSEPORT TCP listeners that worker threads hand to node:net, and TCP streams served
// through one epoll set whose events are written as records into JS-owned arenas.
#pragma once

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#include <sys/epoll.h>

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

// Stream event records; must match src/transport/tcp/batch.ts (binding.ts checks the stride).
constexpr uint32_t kStreamStride = 32;
constexpr uint32_t kStreamKind = 0;    // int32, one of the kinds below
constexpr uint32_t kStreamOffset = 4;  // int32: data offset in the arena (data), port (accepted)
constexpr uint32_t kStreamLength = 8;  // int32: byte count (data), errno (error), 4 or 6 (accepted)
constexpr uint32_t kStreamFd = 12;     // int32
static_assert(kStreamOffset == kMetaPort && kStreamLength == kMetaFamily, "accepted records reuse the UDP source layout");
// Accepted records also carry the peer address at kMetaAddress (16 bytes, IPv4 mapped).
constexpr int32_t kStreamAccepted = 1;
constexpr int32_t kStreamData = 2;
constexpr int32_t kStreamEnd = 3;       // the peer closed its side; the fd left the epoll set
constexpr int32_t kStreamError = 4;     // read failed; the fd left the epoll set
constexpr int32_t kStreamWritable = 5;  // a stream watched with watchWritable can take more
constexpr int32_t kStreamAcceptPaused = 6;  // accept failed (EMFILE…); resumeAccept re-arms it

// Write requests (int32 each): fd, offset, length in, then bytes written or -errno out.
constexpr uint32_t kWriteStride = 16;

// Bytes read from one stream per readiness event; level-triggered epoll reports the rest.
constexpr uint32_t kReadChunk = 65536;
constexpr int kMaxEventsPerWait = 256;

// A listening socket and the streams it accepted, all in one epoll set.
struct StreamPoller {
  int epollFd = -1;
  int listenFd = -1;
  uint8_t* data = nullptr;  // JS's read arena
  uint32_t dataLength = 0;
  uint8_t* meta = nullptr;  // JS's record arena
  uint32_t metaSlots = 0;
  epoll_event events[kMaxEventsPerWait];
};

// Takes ownership of `listenFd` (a non-blocking listener from openTcpListener). Returns 0 or an errno.
int openStreamPoller(StreamPoller* poller, int listenFd);

// One epoll_wait (no waiting): accepts, reads and reports into the arenas. Returns how many
// records were written (0: nothing ready), or -errno.
int pollStreams(StreamPoller* poller);

// Asks for (or stops asking for) kStreamWritable records for `fd`. Returns 0 or an errno.
int watchWritable(StreamPoller* poller, int fd, bool on);

// Puts the listener back into the set after kStreamAcceptPaused. Returns 0 or an errno.
int resumeAccept(StreamPoller* poller);

// send() of every request (non-blocking, no SIGPIPE); results written back into `requests`.
void writeStreams(const uint8_t* data, size_t dataLength, uint8_t* requests, uint32_t count);

// Closes the epoll set and the listener (streams are closed one by one by their owner).
void closeStreamPoller(StreamPoller* poller);
