// The aquatic_native N-API binding: flat udp* and tcp* functions over sockets.h, one JS call per
// batch, and chroot over privileges.h.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <string>

#include <napi.h>

#include "privileges.h"
#include "sockets.h"

namespace {

// Batches drained per readiness callback before yielding to the rest of the event loop.
constexpr int kBatchesPerPoll = 16;

// What a handle holds, so that no function takes one kind's handle for another's.
enum class Kind { kUdp, kStreams };

// A handle as JS sees it (through an External): an fd watched by a uv_poll whose readiness
// is turned into batches for onBatch. Freed once both the External is finalized and the
// poll handle is closed, whichever comes last, so no callback sees freed memory.
struct Polled {
  const Kind kind;
  napi_env env = nullptr;
  uv_poll_t poll{};
  napi_async_cleanup_hook_handle cleanupHook = nullptr;
  // Held while receiving: the arenas native writes into, and the batch callback.
  napi_ref rxData = nullptr;
  napi_ref rxMeta = nullptr;
  napi_ref onBatch = nullptr;
  napi_async_context asyncContext = nullptr;
  double receiveErrors = 0;
  bool receiving = false;
  bool closed = false;      // closed by JS, the finalizer or env teardown
  bool exiting = false;     // env teardown: never call into JS again
  bool finalized = false;   // the External is gone
  bool pollClosed = true;   // until uv_poll_init succeeds

