// Worker processes and their failures.
#include "jobs/supervisor.h"

#include "jobs/pipeline.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <string>
#include <iostream>
#include <vector>

namespace ocrchat::jobs {
namespace {

// A process of this machine with that id exists (a zombie counts as gone).
bool IsAlive(int pid) {
  if (pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH)) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  size_t close = line.rfind(')');
  return close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'Z';
}

}  // namespace

Supervisor::Supervisor(Config config)
    : config_(std::move(config)), webhooks_(config_.StoreLocation(), config_.webhook) {
  if (config_.workers < 0) config_.workers = std::max(1u, std::thread::hardware_concurrency());
  if (config_.node.empty()) config_.node = HostName();
}

Supervisor::~Supervisor() { Stop(); }

void Supervisor::Start() {
  // Tasks left running by this machine's workers that are gone (a previous
  // run's): back to the queue. A worker process of another server on this
  // machine, alive, keeps its own, and other machines' workers theirs.
  // Tasks claimed before tasks named their node have node "".
  if (auto store = store::OpenStore(config_.StoreLocation())) {
    for (const std::string& node : {config_.node, std::string()}) {
      std::vector<int> gone;
      for (int pid : (*store)->RunningWorkers(node))
        if (!IsAlive(pid)) gone.push_back(pid);
      (*store)->RequeueWorkers(node, gone);
    }
  }
  for (int i = 0; i < config_.workers; ++i) Spawn();
  thread_ = std::thread([this] { Loop(); });
  webhooks_.Start();
}

void Supervisor::Stop() {
  if (stop_.exchange(true)) return;
  if (thread_.joinable()) thread_.join();
  webhooks_.Stop();
  std::lock_guard lock(mutex_);
  for (pid_t pid : workers_) kill(pid, SIGKILL);
  for (pid_t pid : workers_) waitpid(pid, nullptr, 0);
  workers_.clear();
}

std::set<pid_t> Supervisor::Workers() const {
  std::lock_guard lock(mutex_);
  return workers_;
}

pid_t Supervisor::Spawn() {
  // The workers' tasks carry this node's name, so that it knows them as its own.
  std::vector<std::string> args = {config_.binary, "worker", "--data", config_.data_dir,
                                   "--node", config_.node,
                                   "--page-timeout", std::to_string(config_.page_timeout_ms / 1000.0),
                                   "--lease", std::to_string(config_.lease_ms / 1000.0),
                                   "--max-pixels", std::to_string(config_.limits.max_pixels),
                                   "--dpi", std::to_string(config_.limits.dpi),
                                   "--engine", config_.engine,
                                   "--second-reader", ocr::SecondReaderName(config_.second_reader.mode),
                                   "--paddle-models", config_.second_reader.Models()};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The model servers' settings go by the environment, so that their keys
  // do not show in the process list; the node's concurrency is shared out.
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string_view entry(*e);
    if (!entry.starts_with("OCRCHAT_VLM_") && !entry.starts_with("OCRCHAT_LLM_") &&
        !entry.starts_with("OCRCHAT_DB="))
      env.emplace_back(entry);
  }
  const vlm::Config& vlm = config_.vlm;
  const int workers = std::max(1, config_.workers);
  int per_worker = (std::max(1, vlm.concurrency) + workers - 1) / workers;
  for (auto [name, value] :
       std::initializer_list<std::pair<const char*, std::string>>{
           {"OCRCHAT_VLM_URL", vlm.server.url},
           {"OCRCHAT_VLM_MODEL", vlm.server.model},
           {"OCRCHAT_VLM_API_KEY", vlm.server.api_key},
           {"OCRCHAT_VLM_TIMEOUT", std::to_string(vlm.server.timeout_ms / 1000.0)},
           {"OCRCHAT_VLM_CONCURRENCY", std::to_string(per_worker)},
           {"OCRCHAT_VLM_IMAGE_PX", std::to_string(vlm.image_px)},
           {"OCRCHAT_VLM_ATTEMPTS", std::to_string(vlm.max_attempts)},
           {"OCRCHAT_LLM_URL", config_.llm_url},
           {"OCRCHAT_LLM_MODEL", config_.llm_model},
           {"OCRCHAT_LLM_API_KEY", config_.llm_api_key},
           {"OCRCHAT_DB", config_.db_url}})
    if (!value.empty()) env.push_back(std::string(name) + "=" + value);
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    // The worker dies with the server: a restarted server requeues its task.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(0);
    close_range(3, ~0U, 0);  // no server sockets in the worker
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  if (pid > 0) {
    std::lock_guard lock(mutex_);
    workers_.insert(pid);
  }
  return pid;
}

void Supervisor::Loop() {
  auto store = store::OpenStore(config_.StoreLocation());
  if (!store) {
    std::cerr << "supervisor: " << store.error().message << "\n";
    return;
  }
  auto last_sweep = std::chrono::steady_clock::now() - std::chrono::hours(1);
  while (!stop_.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    // Dead workers: their tasks go back to the queue (or fail), and a new
    // worker takes their place.
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      bool ours;
      {
        std::lock_guard lock(mutex_);
        ours = workers_.erase(pid) > 0;
      }
      if (!ours) continue;
      bool timed_out = killed_for_time_.erase(pid) > 0;
      // A page past its limit would overrun it again: it fails at once. A
      // crash may be the machine's (memory, a signal): the page gets one
      // more try.
      core::Error error =
          timed_out ? PageTimeLimitError(config_.page_timeout_ms)
                    : core::MakeError(core::ErrorCode::kWorkerCrashed,
                                      "the worker reading this page crashed; the file may be "
                                      "damaged");
      (*store)->ReleaseWorker(store::WorkerId{config_.node, pid}, error, /*retry=*/!timed_out);
      if (!stop_.load()) {
        ++restarts_;
        Spawn();
      }
    }
    // Workers past their lease: ours are stopped (the loop above does the
    // rest). Another process's worker past its lease has died or is stuck:
    // its task is taken back (a dead one's is tried again). Another
    // machine's worker past its lease is taken for dead: that machine is
    // gone, or its own supervisor deals with a stuck one.
    for (const store::WorkerId& overdue : (*store)->OverdueWorkers()) {
      std::lock_guard lock(mutex_);
      const int worker = overdue.pid;
      const bool here = overdue.node == config_.node || overdue.node.empty();
      if (here && workers_.count(worker)) {
        if (!killed_for_time_.count(worker)) {
          killed_for_time_.insert(worker);
          kill(worker, SIGKILL);
        }
      } else if (here && IsAlive(worker)) {
        (*store)->ReleaseWorker(overdue, PageTimeLimitError(config_.page_timeout_ms), false);
      } else {
        (*store)->ReleaseWorker(
            overdue,
            core::MakeError(core::ErrorCode::kWorkerCrashed,
                            "the worker reading this page stopped; the file may be damaged"),
            true);
      }
    }
    auto now = std::chrono::steady_clock::now();
    if (now - last_sweep > std::chrono::seconds(60)) {
      last_sweep = now;
      (*store)->DeleteExpired(config_.retention_ms);
    }
  }
}

}  // namespace ocrchat::jobs
