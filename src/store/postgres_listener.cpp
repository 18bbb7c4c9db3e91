// The listening session behind postgres_listener.h: poll on its socket,
// PQconsumeInput and PQnotifies, made again when it breaks.
#include "store/postgres_listener.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <map>

namespace ocrchat::store::pg {
namespace {

// A session that only listens. Keepalives find a peer that vanished
// without closing (a machine or network gone) within a minute or so.
PGconn* ListenOn(const std::string& url, const std::vector<std::string>& channels) {
  const char* keys[] = {"dbname",
                        "connect_timeout",
                        "keepalives",
                        "keepalives_idle",
                        "keepalives_interval",
                        "keepalives_count",
                        nullptr};
  const char* values[] = {url.c_str(), "10", "1", "30", "10", "3", nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return nullptr;
  if (PQstatus(conn) != CONNECTION_OK) {
    PQfinish(conn);
    return nullptr;
  }
  for (const std::string& channel : channels) {
    char* name = PQescapeIdentifier(conn, channel.data(), channel.size());
    if (name == nullptr) {
      PQfinish(conn);
      return nullptr;
    }
    PGresult* result = PQexec(conn, ("LISTEN " + std::string(name)).c_str());
    PQfreemem(name);
    bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
    PQclear(result);
    if (!ok) {
      PQfinish(conn);
      return nullptr;
    }
  }
  return conn;
}

}  // namespace

std::shared_ptr<Listener> Listener::For(const std::string& url,
                                        const std::vector<std::string>& channels) {
  // Never destroyed: stores of threads that outlive main still find it.
  static auto* mutex = new std::mutex;
  static auto* listeners =
      new std::map<std::pair<std::string, std::vector<std::string>>, std::weak_ptr<Listener>>;
  std::lock_guard lock(*mutex);
  std::erase_if(*listeners, [](const auto& entry) { return entry.second.expired(); });
  std::weak_ptr<Listener>& slot = (*listeners)[{url, channels}];
  std::shared_ptr<Listener> listener = slot.lock();
  if (!listener || listener->owner_ != getpid()) {
    listener = std::make_shared<Listener>(url, channels);
    slot = listener;
  }
  return listener;
}

Listener::Listener(std::string url, std::vector<std::string> channels)
    : url_(std::move(url)), channels_(std::move(channels)), owner_(getpid()) {
  stop_fd_ = eventfd(0, EFD_CLOEXEC);
  thread_ = std::thread([this] { Run(); });
}

Listener::~Listener() {
  if (getpid() != owner_) {
    // A forked child's copy: the thread and the session are the parent's.
    new std::thread(std::move(thread_));
    return;
  }
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  if (stop_fd_ >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t written = write(stop_fd_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
  if (stop_fd_ >= 0) close(stop_fd_);
}

uint64_t Listener::Mark() const {
  std::lock_guard lock(mutex_);
  return last_;
}

bool Listener::Wait(uint64_t mark, std::string_view channel,
                    std::optional<std::string_view> payload, int64_t timeout_ms) {
  auto woken = [&] {
    // Some after the mark were forgotten: one of them may have been it.
    if (!notes_.empty() && notes_.front().number > mark + 1) return true;
    for (auto note = notes_.rbegin(); note != notes_.rend() && note->number > mark; ++note)
      if (note->channel.empty() ||
          (note->channel == channel && (!payload || note->payload == *payload)))
        return true;
    return false;
  };
  std::unique_lock lock(mutex_);
  return heard_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(0, timeout_ms)), woken);
}

void Listener::Heard(std::string channel, std::string payload) {
  {
    std::lock_guard lock(mutex_);
    notes_.push_back({++last_, std::move(channel), std::move(payload)});
    while (notes_.size() > kRemembered) notes_.pop_front();
  }
  heard_.notify_all();
}

bool Listener::Stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void Listener::Run() {
  int retry_ms = 100;
  while (!Stopping()) {
    PGconn* conn = ListenOn(url_, channels_);
    if (conn == nullptr) {
      // The server is away: try again later; waiters fall back on their
      // time limits meanwhile.
      pollfd stop = {stop_fd_, POLLIN, 0};
      poll(&stop, 1, retry_ms);
      retry_ms = std::min(retry_ms * 2, 5000);
      continue;
    }
    retry_ms = 100;
    // What was committed before this session listened was not heard.
    Heard("", "");
    Pump(conn);
    PQfinish(conn);
  }
}

void Listener::Pump(PGconn* conn) {
  pollfd fds[2] = {{PQsocket(conn), POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  while (true) {
    // The stop event ends the wait at once; the time limit is for a
    // listener that could not make one.
    int ready = poll(fds, 2, 1000);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0 || fds[1].revents != 0 || Stopping()) return;
    if (fds[0].revents == 0) continue;
    if (PQconsumeInput(conn) == 0) return;  // the session broke
    while (PGnotify* note = PQnotifies(conn)) {
      Heard(note->relname, note->extra ? note->extra : "");
      PQfreemem(note);
    }
    if (PQstatus(conn) != CONNECTION_OK) return;
  }
}

}  // namespace ocrchat::store::pg
