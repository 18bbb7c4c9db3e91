// The webhook sender: takes the deliveries that are due from the store,
// POSTs each (signed, see webhook.h) and records the attempt and when to
// try again. Runs on its own thread inside `serve`, beside the supervisor's
// loop, so that a slow receiver holds up no worker; deliveries live in the
// store, so a restarted server goes on where the last one stopped.
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "store/store.h"
#include "webhook/webhook.h"

namespace ocrchat::jobs {

// One round: claims the deliveries due now (at most `limit`), sends them
// one after the other and records each attempt. Returns how many were
// attempted. A delivery's body is the job object (JobJson) when it is
// first sent, and the same bytes after.
int SendDueWebhooks(store::Store& store, const webhook::Config& config, int limit = 16);

class WebhookSender {
 public:
  WebhookSender(store::Location location, webhook::Config config);
  ~WebhookSender();  // stops
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  void Start();
  // Waits for the attempt in flight, at most the webhook timeout.
  void Stop();

 private:
  void Loop();

  store::Location location_;
  webhook::Config config_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace ocrchat::jobs
