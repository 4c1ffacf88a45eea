// Batched UDP syscalls (socket, recvmmsg, sendmmsg) over JS-owned slot arenas; no N-API here.
#include "sockets.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>

namespace {

// ::ffff:0:0/96, the IPv4-mapped prefix.
constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

// Integers in the metadata are host order; memcpy because a view may be unaligned.
inline int32_t readInt(const uint8_t* meta, uint32_t offset) {
  int32_t value;
  memcpy(&value, meta + offset, sizeof value);
  return value;
}

inline void writeInt(uint8_t* meta, uint32_t offset, int32_t value) {
  memcpy(meta + offset, &value, sizeof value);
}

int setIntOption(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof value);
}

void writeSource(uint8_t* meta, const SockAddr& from) {
  uint8_t* address = meta + kMetaAddress;
  if (from.base.sa_family == AF_INET) {
    memcpy(address, kMappedPrefix, sizeof kMappedPrefix);
    memcpy(address + 12, &from.v4.sin_addr, 4);
    writeInt(meta, kMetaPort, ntohs(from.v4.sin_port));
    writeInt(meta, kMetaFamily, 4);
  } else {
    memcpy(address, &from.v6.sin6_addr, 16);
    writeInt(meta, kMetaPort, ntohs(from.v6.sin6_port));
    writeInt(meta, kMetaFamily, IN6_IS_ADDR_V4MAPPED(&from.v6.sin6_addr) ? 4 : 6);
  }
}

// Fills `to` from a slot's metadata for this socket's family; false if it cannot be sent.
bool readDestination(const UdpSocket& socket, const uint8_t* meta, SockAddr* to) {
  const uint8_t* address = meta + kMetaAddress;
  int32_t port = readInt(meta, kMetaPort);
  if (port <= 0 || port > 65535) return false;
  if (socket.family == AF_INET) {
    // An IPv4 socket can only reach IPv4 peers, which are stored mapped.
    if (memcmp(address, kMappedPrefix, sizeof kMappedPrefix) != 0) return false;
    to->v4 = sockaddr_in{};
    to->v4.sin_family = AF_INET;
    to->v4.sin_port = htons(static_cast<uint16_t>(port));
    memcpy(&to->v4.sin_addr, address + 12, 4);
  } else {
    // Mapped IPv4 works as is on a dual-stack socket; a v6-only one refuses it per message.
    to->v6 = sockaddr_in6{};
    to->v6.sin6_family = AF_INET6;
    to->v6.sin6_port = htons(static_cast<uint16_t>(port));
    memcpy(&to->v6.sin6_addr, address, 16);
  }
  return true;
}

}  // namespace

bool parseAddress(const char* host, int port, SockAddr* addr) {
  *addr = SockAddr{};
  if (inet_pton(AF_INET, host, &addr->v4.sin_addr) == 1) {
    addr->v4.sin_family = AF_INET;
    addr->v4.sin_port = htons(static_cast<uint16_t>(port));
    return true;
  }
  if (inet_pton(AF_INET6, host, &addr->v6.sin6_addr) == 1) {
    addr->v6.sin6_family = AF_INET6;
    addr->v6.sin6_port = htons(static_cast<uint16_t>(port));
    return true;
  }
  return false;
}

