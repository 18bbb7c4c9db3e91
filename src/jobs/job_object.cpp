// The job object read from the store.
#include "jobs/job_object.h"

#include <algorithm>

#include "core/clock.h"

namespace ocrchat::jobs {

using nlohmann::json;

exports::JobInfo JobInfoOf(const store::JobRow& job) {
  exports::JobInfo info;
  info.uuid = job.uuid;
  info.status = job.status;
  info.tier = job.tier;
  info.language = job.language;
  info.tool = job.tool;
  info.filename = job.filename;
  info.page_count = job.page_count;
  info.pages_done = job.pages_done;
  info.created_at = core::Rfc3339(job.created_at_ms);
  info.completed_at = job.completed_at_ms ? core::Rfc3339(job.completed_at_ms) : "";
  info.error = job.error;
  info.warnings = job.warnings;
  return info;
}

core::Document DocumentOf(store::Store& store, const store::JobRow& job) {
  core::Document document;
  document.pages = store.PagesOf(job.uuid);
  document.detected_language = job.detected_language;
  return document;
}

json WebhookJson(const std::optional<store::JobWebhook>& webhook) {
  if (!webhook) return nullptr;
  json deliveries = json::array();
  for (const store::Delivery& d : webhook->deliveries)
    deliveries.push_back(
        {{"id", d.id},
         {"event", d.event},
         {"attempts", d.attempts},
         {"status", d.status},
         {"last_status_code", d.last_status_code ? json(*d.last_status_code) : json(nullptr)},
         {"last_error", d.last_error.empty() ? json(nullptr) : json(d.last_error)},
         {"next_attempt_at",
          d.next_attempt_at_ms ? json(core::Rfc3339(d.next_attempt_at_ms)) : json(nullptr)}});
  return {{"url", webhook->url}, {"deliveries", std::move(deliveries)}};
}

std::optional<fields::Fields> StoredFields(store::Store& store, const store::JobRow& job) {
  if (job.status != "done") return std::nullopt;
  std::optional<std::string> stored = store.ArtifactOf(job.uuid, "fields");
  if (!stored) return std::nullopt;
  return fields::FromJson(json::parse(*stored, nullptr, false));
}

json JobJson(store::Store& store, const store::JobRow& job) {
  exports::JobInfo info = JobInfoOf(job);
  info.fields = StoredFields(store, job);
  core::Document document = DocumentOf(store, job);
  // The pages are read after the row: a page finished in between is listed,
  // and the count says so too. Pages done only grow, so the larger is true.
  info.pages_done = std::max(info.pages_done, static_cast<int>(document.pages.size()));
  json out = exports::JobObject(info, document);
  out["webhook"] = WebhookJson(store.WebhookOf(job.uuid));
  return out;
}

}  // namespace ocrchat::jobs
