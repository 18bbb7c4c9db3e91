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
// The fields stored for a done job when it was assembled (nullopt for
// other jobs, and for jobs assembled before fields were stored).
std::optional<fields::Fields> StoredFields(store::Store& store, const store::JobRow& job);
// The whole job object, `webhook` included.
nlohmann::json JobJson(store::Store& store, const store::JobRow& job);

}  // namespace ocrchat::jobs
