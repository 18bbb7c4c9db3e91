// Answers through an OpenAI-compatible chat-completions API, given the best
// passages of the document, and checks the citations it returns.
#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "chat/chat.h"
#include "chat/extractive.h"
#include "chat/fields_answer.h"
#include "chat/question.h"
#include "chat/retrieval.h"
#include "core/text.h"
#include "model/model.h"

namespace ocrchat::chat {
namespace {

using nlohmann::json;

constexpr const char kSystemPrompt[] =
    "You answer questions about one document using only the passages given with each "
    "question, which were extracted from the document by OCR. Every passage is labelled with "
    "its page as [p. N]. Cite the page of every fact you state as (p. N), right after it. If "
    "the passages do not contain the answer, say that the document does not contain that "
    "information; never guess or use outside knowledge. Answer briefly.";

std::string PassagesMessage(const Corpus& corpus, const Query& query, const Reply& extractive,
                            const std::string& field_lines, const std::string& question,
                            int max_passages) {
  std::string text;
  // Invoice and receipt fields read from the page layout, each with the
  // page it was printed on; the passages below hold the lines they came from.
  if (!field_lines.empty())
    text += "Fields read from the document's layout:\n" + field_lines + "\n";
  text += "Passages from the document:\n";
  std::set<std::pair<int, std::string>> sent;
  auto add = [&](int page, const std::string& passage) {
    if (!sent.insert({page, passage}).second) return;
    text += "[p. " + std::to_string(page + 1) + "] " + core::NormalizeSpace(passage) + "\n";
  };
  // What the rules found first: the letterhead or the total line are often
  // what the question is about even when they share few words with it.
  for (const Citation& citation : extractive.message.citations) add(citation.page - 1, citation.snippet);
  for (size_t i : TopPassages(corpus, query, max_passages))
    add(corpus.passages()[i].page, corpus.passages()[i].text);
  if (sent.empty()) text += "(no passage matches the question)\n";
  return text + "\nQuestion: " + question;
}

// The passage of `page` that best supports `claim`, if any shares a content word.
const Passage* Support(const Corpus& corpus, int page, const std::string& claim) {
  std::vector<std::string> tokens = Tokenize(claim);
  std::set<std::string> claim_terms(tokens.begin(), tokens.end());
  const Passage* best = nullptr;
  double best_score = 0;
  for (const Passage& passage : corpus.passages()) {
    if (passage.page != page) continue;
    std::set<std::string> shared;
    for (const std::string& token : passage.tokens)
      if (claim_terms.contains(token)) shared.insert(token);
    double score = 0;
    for (const std::string& term : shared) score += corpus.Idf(term);
    // Prefer the tighter passage when two support the claim equally.
    score -= 0.001 * passage.text.size();
    if (!shared.empty() && (!best || score > best_score)) {
      best = &passage;
      best_score = score;
    }
  }
  return best;
}

// Keeps the "(p. N)" citations of `content` that name a page of the document
// supported by one of its passages; removes the others from the text.
Reply CheckCitations(const Corpus& corpus, const std::string& content) {
  static const std::regex marker(R"(\s*\((?:pp?\.|pages?)\s*(\d+(?:\s*(?:,|and|&|-|–)\s*(?:p\.\s*)?\d+)*)\))",
                                 std::regex::icase);
  static const std::regex number(R"(\d+)");
  Reply reply;
  reply.message.role = "assistant";
  std::string out;
  size_t claim_start = 0;
  auto last = content.cbegin();
  int page_count = static_cast<int>(corpus.pages().size());
  for (auto it = std::sregex_iterator(content.begin(), content.end(), marker);
       it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    out.append(last, m[0].first);
    last = m[0].second;
    std::string claim = out.substr(claim_start);
    std::string inner = m.str(1);
    std::vector<int> kept;
    for (auto n = std::sregex_iterator(inner.begin(), inner.end(), number);
         n != std::sregex_iterator(); ++n) {
      int page = std::stoi(n->str(0));
      if (page < 1 || page > page_count) {
        reply.warnings.push_back("the answer cited page " + std::to_string(page) +
                                 ", which the document does not have; that citation was removed");
        continue;
      }
      const Passage* passage = Support(corpus, page - 1, claim);
      if (!passage) {
        reply.warnings.push_back("nothing on page " + std::to_string(page) +
                                 " supports what the answer cited it for; that citation was removed");
        continue;
      }
      kept.push_back(page);
      Citation citation{page, passage->text};
      if (std::find(reply.message.citations.begin(), reply.message.citations.end(), citation) ==
          reply.message.citations.end())
        reply.message.citations.push_back(std::move(citation));
    }
    if (!kept.empty()) {
      out += " (p. ";
      for (size_t k = 0; k < kept.size(); ++k) out += (k ? ", " : "") + std::to_string(kept[k]);
      out += ")";
    }
    claim_start = out.size();
  }
  out.append(last, content.cend());
  reply.message.content = core::NormalizeSpace(out);
  return reply;
}

class LlmAnswerer : public Answerer {
 public:
  explicit LlmAnswerer(LlmConfig config) : config_(std::move(config)) {}

  core::Result<Reply> Answer(const core::Document& doc, const std::vector<Message>& history,
                             const std::string& question) override {
    if (core::NormalizeSpace(question).empty())
      return core::Fail(core::ErrorCode::kInvalidParameter, "the message is empty");
    Corpus corpus(doc);
    Query query = ResolveQuestion(corpus, history, question);
    Reply extractive = AnswerQuestion(doc, corpus, query, question);
    std::string field_lines;
    if (!AskedFields(question).empty()) field_lines = FieldsContext(fields::Extract(doc));

    json messages = json::array();
    messages.push_back({{"role", "system"}, {"content", kSystemPrompt}});
    for (const Message& message : history)
      if (message.role == "user" || message.role == "assistant")
        messages.push_back({{"role", message.role}, {"content", message.content}});
    messages.push_back(
        {{"role", "user"},
         {"content", PassagesMessage(corpus, query, extractive, field_lines, question, config_.max_passages)}});
    json body = {{"messages", messages}, {"temperature", 0}};

    std::string failure;
    std::optional<std::string> content = Complete(body, failure);
    if (!content) {
      extractive.warnings.push_back("the language model did not answer (" + failure +
                                    "): this answer was extracted from the document");
      return extractive;
    }
    return CheckCitations(corpus, *content);
  }

 private:
  // The reply's text, or nullopt with `failure` saying why.
  std::optional<std::string> Complete(const json& body, std::string& failure) const {
    model::Client client({config_.url, config_.model, config_.api_key, config_.timeout_ms});
    auto completion = client.Complete(body);
    if (!completion) {
      failure = completion.error().message;
      return std::nullopt;
    }
    if (core::NormalizeSpace(completion->content).empty()) {
      failure = "empty reply";
      return std::nullopt;
    }
    return completion->content;
  }

  const LlmConfig config_;
};

}  // namespace

std::unique_ptr<Answerer> MakeLlmAnswerer(LlmConfig config) {
  return std::make_unique<LlmAnswerer>(std::move(config));
}

}  // namespace ocrchat::chat