int openSocket(UdpSocket* socket, const SockAddr& addr, int flags, int rcvbuf, int sndbuf, const char** syscall) {
  int family = addr.base.sa_family;
  int fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *syscall = "socket";
    return errno;
  }
  int failed = 0;
  if ((flags & kFlagReusePort) && setIntOption(fd, SOL_SOCKET, SO_REUSEPORT, 1) != 0) failed = 1;
  // Always explicit for IPv6, so the result does not depend on net.ipv6.bindv6only.
  if (!failed && family == AF_INET6 &&
      setIntOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, (flags & kFlagV6Only) ? 1 : 0) != 0) {
    failed = 1;
  }
  // The *FORCE variants pass net.core.[rw]mem_max when we have CAP_NET_ADMIN; else plain.
  if (!failed && rcvbuf > 0 && setIntOption(fd, SOL_SOCKET, SO_RCVBUFFORCE, rcvbuf) != 0 &&
      setIntOption(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf) != 0) {
    failed = 1;
  }
  if (!failed && sndbuf > 0 && setIntOption(fd, SOL_SOCKET, SO_SNDBUFFORCE, sndbuf) != 0 &&
      setIntOption(fd, SOL_SOCKET, SO_SNDBUF, sndbuf) != 0) {
    failed = 1;
  }
  if (failed) {
    *syscall = "setsockopt";
  } else if (bind(fd, &addr.base, family == AF_INET ? sizeof addr.v4 : sizeof addr.v6) != 0) {
    *syscall = "bind";
    failed = 1;
  }
  if (failed) {
    int error = errno;
    close(fd);
    return error;
  }

  uint32_t n = socket->maxBatch;
  socket->fd = fd;
  socket->family = family;
  socket->rxMsgs.reset(new mmsghdr[n]());
  socket->rxIov.reset(new iovec[n]());
  socket->rxAddr.reset(new SockAddr[n]());
  socket->txMsgs.reset(new mmsghdr[n]());
  socket->txIov.reset(new iovec[n]());
  socket->txAddr.reset(new SockAddr[n]());
  return 0;
}

void setReceiveArena(UdpSocket* socket, uint8_t* data, uint8_t* meta, uint32_t slots) {
  for (uint32_t i = 0; i < slots; i++) {
    socket->rxIov[i] = iovec{data + static_cast<size_t>(i) * kSlotSize, kSlotSize};
    msghdr& hdr = socket->rxMsgs[i].msg_hdr;
    hdr = msghdr{};
    hdr.msg_name = &socket->rxAddr[i];
    hdr.msg_namelen = sizeof(SockAddr);
    hdr.msg_iov = &socket->rxIov[i];
    hdr.msg_iovlen = 1;
  }
  socket->rxMeta = meta;
  socket->rxSlots = slots;
}

int receiveBatch(UdpSocket* socket) {
  int count;
  do {
    count = recvmmsg(socket->fd, socket->rxMsgs.get(), socket->rxSlots, MSG_DONTWAIT, nullptr);
  } while (count < 0 && errno == EINTR);
  if (count < 0) return -errno;

  for (int i = 0; i < count; i++) {
    mmsghdr& msg = socket->rxMsgs[i];
    uint8_t* meta = socket->rxMeta + static_cast<size_t>(i) * kMetaStride;
    bool truncated = (msg.msg_hdr.msg_flags & MSG_TRUNC) != 0;
    writeInt(meta, kMetaLength, truncated ? -1 : static_cast<int32_t>(msg.msg_len));
    writeSource(meta, socket->rxAddr[i]);
    // The kernel overwrote these; reset them for the next call.
    msg.msg_hdr.msg_namelen = sizeof(SockAddr);
    msg.msg_hdr.msg_flags = 0;
  }
  return count;
}

