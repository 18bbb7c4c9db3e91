// The worker loop: claim, recognise or assemble, record.
#include "jobs/worker.h"

#include <chrono>
#include <iostream>
#include <list>
#include <thread>

#include "core/clock.h"
#include "core/text.h"
#include "export/export.h"
#include "fields/fields.h"
#include "jobs/heartbeat.h"
#include "jobs/pipeline.h"
#include "ocr/languages.h"
#include "translate/translate.h"

namespace ocrchat::jobs {
namespace {

// The longest an idle worker waits before it looks at the queue again.
constexpr int64_t kIdleWaitMs = 500;

// The open sources of the last few jobs: consecutive pages of one job
// do not reopen its file.
class SourceCache {
 public:
  core::Result<decode::Source*> Get(store::Store& store, const std::string& uuid,
                                    const decode::Limits& limits) {
    for (auto it = open_.begin(); it != open_.end(); ++it)
      if (it->first == uuid) {
        open_.splice(open_.begin(), open_, it);
        return open_.front().second.get();
      }
    std::optional<std::string> upload = store.UploadOf(uuid);
    if (!upload) return core::Fail(core::ErrorCode::kInternal, "the upload is gone");
    auto source = decode::Open(std::move(*upload), limits);
    if (!source) return std::unexpected(source.error());
    open_.emplace_front(uuid, std::move(*source));
    while (open_.size() > 2) open_.pop_back();
    return open_.front().second.get();
  }
  void Forget(const std::string& uuid) {
    open_.remove_if([&](const auto& entry) { return entry.first == uuid; });
  }

