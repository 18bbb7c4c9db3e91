// Accepted connections: a poll loop for idle and slow ones, a bounded pool of threads for requests.
#include "api/connections.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace ocrchat::api {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// True when fd is ready for events within timeout_ms.
bool WaitFor(int fd, short events, int64_t timeout_ms) {
  pollfd p{fd, events, 0};
  int64_t deadline = NowMs() + timeout_ms;
  while (true) {
    int left = static_cast<int>(std::max<int64_t>(0, deadline - NowMs()));
    int n = ::poll(&p, 1, left);
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

void SetTimeout(int fd, int option, int64_t ms) {
  timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  setsockopt(fd, SOL_SOCKET, option, &tv, sizeof(tv));
}

// The end of a request's header: a blank line.
bool HasHeaderEnd(const std::string& bytes) {
  return bytes.find("\r\n\r\n") != std::string::npos || bytes.find("\n\n") != std::string::npos;
}

// Beyond this a header is given to the parser, which refuses it.
constexpr size_t kMaxHeaderBytes = 64 * 1024;
constexpr int64_t kDrainMs = 2000;

void AddressOf(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  int got = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                 : getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (got != 0) return;
  char host[NI_MAXHOST], serv[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof(host), serv, sizeof(serv),
                  NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    ip = host;
    port = std::atoi(serv);
  }
}

// One request's view of a connection: first the bytes the poll loop read,
// then the socket (or its TLS session), each read and write within its timeout.
class ConnectionStream : public httplib::Stream {
 public:
  ConnectionStream(int fd, SSL* ssl, std::string& buffered, const ConnectionLimits& limits)
      : fd_(fd), ssl_(ssl), buffered_(buffered), limits_(limits) {}

  bool is_readable() const override {
    return !buffered_.empty() || (ssl_ && SSL_pending(ssl_) > 0) ||
           WaitFor(fd_, POLLIN, limits_.read_timeout_ms);
  }
  bool is_writable() const override { return WaitFor(fd_, POLLOUT, limits_.write_timeout_ms); }

  ssize_t read(char* ptr, size_t size) override {
    if (buffered_.empty() && Fill() <= 0) return -1;
    size_t n = std::min(size, buffered_.size());
    std::memcpy(ptr, buffered_.data(), n);
    buffered_.erase(0, n);
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    if (ssl_) {
      int n = SSL_write(ssl_, ptr, static_cast<int>(std::min<size_t>(size, 1 << 30)));
      return n > 0 ? n : -1;
    }
    while (true) {
      ssize_t n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      return n;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    AddressOf(fd_, true, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    AddressOf(fd_, false, ip, port);
  }
  socket_t socket() const override { return fd_; }

 private:
  // Reads what has arrived into buffered_; the byte count, <= 0 at the end or on error.
  ssize_t Fill() {
    char chunk[16384];
    ssize_t n;
    if (ssl_) {
      if (SSL_pending(ssl_) <= 0 && !WaitFor(fd_, POLLIN, limits_.read_timeout_ms)) return -1;
      n = SSL_read(ssl_, chunk, sizeof(chunk));
    } else {
      if (!WaitFor(fd_, POLLIN, limits_.read_timeout_ms)) return -1;
      do n = ::recv(fd_, chunk, sizeof(chunk), 0);
      while (n < 0 && errno == EINTR);
    }
    if (n > 0) buffered_.append(chunk, static_cast<size_t>(n));
    return n;
  }

  int fd_;
  SSL* ssl_;
  std::string& buffered_;
  const ConnectionLimits& limits_;
};

}  // namespace

Connections::Connections(ConnectionLimits limits, ProcessRequest process, SSL_CTX* tls)
    : limits_(limits), process_(std::move(process)), tls_(tls) {
  if (pipe2(wake_, O_NONBLOCK | O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  poller_ = std::thread([this] { PollLoop(); });
  for (int i = 0; i < std::max(1, limits_.threads); ++i) workers_.emplace_back([this] { Work(); });
}

Connections::~Connections() {
  Stop();
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void Connections::Adopt(int fd) {
  if (stopping_ || open_.load() >= limits_.max_connections) {
    ::close(fd);
    return;
  }
  ++open_;
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  SetTimeout(fd, SO_RCVTIMEO, limits_.read_timeout_ms);
  SetTimeout(fd, SO_SNDTIMEO, limits_.write_timeout_ms);
  Connection connection;
  connection.fd = fd;
  Park(std::move(connection), limits_.read_timeout_ms);
}

void Connections::Stop() {
  if (stopping_.exchange(true)) return;
  Wake();
  if (poller_.joinable()) poller_.join();
  {
    std::lock_guard lock(queue_mutex_);
    for (Connection& c : queue_) Close(c);
    queue_.clear();
  }
  queue_ready_.notify_all();
  for (std::thread& t : workers_)
    if (t.joinable()) t.join();
  std::lock_guard lock(inbox_mutex_);
  for (Parked& p : inbox_) Close(p.connection);
  inbox_.clear();
}

void Connections::Wake() {
  char byte = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_[1], &byte, 1);
}

void Connections::Park(Connection connection, int64_t wait_ms) {
  {
    std::lock_guard lock(inbox_mutex_);
    inbox_.push_back({std::move(connection), NowMs() + wait_ms, false});
  }
  Wake();
}

void Connections::PollLoop() {
  std::vector<Parked> parked;
  std::vector<pollfd> fds;
  while (!stopping_) {
    {
      std::lock_guard lock(inbox_mutex_);
      for (Parked& p : inbox_) parked.push_back(std::move(p));
      inbox_.clear();
    }
    fds.assign(1, pollfd{wake_[0], POLLIN, 0});
    for (const Parked& p : parked) fds.push_back({p.connection.fd, POLLIN, 0});
    int n = ::poll(fds.data(), fds.size(), 250);
    if (n < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) {
      char drain[256];
      while (::read(wake_[0], drain, sizeof(drain)) > 0) {
      }
    }
    int64_t now = NowMs();
    std::vector<Parked> kept;
    kept.reserve(parked.size());
    for (size_t i = 0; i < parked.size(); ++i) {
      Parked& p = parked[i];
      if (fds[i + 1].revents != 0) {
        bool closed = false;
        bool ready = ReadParked(p, closed);
        if (closed) {
          Close(p.connection);
          continue;
        }
        if (ready) {
          Dispatch(std::move(p.connection));
          continue;
        }
      }
      if (now >= p.deadline_ms) {
        Close(p.connection);
        continue;
      }
      kept.push_back(std::move(p));
    }
    parked = std::move(kept);
  }
  for (Parked& p : parked) Close(p.connection);
}

bool Connections::ReadParked(Parked& parked, bool& closed) {
  Connection& c = parked.connection;
  if (tls_ && !parked.draining) return true;  // the TLS session reads on a thread
  bool was_empty = c.buffered.empty();
  char chunk[16384];
  while (true) {
    ssize_t n = ::recv(c.fd, chunk, sizeof(chunk), MSG_DONTWAIT);
    if (n > 0) {
      if (!parked.draining) c.buffered.append(chunk, static_cast<size_t>(n));
      if (c.buffered.size() > kMaxHeaderBytes) break;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    // The client closed (or the connection failed); a whole request sent
    // before a half-close is still answered.
    if (n == 0 && !parked.draining && HasHeaderEnd(c.buffered)) return true;
    closed = true;
    return false;
  }
  if (parked.draining) return false;
  // The header's time starts with its first byte (after a keep-alive wait).
  if (was_empty && !c.buffered.empty()) parked.deadline_ms = NowMs() + limits_.read_timeout_ms;
  return HasHeaderEnd(c.buffered) || c.buffered.size() > kMaxHeaderBytes;
}

void Connections::Dispatch(Connection connection) {
  {
    std::lock_guard lock(queue_mutex_);
    if (busy_ + static_cast<int>(queue_.size()) < limits_.threads + limits_.queue) {
      queue_.push_back(std::move(connection));
      queue_ready_.notify_one();
      return;
    }
  }
  Refuse(std::move(connection));
}

void Connections::Refuse(Connection connection) {
  ++refused_;
  if (tls_) {
    Close(connection);
    return;
  }
  std::string body = "{\"error\": \"the server is busy: all " + std::to_string(limits_.threads) +
                     " request threads are taken and " + std::to_string(limits_.queue) +
                     " requests are waiting; try again in a second\", \"code\": \"unavailable\"}";
  std::string response =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
      "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  ::send(connection.fd, response.data(), response.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  // Read what the client still sends before closing, so that the close does
  // not reset the connection and lose the answer.
  ::shutdown(connection.fd, SHUT_WR);
  connection.buffered.clear();
  {
    std::lock_guard lock(inbox_mutex_);
    inbox_.push_back({std::move(connection), NowMs() + kDrainMs, true});
  }
  Wake();
}

void Connections::Work() {
  while (true) {
    Connection connection;
    {
      std::unique_lock lock(queue_mutex_);
      queue_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      connection = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
    }
    Serve(std::move(connection));
    std::lock_guard lock(queue_mutex_);
    --busy_;
  }
}

void Connections::Serve(Connection connection) {
  if (tls_ && !connection.ssl) {
    connection.ssl = SSL_new(tls_);
    if (!connection.ssl || SSL_set_fd(connection.ssl, connection.fd) != 1 ||
        SSL_accept(connection.ssl) != 1) {
      Close(connection);
      return;
    }
  }
  while (true) {
    bool last = connection.served + 1 >= limits_.keep_alive_max || stopping_;
    bool closed = false;
    bool ok;
    {
      ConnectionStream stream(connection.fd, connection.ssl, connection.buffered, limits_);
      ok = process_(stream, last, closed);
    }
    ++connection.served;
    if (!ok || closed || last) {
      Close(connection);
      return;
    }
    // A client that sent its next request already is served on this thread.
    if (connection.ssl ? SSL_pending(connection.ssl) > 0 : ReadWaiting(connection)) continue;
    if (connection.fd < 0) return;
    Park(std::move(connection), limits_.keep_alive_timeout_ms);
    return;
  }
}

bool Connections::ReadWaiting(Connection& connection) {
  char chunk[16384];
  while (true) {
    ssize_t n = ::recv(connection.fd, chunk, sizeof(chunk), MSG_DONTWAIT);
    if (n > 0) {
      connection.buffered.append(chunk, static_cast<size_t>(n));
      if (connection.buffered.size() > kMaxHeaderBytes) return true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    Close(connection);  // the client closed, or the connection failed
    return false;
  }
  return HasHeaderEnd(connection.buffered);
}

void Connections::Close(Connection& connection) {
  if (connection.fd < 0) return;
  if (connection.ssl) {
    SSL_shutdown(connection.ssl);
    SSL_free(connection.ssl);
    connection.ssl = nullptr;
  }
  ::shutdown(connection.fd, SHUT_RDWR);
  ::close(connection.fd);
  connection.fd = -1;
  --open_;
}

}  // namespace ocrchat::api
