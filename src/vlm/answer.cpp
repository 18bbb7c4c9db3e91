// The prompts, and the checks an answer must pass before it is used.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/text.h"
#include "vlm/vlm.h"

namespace ocrchat::vlm {
namespace {

std::string Trim(std::string_view text) { return std::string(core::Trim(text)); }

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::optional<bool> Boolean(const std::string& value) {
  std::string v = Lower(value);
  if (v == "true" || v == "yes") return true;
  if (v == "false" || v == "no") return false;
  return std::nullopt;
}

}  // namespace

// The front matter's keys are olmOCR's, so that models trained for it
// (olmOCR-2) answer in the form we check, and others follow the example.
std::string Prompt(bool handwriting) {
  std::string prompt =
      "Attached is one page of a document. Return its text as you would read it naturally, "
      "in reading order (columns one after the other), as Markdown: headings with #, lists "
      "with -, tables as Markdown pipe tables (or HTML tables when cells span rows or "
      "columns), equations as LaTeX between $$ and $$, and each figure or chart as "
      "![a short description of the figure](figure). Do not describe the page or add "
      "anything that is not on it; skip nothing that is.\n"
      "Start your answer with this front matter:\n"
      "---\n"
      "primary_language: the ISO 639-1 code of the page's main language, or null\n"
      "is_rotation_valid: true when the text reads upright\n"
      "rotation_correction: 0, 90, 180 or 270, the degrees clockwise the image must be "
      "turned so that the text reads upright\n"
      "is_table: true when the page is mostly a table\n"
      "is_diagram: true when the page is mostly a diagram or chart\n"
      "---";
  if (handwriting)
    prompt +=
        "\nThe page is handwritten. Transcribe exactly what is written, with the writer's "
        "spelling and line breaks; do not correct, complete or summarise it. Mark a word you "
        "cannot read as [illegible].";
  return prompt;
}

std::optional<Answer> ParseAnswer(const std::string& content) {
  std::string trimmed = Trim(content);
  if (trimmed.starts_with("\xEF\xBB\xBF")) trimmed = Trim(trimmed.substr(3));
  // Reasoning models may put their thoughts before the answer.
  if (trimmed.starts_with("<think>")) {
    size_t close = trimmed.find("</think>");
    if (close == std::string::npos) return std::nullopt;
    trimmed = Trim(trimmed.substr(close + 8));
  }
  // Some servers wrap the whole answer in a code fence; a fence left open
  // (the closing one lost) still holds the answer.
  if (trimmed.starts_with("```")) {
    size_t first = trimmed.find('\n');
    if (first == std::string::npos) return std::nullopt;
    size_t last = trimmed.rfind("```");
    trimmed = Trim(last > first ? trimmed.substr(first + 1, last - first - 1)
                                : trimmed.substr(first + 1));
  }
  if (!trimmed.starts_with("---")) return std::nullopt;
  size_t body = trimmed.find('\n');
  if (body == std::string::npos) return std::nullopt;
  // The closing line is "---" alone ("---|---" opens a table). It may follow
  // the opening one at once (an empty front matter), so the search starts at
  // the opening line's newline.
  size_t end = body;
  for (;; ++end) {
    end = trimmed.find("\n---", end);
    if (end == std::string::npos) return std::nullopt;
    size_t eol = std::min(trimmed.find('\n', end + 1), trimmed.size());
    if (Trim(std::string_view(trimmed).substr(end + 1, eol - end - 1)).find_first_not_of('-') ==
        std::string::npos)
      break;
  }
  Answer answer;
  bool any = false;
  std::string block = end > body ? trimmed.substr(body + 1, end - body - 1) : "";
  for (const std::string& raw : core::Split(block, '\n')) {
    std::string line = Trim(raw);
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string::npos) return std::nullopt;
    std::string key = Lower(Trim(line.substr(0, colon)));
    std::string value = Trim(line.substr(colon + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    if (key == "primary_language") {
      answer.front.primary_language = Lower(value) == "null" || Lower(value) == "none" ? "" : value;
    } else if (key == "rotation_correction") {
      // The whole value is the number: "90.5" or "90 degrees" is no answer.
      int degrees = -1;
      auto [next, error] = std::from_chars(value.data(), value.data() + value.size(), degrees);
      if (error != std::errc() || next != value.data() + value.size()) return std::nullopt;
      if (degrees != 0 && degrees != 90 && degrees != 180 && degrees != 270) return std::nullopt;
      answer.front.rotation_correction = degrees;
    } else if (key == "is_table" || key == "is_diagram" || key == "is_rotation_valid") {
      std::optional<bool> flag = Boolean(value);
      if (!flag) return std::nullopt;
      if (key == "is_table") answer.front.is_table = *flag;
      if (key == "is_diagram") answer.front.is_diagram = *flag;
    } else {
      continue;  // keys of other prompts are no reason to refuse the page
    }
    any = true;
  }
  if (!any) return std::nullopt;
  size_t after = trimmed.find('\n', end + 1);
  answer.markdown = after == std::string::npos ? "" : Trim(trimmed.substr(after + 1));
  return answer;
}

bool IsRepetitionLoop(const std::string& text) {
  std::string t = Trim(text);
  const size_t n = t.size();
  // The tail repeats with a short period for far longer than any real text
  // does ("the the the ...", "| | | ...", a sentence or a paragraph over and
  // over). The first period found ends the search, so a loop costs little
  // and a real text's short runs cost little too.
  for (size_t period = 1; period <= 2000 && period * 2 <= n; ++period) {
    size_t run = 0;
    while (run + period < n && t[n - 1 - run] == t[n - 1 - run - period]) ++run;
    size_t repeats = run / period + 1;
    if (run >= 300 && repeats >= 8) return true;
  }
  // The same non-trivial line many times in a row, blank lines between them
  // or not. Lines without letters are trivial: a table's rows of zeros or of
  // dashes do repeat on real pages.
  auto trivial = [](const std::string& line) {
    if (line.size() < 8) return true;
    for (char c : line)
      if (std::isalpha(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80)
        return false;
    return true;
  };
  std::string previous;
  int same = 0;
  for (const std::string& raw : core::Split(t, '\n')) {
    std::string line = Trim(raw);
    if (line.empty()) continue;
    same = line == previous ? same + 1 : 1;
    previous = line;
    if (same >= 12 && !trivial(line)) return true;
  }
  return false;
}

}  // namespace ocrchat::vlm