 private:
  std::list<std::pair<std::string, std::unique_ptr<decode::Source>>> open_;
};

core::Error OnPage(core::Error error, int index) {
  if (error.message.rfind("page ", 0) != 0)
    error.message = "page " + std::to_string(index + 1) + ": " + error.message;
  return error;
}

// What one thread of a worker works with: nothing is shared between them
// but the counters.
struct Lane {
  store::Store& store;
  ocr::Engine& engine;
  SourceCache& sources;
  translate::Translator* translator;
  vlm::Counters& counters;
};

void RecognizeTask(const Config& config, const store::Task& task, Lane& lane) {
  store::Store& store = lane.store;
  SourceCache& sources = lane.sources;
  Recipe recipe = RecipeFromJson(task.recipe_json);
  recipe.page_timeout_ms = static_cast<int>(config.page_timeout_ms);
  auto source = sources.Get(store, task.job_uuid, config.limits);
  if (!source) {
    store.FailJob(task.job_uuid, OnPage(source.error(), task.index));
    return;
  }
  auto page = ProcessPage(**source, task.index, lane.engine, recipe, &config.vlm, &lane.counters);
  if (page && recipe.translate_to) TranslateInto(*page, *recipe.translate_to, lane.translator);
  if (!page) {
    store.FailJob(task.job_uuid, OnPage(page.error(), task.index));
    sources.Forget(task.job_uuid);
    return;
  }
  std::string image;
  if (task.format != "pdf") {
    auto encoded = PageImageForPdf(**source, task.index);
    if (encoded) {
      nlohmann::json head = {{"codec", static_cast<int>(encoded->codec)},
                             {"width", encoded->width},
                             {"height", encoded->height},
                             {"bpc", encoded->bits_per_component},
                             {"components", encoded->components},
                             {"dpi", encoded->dpi}};
      image = head.dump() + '\n' + encoded->data;
    }
  }
  auto done = store.CompletePage(task, *page, image);
  if (!done) std::cerr << "worker: " << done.error().message << "\n";
}

exports::PdfPageImage ImageFromBlob(const std::string& blob) {
  exports::PdfPageImage image;
  size_t newline = blob.find('\n');
  if (newline == std::string::npos) return image;
  nlohmann::json head = nlohmann::json::parse(blob.substr(0, newline), nullptr, false);
  if (!head.is_object()) return image;
  image.codec = static_cast<exports::PdfPageImage::Codec>(head.value("codec", 0));
  image.width = head.value("width", 0);
  image.height = head.value("height", 0);
  image.bits_per_component = head.value("bpc", 8);
  image.components = head.value("components", 1);
  image.dpi = head.value("dpi", 300);
  image.data = blob.substr(newline + 1);
  return image;
}

void AssembleTask(store::Store& store, const store::Task& task, SourceCache& sources) {
  sources.Forget(task.job_uuid);
  std::optional<store::JobRow> job = store.GetJob(task.job_uuid);
  if (!job) return;
  core::Document document = Assemble(store.PagesOf(task.job_uuid));
  std::vector<std::string> warnings = document.warnings;
  std::vector<std::pair<std::string, std::string>> artifacts;
  core::Result<std::string> pdf = core::Fail(core::ErrorCode::kInternal, "no pages");
  if (task.format == "pdf") {
    std::optional<std::string> upload = store.UploadOf(task.job_uuid);
    if (upload) pdf = exports::AddTextLayerToPdf(*upload, document);
  } else {
    std::vector<exports::PdfPageImage> images;
    for (const core::Page& page : document.pages)
      images.push_back(ImageFromBlob(store.PdfImageOf(task.job_uuid, page.index)));
    pdf = exports::WriteSearchablePdf(document, images);
  }
  // Fields are extracted once here, not at each read of the job.
  artifacts.emplace_back("fields", fields::ToJson(fields::Extract(document)).dump());
  if (pdf)
    artifacts.emplace_back("pdf", std::move(*pdf));
  else
    warnings.push_back("the searchable PDF could not be made: " + pdf.error().message);
  auto finished = store.FinishJob(task, document.detected_language, warnings, artifacts);
  if (!finished) std::cerr << "worker: " << finished.error().message << "\n";
}

// Reports the model calls counted since the last report.
void ReportModelCalls(store::Store& store, vlm::Counters& counters) {
  int64_t requests = counters.requests.exchange(0), errors = counters.errors.exchange(0),
          latency = counters.latency_ms.exchange(0);
  if (requests || errors || latency) {
    try {
      store.CountModelCalls(requests, errors, latency);
    } catch (const std::exception& e) {
      std::cerr << "worker: " << e.what() << "\n";
    }
  }
}

// One thread's loop: claim, carry out, until stopped.
int RunLane(const Config& config, const store::WorkerId& worker, const std::atomic<bool>& stop,
            store::TaskFilter filter, vlm::Counters& counters) {
  auto opened = store::OpenStore(config.StoreLocation());
  if (!opened) {
    std::cerr << "worker: " << opened.error().message << "\n";
    return 1;
  }
  store::Store& store = **opened;
  auto engine = ocr::MakeEngine(config.engine, config.second_reader);
  if (!engine) {
    std::cerr << "worker: " << engine.error().message << "\n";
    return 1;
  }
  SourceCache sources;
  std::unique_ptr<translate::Translator> translator = MakeTranslator(config.vlm, config.Llm());
  Lane lane{store, **engine, sources, translator.get(), counters};
  // A task is given up (its worker killed, or taken for dead) once it has
  // run past its time limit and the grace.
  const int64_t limit_ms = config.page_timeout_ms + kLeaseGraceMs;
  Heartbeat heartbeat(config.StoreLocation(), worker, config.lease_ms);
  while (!stop.load()) {
    std::optional<store::Task> task = store.ClaimTask(worker, heartbeat.FirstLease(limit_ms), filter);
    if (!task) {
      // Woken by a task queued; the bound is for a wake-up that was lost.
      store.WaitForTask(kIdleWaitMs);
      continue;
    }
    Holding holding(heartbeat, *task, limit_ms);
    if (task->index == store::kAssembly)
      AssembleTask(store, *task, sources);
    else
      RecognizeTask(config, *task, lane);
    ReportModelCalls(store, counters);
  }
  return 0;
}

}  // namespace

int RunWorker(const Config& config, const store::WorkerId& worker, const std::atomic<bool>& stop) {
  vlm::Counters counters;
  if (!config.vlm.Configured()) return RunLane(config, worker, stop, store::TaskFilter::kAny, counters);
  // Whether the model is served is logged once, off the way of the lanes.
  std::thread check([&] {
    std::cerr << "worker " << worker.pid << ": "
              << vlm::Describe(config.vlm, vlm::CheckBackend(config.vlm)) << "\n";
  });
  // Pages of the vlm tier wait on the model server: they have threads of
  // their own, up to the concurrency asked of this worker, and the main
  // thread goes on with the other tiers' pages.
  std::vector<std::thread> lanes;
  for (int i = 0; i < std::max(1, config.vlm.concurrency); ++i)
    lanes.emplace_back([&] { RunLane(config, worker, stop, store::TaskFilter::kVlmTier, counters); });
  int code = RunLane(config, worker, stop, store::TaskFilter::kOtherTiers, counters);
  for (std::thread& lane : lanes) lane.join();
  check.join();
  return code;
}

}  // namespace ocrchat::jobs