uint32_t sendBatch(UdpSocket* socket, const uint8_t* data, const uint8_t* meta, uint32_t count) {
  // Build headers for the sendable slots only; a bad length or address is dropped here.
  uint32_t n = 0;
  for (uint32_t i = 0; i < count; i++) {
    const uint8_t* slotMeta = meta + static_cast<size_t>(i) * kMetaStride;
    int32_t length = readInt(slotMeta, kMetaLength);
    if (length < 0 || length > static_cast<int32_t>(kSlotSize)) continue;
    if (!readDestination(*socket, slotMeta, &socket->txAddr[n])) continue;
    socket->txIov[n] = iovec{const_cast<uint8_t*>(data) + static_cast<size_t>(i) * kSlotSize,
                             static_cast<size_t>(length)};
    msghdr& hdr = socket->txMsgs[n].msg_hdr;
    hdr.msg_name = &socket->txAddr[n];
    hdr.msg_namelen = socket->family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
    hdr.msg_iov = &socket->txIov[n];
    hdr.msg_iovlen = 1;
    n++;
  }

  // sendmmsg stops at the first message that fails: it returns the count before it, or -1
  // with errno when that message is the first. Either way skip it and go on, so every
  // iteration makes progress (no busy loop when the buffer is full).
  uint32_t sent = 0;
  uint32_t next = 0;
  while (next < n) {
    int result = sendmmsg(socket->fd, socket->txMsgs.get() + next, n - next, MSG_DONTWAIT);
    if (result > 0) {
      sent += result;
      next += result;
    } else if (result < 0 && errno == EINTR) {
      continue;
    } else {
      next++;  // EAGAIN, ENOBUFS, EPERM, ENETUNREACH, EINVAL…: drop this datagram
    }
  }
  return sent;
}

void closeSocket(UdpSocket* socket) {
  if (socket->fd >= 0) close(socket->fd);
  socket->fd = -1;
  socket->rxMeta = nullptr;
  socket->rxSlots = 0;
}

int openTcpListener(const SockAddr& addr, int flags, int backlog, const char** syscall) {
  int family = addr.base.sa_family;
  int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *syscall = "socket";
    return -errno;
  }
  bool ok = setIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1) == 0 &&
            (!(flags & kFlagReusePort) || setIntOption(fd, SOL_SOCKET, SO_REUSEPORT, 1) == 0) &&
            (family != AF_INET6 || setIntOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, (flags & kFlagV6Only) ? 1 : 0) == 0);
  if (!ok) {
    *syscall = "setsockopt";
  } else if (bind(fd, &addr.base, family == AF_INET ? sizeof addr.v4 : sizeof addr.v6) != 0) {
    *syscall = "bind";
    ok = false;
  } else if (listen(fd, backlog) != 0) {
    *syscall = "listen";
    ok = false;
  }
  if (!ok) {
    int error = errno;
    close(fd);
    return -error;
  }
  return fd;
}

namespace {

inline void writeRecord(uint8_t* record, int32_t kind, int fd, int32_t offset, int32_t length) {
  writeInt(record, kStreamKind, kind);
  writeInt(record, kStreamOffset, offset);
  writeInt(record, kStreamLength, length);
  writeInt(record, kStreamFd, fd);
}

bool isTransientAcceptError(int error) {
  return error == ECONNABORTED || error == EPROTO || error == EPERM || error == EINTR;
}

}  // namespace

int openStreamPoller(StreamPoller* poller, int listenFd) {
  int epollFd = epoll_create1(EPOLL_CLOEXEC);
  if (epollFd < 0) return errno;
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = listenFd;
  if (epoll_ctl(epollFd, EPOLL_CTL_ADD, listenFd, &event) != 0) {
    int error = errno;
    close(epollFd);
    return error;
  }
  poller->epollFd = epollFd;
  poller->listenFd = listenFd;
  return 0;
}

