// Translation by the configured chat model: all of a page's segments in one
// request as a JSON array, checked to come back whole; one request per
// segment when they do not.
#include "model/model.h"
#include "ocr/languages.h"
#include "translate/translate.h"

namespace ocrchat::translate {
namespace {

using nlohmann::json;

std::string NameOf(const std::string& iso) {
  for (const ocr::LanguageInfo& l : ocr::KnownLanguages())
    if (l.iso == iso) return l.name + " (" + iso + ")";
  return iso;
}

class ModelTranslator : public Translator {
 public:
  explicit ModelTranslator(model::ServerConfig server) : client_(std::move(server)) {}

  core::Result<std::string> Translate(const std::string& text, const std::string& from,
                                      const std::string& to) override {
    std::string prompt = "Translate the following text from " + NameOf(from) + " into " +
                         NameOf(to) +
                         ". Keep its line breaks, numbers, names, Markdown and LaTeX as they "
                         "are. Answer with the translation only.\n\n" +
                         text;
    auto completion = Ask(prompt);
    if (!completion) return std::unexpected(completion.error());
    return *completion;
  }

  core::Result<std::vector<std::string>> TranslateSegments(const std::vector<std::string>& segments,
                                                           const std::string& from,
                                                           const std::string& to) override {
    std::vector<std::string> out(segments.size());
    json sent = json::array();
    std::vector<size_t> where;
    for (size_t i = 0; i < segments.size(); ++i)
      if (segments[i].find_first_not_of(" \t\r\n") != std::string::npos) {
        sent.push_back(segments[i]);
        where.push_back(i);
      }
    if (where.empty()) return out;
    std::string prompt =
        "Translate each string of this JSON array from " + NameOf(from) + " into " + NameOf(to) +
        ". Answer with only a JSON array of the translations: the same number of strings, in "
        "the same order. Keep numbers, names, Markdown and LaTeX as they are.\n\n" +
        sent.dump();
    auto completion = Ask(prompt);
    if (!completion) return std::unexpected(completion.error());
    size_t open = completion->find('['), close = completion->rfind(']');
    if (open != std::string::npos && close != std::string::npos && close > open) {
      json reply = json::parse(completion->substr(open, close - open + 1), nullptr, false);
      if (reply.is_array() && reply.size() == where.size() &&
          std::all_of(reply.begin(), reply.end(), [](const json& j) { return j.is_string(); })) {
        for (size_t k = 0; k < where.size(); ++k) out[where[k]] = reply[k].get<std::string>();
        return out;
      }
    }
    // The model did not keep the array whole: one segment at a time.
    for (size_t i : where) {
      auto one = Translate(segments[i], from, to);
      if (!one) return std::unexpected(one.error());
      out[i] = std::move(*one);
    }
    return out;
  }

  bool Supports(const std::string& from, const std::string& to) const override {
    return !from.empty() && !to.empty();
  }

 private:
  core::Result<std::string> Ask(const std::string& prompt) const {
    json request = {{"messages", {{{"role", "user"}, {"content", prompt}}}}, {"temperature", 0}};
    auto completion = client_.Complete(request);
    if (!completion)
      return core::Fail(core::ErrorCode::kUnavailable,
                        "the translation model did not answer (" + completion.error().message + ")");
    if (completion->finish_reason == "length")
      return core::Fail(core::ErrorCode::kUnavailable, "the translation was cut short (length)");
    if (completion->content.find_first_not_of(" \t\r\n") == std::string::npos)
      return core::Fail(core::ErrorCode::kUnavailable, "the translation model answered nothing");
    return completion->content;
  }

  model::Client client_;
};

}  // namespace

std::unique_ptr<Translator> MakeModelTranslator(model::ServerConfig server) {
  return std::make_unique<ModelTranslator>(std::move(server));
}

}  // namespace ocrchat::translate
