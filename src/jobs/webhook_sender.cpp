// Sending due webhook deliveries and recording their attempts.
#include "jobs/webhook_sender.h"

#include <chrono>
#include <iostream>

#include "core/clock.h"
#include "jobs/job_object.h"

namespace ocrchat::jobs {

int SendDueWebhooks(store::Store& store, const webhook::Config& config, int limit) {
  // A claim lasts as long as an attempt can: connecting, sending, reading.
  const int64_t lease_ms = 3 * config.timeout_ms + 30000;
  std::vector<store::DueDelivery> due = store.ClaimDueDeliveries(limit, lease_ms);
  for (const store::DueDelivery& d : due) {
    std::string body = d.body;
    if (body.empty()) {
      std::optional<store::JobRow> job = store.GetJob(d.job_uuid);
      if (!job) continue;  // deleted meanwhile, and its deliveries with it
      body = JobJson(store, *job).dump();
    }
    webhook::Outcome outcome =
        webhook::Send({d.url, body, d.delivery.id, d.delivery.event, d.secret}, config);
    store::AttemptResult result;
    result.delivered = outcome.delivered;
    if (outcome.status_code) result.status_code = outcome.status_code;
    result.error = outcome.error;
    const int attempts = d.delivery.attempts + 1;
    std::optional<int64_t> next;
    if (!outcome.delivered) {
      next = webhook::NextAttemptAt(d.created_at_ms, attempts, core::NowUnixMs(),
                                    config.retry_base_ms);
      if (!next)
        std::cerr << "ocrchat: webhook " << d.delivery.id << " (" << d.delivery.event << " of job "
                  << d.job_uuid << ") given up after " << attempts << " attempts: " << outcome.error
                  << "\n";
    }
    store.RecordAttempt(d.delivery.id, body, result, next);
  }
  return static_cast<int>(due.size());
}

WebhookSender::WebhookSender(store::Location location, webhook::Config config)
    : location_(std::move(location)), config_(config) {}

WebhookSender::~WebhookSender() { Stop(); }

void WebhookSender::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void WebhookSender::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void WebhookSender::Loop() {
  auto store = store::OpenStore(location_);
  if (!store) {
    std::cerr << "webhooks: " << store.error().message << "\n";
    return;
  }
  while (!stop_.load()) {
    int sent = 0;
    try {
      sent = SendDueWebhooks(**store, config_);
    } catch (const std::exception& e) {
      std::cerr << "webhooks: " << e.what() << "\n";
    }
    if (sent == 0)
      for (int i = 0; i < 5 && !stop_.load(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace ocrchat::jobs
