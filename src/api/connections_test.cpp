// Connections over socket pairs, with a request handler that answers "ok".
#include "api/connections.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ocrchat::api {
namespace {

constexpr char kRequest[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

// Reads a header, answers 200 "ok".
bool AnswerOk(httplib::Stream& stream, bool close_connection, bool& connection_closed) {
  std::string got;
  char c;
  while (got.find("\r\n\r\n") == std::string::npos) {
    if (stream.read(&c, 1) != 1) return false;
    got += c;
  }
  std::string out = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  connection_closed = close_connection;
  return stream.write(out.data(), out.size()) == static_cast<ssize_t>(out.size());
}

// A socket pair: the server's end is adopted, the client's end is returned.
int Connect(Connections& connections) {
  int ends[2];
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, ends), 0);
  connections.Adopt(ends[0]);
  return ends[1];
}

void Send(int fd, const std::string& bytes) {
  ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
}

// What the server sends until `until` appears or it closes (or 30 s pass).
std::string Receive(int fd, const std::string& until) {
  std::string got;
  char chunk[4096];
  while (got.find(until) == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 30000) <= 0) break;
    ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) break;
    got.append(chunk, static_cast<size_t>(n));
  }
  return got;
}

// True when the server closed fd without sending anything (within 30 s).
bool ClosedSilently(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 30000) <= 0) return false;
  char c;
  return ::recv(fd, &c, 1, 0) <= 0;
}

TEST(ConnectionsTest, AnswersRequestsOnOneConnection) {
  Connections connections({}, AnswerOk);
  int fd = Connect(connections);
  Send(fd, kRequest);
  EXPECT_NE(Receive(fd, "ok").find("200 OK"), std::string::npos);
  Send(fd, kRequest);  // kept alive
  EXPECT_NE(Receive(fd, "ok").find("200 OK"), std::string::npos);
  ::close(fd);
}

TEST(ConnectionsTest, AHeaderSentInPiecesIsServed) {
  Connections connections({}, AnswerOk);
  int fd = Connect(connections);
  Send(fd, "GET / HT");
  Send(fd, "TP/1.1\r\nHost: x\r\n");
  Send(fd, "\r\n");
  EXPECT_NE(Receive(fd, "ok").find("200 OK"), std::string::npos);
  ::close(fd);
}

TEST(ConnectionsTest, AHeaderNotFinishedWithinTheReadTimeoutIsClosed) {
  ConnectionLimits limits;
  limits.read_timeout_ms = 200;
  Connections connections(limits, AnswerOk);
  int fd = Connect(connections);
  Send(fd, "GET / HTTP/1.1\r\nHost: x\r\n");
  EXPECT_TRUE(ClosedSilently(fd));
  ::close(fd);
}

TEST(ConnectionsTest, IdleConnectionsTakeNoThread) {
  // One thread and one queue place: fifty idle connections would overflow
  // them if they held either. (The queue place is for the next request,
  // which may arrive while the thread is still putting the last one away.)
  ConnectionLimits limits;
  limits.threads = 1;
  limits.queue = 1;
  Connections connections(limits, AnswerOk);
  std::vector<int> idle;
  for (int i = 0; i < 50; ++i) idle.push_back(Connect(connections));
  Send(idle[0], kRequest);  // one request, then idle on keep-alive
  EXPECT_NE(Receive(idle[0], "ok").find("200 OK"), std::string::npos);
  int fd = Connect(connections);
  Send(fd, kRequest);
  EXPECT_NE(Receive(fd, "ok").find("200 OK"), std::string::npos);
  EXPECT_EQ(connections.Refused(), 0);
  for (int i : idle) ::close(i);
  ::close(fd);
}

TEST(ConnectionsTest, ASaturatedServerAnswers503WithRetryAfter) {
  std::mutex mutex;
  std::condition_variable changed;
  bool started = false, release = false;
  ConnectionLimits limits;
  limits.threads = 1;
  limits.queue = 0;
  Connections connections(limits, [&](httplib::Stream& stream, bool close, bool& closed) {
    {
      std::unique_lock lock(mutex);
      started = true;
      changed.notify_all();
      changed.wait(lock, [&] { return release; });
    }
    return AnswerOk(stream, close, closed);
  });
  int busy = Connect(connections);
  Send(busy, kRequest);
  {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return started; });
  }
  int refused = Connect(connections);
  Send(refused, kRequest);
  std::string answer = Receive(refused, "}");
  EXPECT_NE(answer.find("HTTP/1.1 503"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Retry-After: 1\r\n"), std::string::npos) << answer;
  EXPECT_NE(answer.find("\"code\": \"unavailable\""), std::string::npos) << answer;
  EXPECT_EQ(connections.Refused(), 1);
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  changed.notify_all();
  EXPECT_NE(Receive(busy, "ok").find("200 OK"), std::string::npos);
  ::close(busy);
  ::close(refused);
}

}  // namespace
}  // namespace ocrchat::api