  explicit Polled(Kind k) : kind(k) {}
  virtual ~Polled() = default;
  virtual void closeFds() = 0;
};

struct Socket : Polled {
  static constexpr Kind kKind = Kind::kUdp;
  UdpSocket udp;
  Socket() : Polled(kKind) {}
  void closeFds() override { closeSocket(&udp); }
};

struct Streams : Polled {
  static constexpr Kind kKind = Kind::kStreams;
  StreamPoller poller;
  Streams() : Polled(kKind) {}
  void closeFds() override { closeStreamPoller(&poller); }
};

Napi::Value throwErrno(Napi::Env env, int error, const char* syscall, const std::string& detail) {
  char buffer[128];
  std::string message = syscall;
  if (!detail.empty()) message += " " + detail;
  message += ": ";
  message += strerror_r(error, buffer, sizeof buffer);
  Napi::Error exception = Napi::Error::New(env, message);
  exception.Set("code", Napi::String::New(env, uv_err_name(-error)));
  exception.Set("errno", Napi::Number::New(env, -error));  // negative, as node's own errors
  exception.Set("syscall", Napi::String::New(env, syscall));
  exception.ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value throwType(Napi::Env env, const char* message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

template <typename T>
T* getHandle(const Napi::CallbackInfo& info) {
  Polled* handle = info[0].IsExternal() ? info[0].As<Napi::External<Polled>>().Data() : nullptr;
  if (handle == nullptr || handle->kind != T::kKind) {
    throwType(info.Env(), T::kKind == Kind::kUdp ? "expected a UDP socket handle" : "expected a TCP server handle");
    return nullptr;
  }
  return static_cast<T*>(handle);
}

Socket* getSocket(const Napi::CallbackInfo& info) {
  return getHandle<Socket>(info);
}

// A Uint8Array's bytes (already offset by byteOffset); false and a TypeError otherwise.
bool getBytes(Napi::Env env, Napi::Value value, uint8_t** data, size_t* length) {
  napi_typedarray_type type;
  void* pointer = nullptr;
  if (!value.IsTypedArray() ||
      napi_get_typedarray_info(env, value, &type, length, &pointer, nullptr, nullptr) != napi_ok ||
      type != napi_uint8_array) {
    throwType(env, "expected a Uint8Array");
    return false;
  }
  *data = static_cast<uint8_t*>(pointer);
  return true;
}

// A batch's two arenas (info[1] payload slots, info[2] metadata), as udpRecvStart and
// udpSend take them.
struct Arenas {
  uint8_t* data = nullptr;
  size_t dataLength = 0;
  uint8_t* meta = nullptr;
  size_t metaLength = 0;
};

bool getArenas(Napi::Env env, const Napi::CallbackInfo& info, Arenas* arenas) {
  return getBytes(env, info[1], &arenas->data, &arenas->dataLength) && getBytes(env, info[2], &arenas->meta, &arenas->metaLength);
}

std::string formatAddress(const std::string& host, int port) {
  char suffix[16];
  snprintf(suffix, sizeof suffix, ":%d", port);
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + suffix;
}

void freeIfDone(Polled* socket) {
  if (socket->finalized && socket->pollClosed) delete socket;
}

void stopReceiving(Polled* socket) {
  if (!socket->receiving) return;
  socket->receiving = false;
  uv_poll_stop(&socket->poll);
  napi_env env = socket->env;
  napi_delete_reference(env, socket->rxData);
  napi_delete_reference(env, socket->rxMeta);
  napi_delete_reference(env, socket->onBatch);
  napi_async_destroy(env, socket->asyncContext);
  socket->rxData = socket->rxMeta = socket->onBatch = nullptr;
  socket->asyncContext = nullptr;
}

void onPollClosed(uv_handle_t* handle) {
  Polled* socket = static_cast<Polled*>(handle->data);
  socket->pollClosed = true;
  // Unregisters the hook, or tells node that a running one has finished.
  if (socket->cleanupHook != nullptr) napi_remove_async_cleanup_hook(socket->cleanupHook);
  socket->cleanupHook = nullptr;
  freeIfDone(socket);
}

// Idempotent. uv_close stops the poll synchronously, so the fd is closed after it: libuv
// must not watch a closed (and possibly reused) fd number.
void closeNow(Polled* socket) {
  if (socket->closed) return;
  socket->closed = true;
  stopReceiving(socket);
  if (!socket->pollClosed) uv_close(reinterpret_cast<uv_handle_t*>(&socket->poll), onPollClosed);
  socket->closeFds();
}

// Env teardown (process exit, worker exit): close without calling JS. Asynchronous because
// the uv handle must be closed on the loop; onPollClosed reports completion.
void onEnvCleanup(napi_async_cleanup_hook_handle, void* arg) {
  Polled* socket = static_cast<Polled*>(arg);
  socket->exiting = true;
  closeNow(socket);
}

// Last resort when JS dropped the handle without udpClose.
void onFinalize(Napi::Env, Polled* socket) {
  socket->finalized = true;
  closeNow(socket);
  freeIfDone(socket);
}

// Calls onBatch(count) as a top-level callback (async hooks, then microtasks and ticks).
// An exception goes to process 'uncaughtException', as for any event callback. Returns
// false when the callback could not run or threw.
bool deliver(Polled* socket, int count) {
  napi_env env = socket->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return false;
  napi_value callback, global, argv, result;
  napi_status status = napi_get_reference_value(env, socket->onBatch, &callback);
  if (status == napi_ok) status = napi_get_global(env, &global);
  if (status == napi_ok) status = napi_create_uint32(env, static_cast<uint32_t>(count), &argv);
  if (status == napi_ok) {
    status = napi_make_callback(env, socket->asyncContext, global, callback, 1, &argv, &result);
  }
  if (status != napi_ok) {
    bool pending = false;
    napi_value exception;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending &&
        napi_get_and_clear_last_exception(env, &exception) == napi_ok) {
      napi_fatal_exception(env, exception);
    }
  }
  napi_close_handle_scope(env, scope);
  return status == napi_ok;
}

// Watches `fd` on this env's loop (the main thread's or a worker's) and registers the
// teardown hook. Returns 0 or a libuv error; on error the caller still owns the fds.
int initPoll(Polled* handle, napi_env env, int fd) {
  handle->env = env;
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  handle->poll.data = handle;
  int error = uv_poll_init(loop, &handle->poll, fd);
  if (error != 0) return error;
  handle->pollClosed = false;
  napi_add_async_cleanup_hook(env, onEnvCleanup, handle, &handle->cleanupHook);
  return 0;
}

// Holds the arenas and the callback, and starts polling. Returns 0 or a libuv error.
int startPolling(Polled* handle, const Napi::CallbackInfo& info, const char* name, uv_poll_cb onReady) {
  napi_env env = handle->env;
  stopReceiving(handle);
  napi_create_reference(env, info[1], 1, &handle->rxData);
  napi_create_reference(env, info[2], 1, &handle->rxMeta);
  napi_create_reference(env, info[3], 1, &handle->onBatch);
  napi_async_init(env, nullptr, Napi::String::New(env, name), &handle->asyncContext);
  handle->receiving = true;
  int error = uv_poll_start(&handle->poll, UV_READABLE, onReady);
  if (error != 0) stopReceiving(handle);
  return error;
}

void onReadable(uv_poll_t* poll, int status, int) {
  Socket* socket = static_cast<Socket*>(poll->data);
  if (!socket->receiving || socket->exiting) return;
  if (status < 0) {
    // libuv stopped the handle on POLLERR. Clear the socket error and poll again.
    socket->receiveErrors++;
    int error = 0;
    socklen_t length = sizeof error;
    if (getsockopt(socket->udp.fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0) {
      uv_poll_start(poll, UV_READABLE, onReadable);
    }
    return;
  }
  for (int round = 0; round < kBatchesPerPoll; round++) {
    int count = receiveBatch(&socket->udp);
    if (count <= 0) {
      if (count < 0 && count != -EAGAIN && count != -EWOULDBLOCK) socket->receiveErrors++;
      return;
    }
    // The callback may stop, restart or close this socket; re-check before going on.
    if (!deliver(socket, count) || !socket->receiving || socket->exiting) return;
    if (static_cast<uint32_t>(count) < socket->udp.rxSlots) return;  // drained
  }
}

// tcpListen(host, port, flags, backlog) -> fd of a listening socket, for node:net's
// listen({ fd }); the fd then belongs to node, which closes it with its server.
Napi::Value tcpListenJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string host = info[0].As<Napi::String>().Utf8Value();
  int port = info[1].As<Napi::Number>().Int32Value();
  int flags = info[2].As<Napi::Number>().Int32Value();
  int backlog = info[3].As<Napi::Number>().Int32Value();
  if (env.IsExceptionPending()) return env.Undefined();
  SockAddr addr;
  if (port < 0 || port > 65535 || !parseAddress(host.c_str(), port, &addr)) {
    return throwErrno(env, EINVAL, "bind", formatAddress(host, port));
  }
  const char* syscall = "socket";
  int fd = openTcpListener(addr, flags, backlog, &syscall);
  if (fd < 0) return throwErrno(env, -fd, syscall, formatAddress(host, port));
  return Napi::Number::New(env, fd);
}

// chroot(path): changes the root directory of the whole process (every thread) to path.
Napi::Value chrootJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  if (env.IsExceptionPending()) return env.Undefined();
  const char* syscall = "chroot";
  int error = enterChroot(path.c_str(), &syscall);
  if (error != 0) return throwErrno(env, error, syscall, path);
  return env.Undefined();
}

// udpOpen(host, port, flags, rcvbuf, sndbuf, maxBatch) -> handle
Napi::Value udpOpenJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string host = info[0].As<Napi::String>().Utf8Value();
  int port = info[1].As<Napi::Number>().Int32Value();
  int flags = info[2].As<Napi::Number>().Int32Value();
  int rcvbuf = info[3].As<Napi::Number>().Int32Value();
  int sndbuf = info[4].As<Napi::Number>().Int32Value();
  int maxBatch = info[5].As<Napi::Number>().Int32Value();
  if (env.IsExceptionPending()) return env.Undefined();

