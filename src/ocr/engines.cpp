// Engines by name, and the deliberately slow engine that tests of the page
// time limit use.
#include <thread>

#include "core/text.h"
#include "ocr/engine.h"

namespace ocrchat::ocr {
namespace {

// Waits, then lets the inner engine read the page. The wait does not look
// at the deadline: it stands for work that cannot be interrupted.
class SlowEngine : public Engine {
 public:
  SlowEngine(std::unique_ptr<Engine> inner, int delay_ms, std::vector<std::string> languages)
      : inner_(std::move(inner)), delay_ms_(delay_ms), languages_(std::move(languages)) {}

  core::Result<core::Page> Recognize(const Pix* image, const RecognizeOptions& options) override {
    if (Applies(options.languages))
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
    return inner_->Recognize(image, options);
  }

 private:
  bool Applies(const std::string& requested) const {
    if (languages_.empty()) return true;
    for (const std::string& code : core::Split(requested, '+'))
      for (const std::string& slow : languages_)
        if (code == slow) return true;
    return false;
  }

  std::unique_ptr<Engine> inner_;
  int delay_ms_;
  std::vector<std::string> languages_;
};

}  // namespace

core::Result<std::unique_ptr<Engine>> MakeEngine(std::string_view name,
                                                 const SecondReaderSetup& second) {
  if (name.empty() || name == "tesseract") return MakeTesseractEngine(second);
  if (name.starts_with("slow:")) {
    std::vector<std::string> parts = core::Split(std::string(name.substr(5)), ':');
    int delay_ms = -1;
    try {
      if (!parts.empty()) delay_ms = std::stoi(parts[0]);
    } catch (const std::exception&) {
    }
    if (delay_ms >= 0 && parts.size() <= 2) {
      std::vector<std::string> languages;
      if (parts.size() == 2) languages = core::Split(parts[1], '+');
      auto inner = MakeTesseractEngine(second);
      if (!inner) return std::unexpected(inner.error());
      return std::make_unique<SlowEngine>(std::move(*inner), delay_ms, std::move(languages));
    }
  }
  return core::Fail(core::ErrorCode::kInvalidParameter,
                    "unknown engine '" + std::string(name) + "': use tesseract or slow:MS[:LANGS]");
}

}  // namespace ocrchat::ocr
