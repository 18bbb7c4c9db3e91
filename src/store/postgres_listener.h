// LISTEN/NOTIFY for the PostgreSQL store: one session per process and
// database hears the store's channels and wakes the threads that wait on
// them, so that an idle worker or a POST waiting for its job does not poll.
// Private to src/store.
#pragma once

#include <libpq-fe.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace ocrchat::store::pg {

// The notifications heard are numbered in order. A waiter takes the
// number so far (Mark) before it looks at the database, and then waits for
// one after it: a change committed between its look and its wait still
// wakes it. Thread-safe.
class Listener {
 public:
  // The process's listener on `channels` of the database at `url`; the
  // first caller starts it (its session is made on its own thread). It
  // stops when the last holder lets go. A forked child starts its own.
  static std::shared_ptr<Listener> For(const std::string& url,
                                       const std::vector<std::string>& channels);
  Listener(std::string url, std::vector<std::string> channels);
  ~Listener();  // stops its thread and closes its session
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // The number of the last notification heard (0: none yet).
  uint64_t Mark() const;

  // Waits until a notification numbered after `mark` on `channel` (with
  // `payload`, unless that is nullopt) is heard, or timeout_ms passes.
  // True when woken: by such a notification, or because some may have been
  // missed since `mark` (the session was made again, or more came than are
  // remembered). False when the time ran out.
  bool Wait(uint64_t mark, std::string_view channel, std::optional<std::string_view> payload,
            int64_t timeout_ms);

 private:
  struct Note {
    uint64_t number;
    std::string channel;  // "" stands for every channel: the session was (re)made
    std::string payload;
  };
  static constexpr size_t kRemembered = 1024;

  void Run();
  // Hears notifications until the session breaks or the listener stops.
  void Pump(PGconn* conn);
  void Heard(std::string channel, std::string payload);
  bool Stopping();

  const std::string url_;
  const std::vector<std::string> channels_;
  const int owner_;   // the process id that started it
  int stop_fd_ = -1;  // an eventfd: written to stop the thread
  mutable std::mutex mutex_;
  std::condition_variable heard_;
  uint64_t last_ = 0;       // guarded by mutex_
  std::deque<Note> notes_;  // guarded by mutex_; the last kRemembered
  bool stopping_ = false;   // guarded by mutex_
  std::thread thread_;
};

}  // namespace ocrchat::store::pg