  SockAddr addr;
  if (port < 0 || port > 65535 || !parseAddress(host.c_str(), port, &addr)) {
    return throwErrno(env, EINVAL, "bind", formatAddress(host, port));
  }
  Socket* socket = new Socket();
  socket->udp.maxBatch = static_cast<uint32_t>(std::clamp(maxBatch, 1, 1024));
  const char* syscall = "socket";
  int error = openSocket(&socket->udp, addr, flags, rcvbuf, sndbuf, &syscall);
  if (error != 0) {
    delete socket;
    return throwErrno(env, error, syscall, formatAddress(host, port));
  }

  error = initPoll(socket, env, socket->udp.fd);
  if (error != 0) {
    closeSocket(&socket->udp);
    delete socket;
    return throwErrno(env, -error, "uv_poll_init", "");
  }
  return Napi::External<Polled>::New(env, socket, onFinalize);
}

// udpLocalPort(handle) -> number
Napi::Value udpLocalPortJs(const Napi::CallbackInfo& info) {
  Socket* socket = getSocket(info);
  if (socket == nullptr) return info.Env().Undefined();
  SockAddr addr;
  socklen_t length = sizeof addr;
  if (getsockname(socket->udp.fd, &addr.base, &length) != 0) {
    return throwErrno(info.Env(), errno, "getsockname", "");
  }
  int port = ntohs(addr.base.sa_family == AF_INET ? addr.v4.sin_port : addr.v6.sin6_port);
  return Napi::Number::New(info.Env(), port);
}