int pollStreams(StreamPoller* poller) {
  // Room for the worst case of one event: a read record plus a writable record.
  int room = static_cast<int>(poller->metaSlots / 2);
  int ready;
  do {
    ready = epoll_wait(poller->epollFd, poller->events, std::min(room, kMaxEventsPerWait), 0);
  } while (ready < 0 && errno == EINTR);
  if (ready < 0) return -errno;

  uint32_t records = 0;
  uint32_t used = 0;
  auto record = [&]() { return poller->meta + static_cast<size_t>(records++) * kStreamStride; };
  for (int i = 0; i < ready && records + 2 <= poller->metaSlots; i++) {
    const epoll_event& event = poller->events[i];
    int fd = event.data.fd;
    if (fd == poller->listenFd) {
      // Accept what fits; level-triggered epoll reports the listener again if more wait.
      while (records + 2 < poller->metaSlots) {
        SockAddr from;
        socklen_t length = sizeof from;
        int stream = accept4(fd, &from.base, &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (stream < 0) {
          int error = errno;
          if (error == EAGAIN || error == EWOULDBLOCK) break;
          if (isTransientAcceptError(error)) continue;
          // EMFILE, ENFILE, ENOBUFS, ENOMEM: the listener would be reported ready forever.
          epoll_ctl(poller->epollFd, EPOLL_CTL_DEL, fd, nullptr);
          writeRecord(record(), kStreamAcceptPaused, fd, 0, error);
          break;
        }
        setIntOption(stream, IPPROTO_TCP, TCP_NODELAY, 1);
        epoll_event watch{};
        watch.events = EPOLLIN | EPOLLRDHUP;
        watch.data.fd = stream;
        if (epoll_ctl(poller->epollFd, EPOLL_CTL_ADD, stream, &watch) != 0) {
          close(stream);
          continue;
        }
        uint8_t* accepted = record();
        writeRecord(accepted, kStreamAccepted, stream, 0, 0);
        writeSource(accepted, from);  // port at kStreamOffset, family at kStreamLength
      }
      continue;
    }
    if (event.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
      uint32_t space = std::min(poller->dataLength - used, kReadChunk);
      if (space == 0) break;  // the arena is full: the rest is reported again next time
      ssize_t got;
      do {
        got = read(fd, poller->data + used, space);
      } while (got < 0 && errno == EINTR);
      if (got > 0) {
        writeRecord(record(), kStreamData, fd, static_cast<int32_t>(used), static_cast<int32_t>(got));
        used += static_cast<uint32_t>(got);
      } else if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
        int error = got == 0 ? 0 : errno;
        epoll_ctl(poller->epollFd, EPOLL_CTL_DEL, fd, nullptr);
        writeRecord(record(), got == 0 ? kStreamEnd : kStreamError, fd, 0, error);
        continue;
      }
    }
    if (event.events & EPOLLOUT) writeRecord(record(), kStreamWritable, fd, 0, 0);
  }
  return static_cast<int>(records);
}

int watchWritable(StreamPoller* poller, int fd, bool on) {
  epoll_event watch{};
  watch.events = EPOLLIN | EPOLLRDHUP | (on ? static_cast<uint32_t>(EPOLLOUT) : 0u);
  watch.data.fd = fd;
  return epoll_ctl(poller->epollFd, EPOLL_CTL_MOD, fd, &watch) == 0 ? 0 : errno;
}

int resumeAccept(StreamPoller* poller) {
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = poller->listenFd;
  if (epoll_ctl(poller->epollFd, EPOLL_CTL_ADD, poller->listenFd, &event) == 0 || errno == EEXIST) return 0;
  return errno;
}

void writeStreams(const uint8_t* data, size_t dataLength, uint8_t* requests, uint32_t count) {
  for (uint32_t i = 0; i < count; i++) {
    uint8_t* request = requests + static_cast<size_t>(i) * kWriteStride;
    int32_t fd = readInt(request, 0);
    int32_t offset = readInt(request, 4);
    int32_t length = readInt(request, 8);
    if (offset < 0 || length < 0 || static_cast<size_t>(offset) + static_cast<size_t>(length) > dataLength) {
      writeInt(request, 12, -EINVAL);
      continue;
    }
    ssize_t sent;
    do {
      sent = send(fd, data + offset, static_cast<size_t>(length), MSG_DONTWAIT | MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    writeInt(request, 12, sent >= 0 ? static_cast<int32_t>(sent) : (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno);
  }
}

void closeStreamPoller(StreamPoller* poller) {
  if (poller->epollFd >= 0) close(poller->epollFd);
  if (poller->listenFd >= 0) close(poller->listenFd);
  poller->epollFd = poller->listenFd = -1;
  poller->meta = poller->data = nullptr;
  poller->metaSlots = poller->dataLength = 0;
}
