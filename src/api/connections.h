// Connections: idle and slow clients wait in one poll loop, not in threads;
// a bounded pool of threads serves requests whose headers have arrived, and
// a request that finds the pool and its queue full is answered 503.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

namespace ocrchat::api {

struct ConnectionLimits {
  int threads = 64;                      // requests served at once
  int queue = 64;                        // requests waiting for a thread; beyond: 503
  int64_t read_timeout_ms = 10000;       // the whole header, and each read of a body
  int64_t write_timeout_ms = 10000;      // each write of a response
  int64_t keep_alive_timeout_ms = 5000;  // an idle connection is closed after this
  int keep_alive_max = 100;              // requests on one connection
  int max_connections = 8192;            // open at once; beyond, new ones are closed
};

// Serves one request read from the stream (httplib's Server::process_request).
using ProcessRequest =
    std::function<bool(httplib::Stream& stream, bool close_connection, bool& connection_closed)>;

// Owns every accepted connection from Adopt until it is closed.
// Thread-safe: Adopt is called by the accepting thread, the rest by the
// connections' own threads. With an SSL_CTX, connections speak TLS; their
// handshake and headers are read on a pool thread (within the read timeout),
// and a saturated TLS server closes new connections instead of answering 503.
class Connections {
 public:
  Connections(ConnectionLimits limits, ProcessRequest process, SSL_CTX* tls = nullptr);
  ~Connections();
  Connections(const Connections&) = delete;
  Connections& operator=(const Connections&) = delete;

  // Takes an accepted socket; never blocks.
  void Adopt(int fd);
  // Closes every connection and joins the threads; requests being served finish first.
  void Stop();

  int64_t Refused() const { return refused_.load(); }

 private:
  struct Connection {
    int fd = -1;
    SSL* ssl = nullptr;
    std::string buffered;  // bytes read but not yet given to the request parser
    int served = 0;        // requests answered on it
  };
  struct Parked {
    Connection connection;
    int64_t deadline_ms = 0;
    bool draining = false;  // refused: answered, now reading until the client closes
  };

  void Park(Connection connection, int64_t wait_ms);
  void PollLoop();
  // Reads what a parked connection sent; true when it is ready for a thread.
  bool ReadParked(Parked& parked, bool& closed);
  void Dispatch(Connection connection);
  void Refuse(Connection connection);
  void Work();
  void Serve(Connection connection);
  // Reads what a served connection has sent since, without waiting; true
  // when a whole header is there. Closes the connection when the client has.
  bool ReadWaiting(Connection& connection);
  void Close(Connection& connection);
  void Wake();

  const ConnectionLimits limits_;
  const ProcessRequest process_;
  SSL_CTX* const tls_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> open_{0};
  std::atomic<int64_t> refused_{0};
  int wake_[2] = {-1, -1};

  std::mutex inbox_mutex_;
  std::vector<Parked> inbox_;  // guarded by inbox_mutex_: handed to the poll loop

  std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::deque<Connection> queue_;  // guarded by queue_mutex_
  int busy_ = 0;                  // guarded by queue_mutex_: threads serving a request

  std::thread poller_;
  std::vector<std::thread> workers_;
};

// An httplib server (plain or TLS) whose accepted sockets go to a Connections.
template <class Base>
class GuardedServer : public Base {
 public:
  using Base::Base;
  void SetConnections(Connections* connections) { connections_ = connections; }
  bool Process(httplib::Stream& stream, bool close_connection, bool& connection_closed) {
    return this->process_request(stream, close_connection, connection_closed, nullptr);
  }

 private:
  bool process_and_close_socket(socket_t sock) override {
    connections_->Adopt(sock);
    return true;
  }
  Connections* connections_ = nullptr;
};

// httplib's accept loop hands each socket to a task queue; this one runs the
// task at once on the accepting thread, where GuardedServer adopts it.
class AdoptAtOnce : public httplib::TaskQueue {
 public:
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override {}
};

}  // namespace ocrchat::api