// udpBufferSizes(handle) -> [rcvbuf, sndbuf] as the kernel reports them (doubled by Linux)
Napi::Value udpBufferSizesJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Socket* socket = getSocket(info);
  if (socket == nullptr) return env.Undefined();
  int sizes[2] = {0, 0};
  const int names[2] = {SO_RCVBUF, SO_SNDBUF};
  Napi::Array result = Napi::Array::New(env, 2);
  for (uint32_t i = 0; i < 2; i++) {
    socklen_t length = sizeof sizes[i];
    if (getsockopt(socket->udp.fd, SOL_SOCKET, names[i], &sizes[i], &length) != 0) {
      return throwErrno(env, errno, "getsockopt", "");
    }
    result.Set(i, Napi::Number::New(env, sizes[i]));
  }
  return result;
}

// udpRecvStart(handle, rxData, rxMeta, onBatch): onBatch(count) once per received batch.
Napi::Value udpRecvStartJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Socket* socket = getSocket(info);
  if (socket == nullptr) return env.Undefined();
  Arenas arenas;
  if (!getArenas(env, info, &arenas)) return env.Undefined();
  if (!info[3].IsFunction()) return throwType(env, "expected a function");
  if (socket->closed) return throwErrno(env, EBADF, "udpRecvStart", "");
  // Never write past either arena, whatever JS passed.
  uint32_t slots = static_cast<uint32_t>(
      std::min<size_t>({socket->udp.maxBatch, arenas.dataLength / kSlotSize, arenas.metaLength / kMetaStride}));
  if (slots == 0) return throwType(env, "arenas smaller than one slot");

  setReceiveArena(&socket->udp, arenas.data, arenas.meta, slots);
  int error = startPolling(socket, info, "AquaticUdpSocket", onReadable);
  if (error != 0) return throwErrno(env, -error, "uv_poll_start", "");
  return env.Undefined();
}

// udpRecvStop(handle)
Napi::Value udpRecvStopJs(const Napi::CallbackInfo& info) {
  Socket* socket = getSocket(info);
  if (socket != nullptr) stopReceiving(socket);
  return info.Env().Undefined();
}

// udpSend(handle, txData, txMeta, count) -> datagrams sent; safe inside onBatch.
Napi::Value udpSendJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Socket* socket = getSocket(info);
  if (socket == nullptr) return env.Undefined();
  Arenas arenas;
  if (!getArenas(env, info, &arenas)) return env.Undefined();
  int64_t requested = info[3].As<Napi::Number>().Int64Value();
  if (socket->closed || requested <= 0) return Napi::Number::New(env, 0);
  uint32_t count = static_cast<uint32_t>(std::min<int64_t>(
      {requested, socket->udp.maxBatch, static_cast<int64_t>(arenas.dataLength / kSlotSize),
       static_cast<int64_t>(arenas.metaLength / kMetaStride)}));
  return Napi::Number::New(env, sendBatch(&socket->udp, arenas.data, arenas.meta, count));
}

// udpRecvErrors(handle) -> recvmmsg/poll errors other than EAGAIN so far
Napi::Value udpRecvErrorsJs(const Napi::CallbackInfo& info) {
  Socket* socket = getSocket(info);
  if (socket == nullptr) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), socket->receiveErrors);
}

