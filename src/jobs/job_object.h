// The job object as GET /api/v1/ocr/<uuid>/ returns it and a webhook
// carries it, read from the store: the SPEC's fields and `webhook`.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "core/document.h"
#include "export/export.h"
#include "store/store.h"

namespace ocrchat::jobs {

exports::JobInfo JobInfoOf(const store::JobRow& job);
// The job's finished pages and its detected language.
core::Document DocumentOf(store::Store& store, const store::JobRow& job);
// {"url", "deliveries": [{"id", "event", "attempts", "status",
// "last_status_code", "last_error", "next_attempt_at"}]}, or null without a
// webhook. No secret is in it.
nlohmann::json WebhookJson(const std::optional<store::JobWebhook>& webhook);
// The whole job object, `webhook` included.
nlohmann::json JobJson(store::Store& store, const store::JobRow& job);

}  // namespace ocrchat::jobs