// udpClose(handle): idempotent; memory is released once libuv has closed the poll handle.
Napi::Value udpCloseJs(const Napi::CallbackInfo& info) {
  Socket* socket = getSocket(info);
  if (socket != nullptr) closeNow(socket);
  return info.Env().Undefined();
}

void onStreamsReady(uv_poll_t* poll, int status, int) {
  Streams* streams = static_cast<Streams*>(poll->data);
  if (!streams->receiving || streams->exiting) return;
  if (status < 0) {
    streams->receiveErrors++;
    uv_poll_start(poll, UV_READABLE, onStreamsReady);
    return;
  }
  for (int round = 0; round < kBatchesPerPoll; round++) {
    int count = pollStreams(&streams->poller);
    if (count <= 0) {
      if (count < 0) streams->receiveErrors++;
      return;
    }
    if (!deliver(streams, count) || !streams->receiving || streams->exiting) return;
  }
}

// tcpServe(listenFd, rxData, rxMeta, onBatch) -> handle: serves the listener's streams
// through one epoll set; onBatch(count) gets every batch of stream records. Owns listenFd.
Napi::Value tcpServeJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int listenFd = info[0].As<Napi::Number>().Int32Value();
  if (env.IsExceptionPending()) return env.Undefined();
  Arenas arenas;
  if (!getArenas(env, info, &arenas)) return env.Undefined();
  if (!info[3].IsFunction()) return throwType(env, "expected a function");
  if (arenas.dataLength < kReadChunk || arenas.metaLength < 4 * kStreamStride || arenas.dataLength > INT32_MAX) {
    return throwType(env, "arenas too small (or too large)");
  }
  Streams* streams = new Streams();
  int error = openStreamPoller(&streams->poller, listenFd);
  if (error != 0) {
    delete streams;
    return throwErrno(env, error, "epoll_ctl", "");
  }
  streams->poller.data = arenas.data;
  streams->poller.dataLength = static_cast<uint32_t>(arenas.dataLength);
  streams->poller.meta = arenas.meta;
  streams->poller.metaSlots = static_cast<uint32_t>(arenas.metaLength / kStreamStride);
  error = initPoll(streams, env, streams->poller.epollFd);
  if (error == 0) {
    error = startPolling(streams, info, "AquaticTcpServer", onStreamsReady);
    if (error != 0) {
      streams->finalized = true;  // no External will own it: free once the poll handle has closed
      closeNow(streams);
      return throwErrno(env, -error, "uv_poll_start", "");
    }
  } else {
    closeStreamPoller(&streams->poller);
    delete streams;
    return throwErrno(env, -error, "uv_poll_init", "");
  }
  return Napi::External<Polled>::New(env, streams, onFinalize);
}

// tcpWrite(handle, data, requests, count): send() per request; results in the requests.
Napi::Value tcpWriteJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Streams* streams = getHandle<Streams>(info);
  if (streams == nullptr) return env.Undefined();
  Arenas arenas;
  if (!getArenas(env, info, &arenas)) return env.Undefined();
  int64_t requested = info[3].As<Napi::Number>().Int64Value();
  if (streams->closed || requested <= 0) return env.Undefined();
  uint32_t count = static_cast<uint32_t>(std::min<int64_t>(requested, arenas.metaLength / kWriteStride));
  writeStreams(arenas.data, arenas.dataLength, arenas.meta, count);
  return env.Undefined();
}

// tcpWatchWritable(handle, fd, on) -> 0 or an errno
Napi::Value tcpWatchWritableJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Streams* streams = getHandle<Streams>(info);
  if (streams == nullptr) return env.Undefined();
  int fd = info[1].As<Napi::Number>().Int32Value();
  bool on = info[2].ToBoolean().Value();
  if (streams->closed) return Napi::Number::New(env, EBADF);
  return Napi::Number::New(env, watchWritable(&streams->poller, fd, on));
}

// tcpResumeAccept(handle) -> 0 or an errno
Napi::Value tcpResumeAcceptJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Streams* streams = getHandle<Streams>(info);
  if (streams == nullptr) return env.Undefined();
  if (streams->closed) return Napi::Number::New(env, EBADF);
  return Napi::Number::New(env, resumeAccept(&streams->poller));
}

// tcpCloseStream(handle, fd): closes a stream this server accepted (it leaves the epoll set).
Napi::Value tcpCloseStreamJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Streams* streams = getHandle<Streams>(info);
  if (streams == nullptr) return env.Undefined();
  int fd = info[1].As<Napi::Number>().Int32Value();
  if (fd != streams->poller.listenFd && fd != streams->poller.epollFd && fd > 2) close(fd);
  return env.Undefined();
}

// tcpServeClose(handle): idempotent; closes the listener and the epoll set, not the streams.
Napi::Value tcpServeCloseJs(const Napi::CallbackInfo& info) {
  Streams* streams = getHandle<Streams>(info);
  if (streams != nullptr) closeNow(streams);
  return info.Env().Undefined();
}

// tcpLocalPort(fd) -> the port a listener is bound to
Napi::Value tcpLocalPortJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  if (env.IsExceptionPending()) return env.Undefined();
  SockAddr addr;
  socklen_t length = sizeof addr;
  if (getsockname(fd, &addr.base, &length) != 0) return throwErrno(env, errno, "getsockname", "");
  return Napi::Number::New(env, ntohs(addr.base.sa_family == AF_INET ? addr.v4.sin_port : addr.v6.sin6_port));
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  exports.Set("udpOpen", Napi::Function::New(env, udpOpenJs, "udpOpen"));
  exports.Set("udpLocalPort", Napi::Function::New(env, udpLocalPortJs, "udpLocalPort"));
  exports.Set("udpBufferSizes", Napi::Function::New(env, udpBufferSizesJs, "udpBufferSizes"));
  exports.Set("udpRecvStart", Napi::Function::New(env, udpRecvStartJs, "udpRecvStart"));
  exports.Set("udpRecvStop", Napi::Function::New(env, udpRecvStopJs, "udpRecvStop"));
  exports.Set("udpSend", Napi::Function::New(env, udpSendJs, "udpSend"));
  exports.Set("udpRecvErrors", Napi::Function::New(env, udpRecvErrorsJs, "udpRecvErrors"));
  exports.Set("udpClose", Napi::Function::New(env, udpCloseJs, "udpClose"));
  exports.Set("tcpListen", Napi::Function::New(env, tcpListenJs, "tcpListen"));
  exports.Set("tcpLocalPort", Napi::Function::New(env, tcpLocalPortJs, "tcpLocalPort"));
  exports.Set("tcpServe", Napi::Function::New(env, tcpServeJs, "tcpServe"));
  exports.Set("tcpWrite", Napi::Function::New(env, tcpWriteJs, "tcpWrite"));
  exports.Set("tcpWatchWritable", Napi::Function::New(env, tcpWatchWritableJs, "tcpWatchWritable"));
  exports.Set("tcpResumeAccept", Napi::Function::New(env, tcpResumeAcceptJs, "tcpResumeAccept"));
  exports.Set("tcpCloseStream", Napi::Function::New(env, tcpCloseStreamJs, "tcpCloseStream"));
  exports.Set("tcpServeClose", Napi::Function::New(env, tcpServeCloseJs, "tcpServeClose"));
  exports.Set("chroot", Napi::Function::New(env, chrootJs, "chroot"));
  exports.Set("SLOT_SIZE", Napi::Number::New(env, kSlotSize));
  exports.Set("META_STRIDE", Napi::Number::New(env, kMetaStride));
  exports.Set("STREAM_STRIDE", Napi::Number::New(env, kStreamStride));
  exports.Set("WRITE_STRIDE", Napi::Number::New(env, kWriteStride));
  exports.Set("FLAG_REUSEPORT", Napi::Number::New(env, kFlagReusePort));
  exports.Set("FLAG_V6ONLY", Napi::Number::New(env, kFlagV6Only));
  return exports;
}

}  // namespace

NODE_API_MODULE(aquatic_native, init)
