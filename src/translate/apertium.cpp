// Offline translation by Apertium: the installed modes as language pairs, and
// a Translator that runs `apertium` as a child process.
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>

#include "core/child_process.h"
#include "core/text.h"
#include "translate/translate.h"

namespace ocrchat::translate {
namespace {

constexpr const char* kApertiumBinary = "/usr/bin/apertium";

// Apertium names newer pairs by ISO 639-3 codes ("eng-spa"), older ones by
// ISO 639-1 ("es-pt"). The 639-3 codes of Apertium's pairs with a 639-1 code.
constexpr std::pair<std::string_view, std::string_view> kIso3ToIso1[] = {
    {"afr", "af"}, {"arg", "an"}, {"ara", "ar"}, {"bak", "ba"}, {"bel", "be"}, {"bre", "br"},
    {"bul", "bg"}, {"ben", "bn"}, {"bos", "bs"}, {"cat", "ca"}, {"ces", "cs"}, {"chv", "cv"},
    {"cos", "co"}, {"cym", "cy"}, {"dan", "da"}, {"deu", "de"}, {"ell", "el"}, {"eng", "en"},
    {"epo", "eo"}, {"spa", "es"}, {"est", "et"}, {"eus", "eu"}, {"fas", "fa"}, {"fin", "fi"},
    {"fao", "fo"}, {"fra", "fr"}, {"fry", "fy"}, {"gle", "ga"}, {"gla", "gd"}, {"glg", "gl"},
    {"heb", "he"}, {"hin", "hi"}, {"hrv", "hr"}, {"hun", "hu"}, {"hye", "hy"}, {"ind", "id"},
    {"isl", "is"}, {"ita", "it"}, {"kaz", "kk"}, {"kir", "ky"}, {"kur", "ku"}, {"lat", "la"},
    {"ltz", "lb"}, {"lit", "lt"}, {"lav", "lv"}, {"mkd", "mk"}, {"mlt", "mt"}, {"msa", "ms"},
    {"nld", "nl"}, {"nno", "nn"}, {"nob", "nb"}, {"nor", "no"}, {"oci", "oc"}, {"pol", "pl"},
    {"por", "pt"}, {"ron", "ro"}, {"rus", "ru"}, {"srd", "sc"}, {"sme", "se"}, {"slk", "sk"},
    {"slv", "sl"}, {"sqi", "sq"}, {"srp", "sr"}, {"swe", "sv"}, {"tat", "tt"}, {"tur", "tr"},
    {"ukr", "uk"}, {"urd", "ur"}, {"uzb", "uz"}, {"zho", "zh"},
};

// A 3-letter code without a 639-1 form stays as it is (as ocr::ToIso does).
std::string ToIso1(std::string_view code) {
  for (auto [iso3, iso1] : kIso3ToIso1)
    if (code == iso3) return std::string(iso1);
  return std::string(code);
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool IsLanguageCode(std::string_view text) {
  return (text.size() == 2 || text.size() == 3) &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

struct ApertiumMode {
  Pair pair;
  std::string name;  // what `apertium` is given: "eng-spa"
};

struct ModeCandidate {
  ApertiumMode mode;
  bool is_variant = false;  // "es-pt_BR", "eng-cat_valencia"
  bool iso3_named = false;
};

// "<from>-<to>" or "<from>-<to>_<variant>"; nullopt for debug modes
// ("en-es-anmor"), "eco-es-fr" and anything else.
std::optional<ModeCandidate> ParseModeName(const std::string& name) {
  size_t dash = name.find('-');
  if (dash == std::string::npos || name.find('-', dash + 1) != std::string::npos)
    return std::nullopt;
  std::string from = name.substr(0, dash);
  std::string to = name.substr(dash + 1);
  bool is_variant = false;
  if (size_t underscore = to.find('_'); underscore != std::string::npos) {
    if (underscore + 1 == to.size()) return std::nullopt;
    to.resize(underscore);
    is_variant = true;
  }
  if (!IsLanguageCode(from) || !IsLanguageCode(to)) return std::nullopt;
  ModeCandidate candidate;
  candidate.mode = {{ToIso1(from), ToIso1(to)}, name};
  candidate.is_variant = is_variant;
  candidate.iso3_named = from.size() == 3 || to.size() == 3;
  return candidate;
}

std::vector<ApertiumMode> ScanModes(const std::string& modes_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(modes_dir, ec)) {
    if (entry.path().extension() != ".mode" || !entry.is_regular_file(ec)) continue;
    names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  // Per pair the best mode: the plain one before a variant (a regional
  // variant only when it is the sole way to the pair); a 3-letter name
  // before a 2-letter one, since Apertium's 3-letter pairs are the ones it
  // maintains and replaced the old ones with.
  std::map<std::pair<std::string, std::string>, ModeCandidate> best;
  for (const std::string& name : names) {
    std::optional<ModeCandidate> candidate = ParseModeName(name);
    if (!candidate) continue;
    auto key = std::pair(candidate->mode.pair.from, candidate->mode.pair.to);
    auto [it, inserted] = best.try_emplace(key, *candidate);
    if (inserted) continue;
    auto rank = [](const ModeCandidate& c) { return std::tuple(c.is_variant, !c.iso3_named); };
    if (rank(*candidate) < rank(it->second)) it->second = *candidate;
  }
  std::vector<ApertiumMode> modes;
  for (auto& [key, candidate] : best) modes.push_back(std::move(candidate.mode));
  return modes;
}

// The scan of each modes_dir, made once per process.
const std::vector<ApertiumMode>& InstalledModes(const std::string& modes_dir) {
  static std::mutex mutex;
  static std::map<std::string, std::vector<ApertiumMode>> modes_by_dir;  // guarded by mutex
  std::lock_guard lock(mutex);
  auto [it, inserted] = modes_by_dir.try_emplace(modes_dir);
  if (inserted) it->second = ScanModes(modes_dir);
  // Entries are never changed or erased once made, so the reference stays
  // valid after the lock is released.
  return it->second;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsBlank(std::string_view text) { return std::all_of(text.begin(), text.end(), IsSpace); }

using core::Trim;

// Apertium adds and drops blanks at the ends (a dropped pronoun leaves its
// space: "I am" -> " Soy"); the translation gets the input's instead, which
// also keeps the input's trailing newline.
std::string WithSurroundingSpaceOf(std::string_view input, std::string_view translation) {
  std::string_view core = Trim(input);
  size_t leading = core.empty() ? input.size() : static_cast<size_t>(core.data() - input.data());
  size_t trailing = input.size() - leading - core.size();
  std::string out(input.substr(0, leading));
  out += Trim(translation);
  out += input.substr(input.size() - trailing);
  return out;
}

// Decodes the entities apertium's html reformatter may write; an unknown one
// is kept as written.
std::string UnescapeHtml(std::string_view text) {
  static const std::map<std::string_view, std::string_view> kNamed = {
      {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", "\u00A0"}};
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    size_t end = text[i] == '&' ? text.find(';', i) : std::string_view::npos;
    std::string_view name =
        end == std::string_view::npos || end - i > 10 ? "" : text.substr(i + 1, end - i - 1);
    if (auto named = kNamed.find(name); !name.empty() && named != kNamed.end()) {
      out += named->second;
      i = end;
      continue;
    }
    if (name.size() >= 2 && name[0] == '#') {
      bool hex = name[1] == 'x' || name[1] == 'X';
      std::string_view digits = name.substr(hex ? 2 : 1);
      uint32_t value = 0;
      auto [stop, error] =
          std::from_chars(digits.data(), digits.data() + digits.size(), value, hex ? 16 : 10);
      if (error == std::errc() && stop == digits.data() + digits.size() && !digits.empty()) {
        bool valid = value > 0 && value <= 0x10FFFF && !(value >= 0xD800 && value <= 0xDFFF);
        out += core::EncodeUtf8(std::u32string(1, valid ? char32_t(value) : U'\uFFFD'));
        i = end;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

// Segments travel as <p id="sN"> elements of an html document: apertium's
// html format keeps tags as "superblanks", which no stage of its pipeline
// changes, and makes each <p> a sentence of its own. Markers in plain text
// are words to it, and blank lines may sit inside a segment.
std::string SegmentOpenTag(size_t index) { return "<p id=\"s" + std::to_string(index) + "\">"; }

std::string SegmentsAsHtml(const std::vector<std::string_view>& segments) {
  std::string html;
  for (size_t i = 0; i < segments.size(); ++i)
    html += SegmentOpenTag(i) + core::EscapeHtml(segments[i]) + "</p>\n";
  return html;
}

// The segments back from apertium's html output, or nullopt when it does
// not hold exactly `count` of them in order.
std::optional<std::vector<std::string>> SegmentsFromHtml(const std::string& html, size_t count) {
  std::vector<std::string> segments;
  size_t position = 0;
  for (size_t i = 0; i < count; ++i) {
    std::string open = SegmentOpenTag(i);
    size_t start = html.find(open, position);
    if (start == std::string::npos) return std::nullopt;
    start += open.size();
    size_t end = html.find("</p>", start);
    if (end == std::string::npos) return std::nullopt;
    std::string_view content(html.data() + start, end - start);
    if (content.find("<p") != std::string_view::npos) return std::nullopt;
    segments.push_back(UnescapeHtml(content));
    position = end + 4;
  }
  if (html.find("<p id=\"s", position) != std::string::npos) return std::nullopt;
  return segments;
}

std::string DurationText(int ms) {
  return ms >= 1000 && ms % 1000 == 0 ? std::to_string(ms / 1000) + " s"
                                      : std::to_string(ms) + " ms";
}

std::string PairName(const std::string& from, const std::string& to) { return from + "->" + to; }

class ApertiumTranslator final : public Translator {
 public:
  ApertiumTranslator(int timeout_ms, std::string data_dir, std::vector<ApertiumMode> modes)
      : timeout_ms_(timeout_ms), data_dir_(std::move(data_dir)), modes_(std::move(modes)) {}

  core::Result<std::string> Translate(const std::string& text, const std::string& from,
                                      const std::string& to) override {
    auto mode = FindMode(from, to);
    if (!mode) return std::unexpected(mode.error());
    if (IsBlank(text)) return text;
    auto out = Run(**mode, "txt", std::string(Trim(text)));
    if (!out) return std::unexpected(out.error());
    if (IsBlank(*out))
      return core::Fail(core::ErrorCode::kUnavailable,
                        "offline translation " + PairName(from, to) + " returned no text");
    return WithSurroundingSpaceOf(text, *out);
  }

  core::Result<std::vector<std::string>> TranslateSegments(const std::vector<std::string>& segments,
                                                           const std::string& from,
                                                           const std::string& to) override {
    auto mode = FindMode(from, to);
    if (!mode) return std::unexpected(mode.error());
    std::vector<std::string> translated = segments;
    std::vector<size_t> to_send;
    std::vector<std::string_view> trimmed;
    for (size_t i = 0; i < segments.size(); ++i) {
      if (IsBlank(segments[i])) continue;
      to_send.push_back(i);
      trimmed.push_back(Trim(segments[i]));
    }
    if (to_send.size() > 1) {
      auto html = Run(**mode, "html", SegmentsAsHtml(trimmed));
      if (!html) return std::unexpected(html.error());
      std::optional<std::vector<std::string>> back = SegmentsFromHtml(*html, to_send.size());
      bool complete = back && std::none_of(back->begin(), back->end(),
                                           [](const std::string& s) { return IsBlank(s); });
      if (complete) {
        for (size_t k = 0; k < to_send.size(); ++k)
          translated[to_send[k]] = WithSurroundingSpaceOf(segments[to_send[k]], (*back)[k]);
        return translated;
      }
      // Something in the text made apertium lose a segment boundary: one
      // run per segment is slower but cannot mix segments up.
    }
    for (size_t index : to_send) {
      auto one = Translate(segments[index], from, to);
      if (!one) return std::unexpected(one.error());
      translated[index] = std::move(*one);
    }
    return translated;
  }

  bool Supports(const std::string& from, const std::string& to) const override {
    return FindMode(from, to).has_value();
  }

 private:
  core::Result<const ApertiumMode*> FindMode(const std::string& from, const std::string& to) const {
    std::string from_iso = ToIso1(Lower(from)), to_iso = ToIso1(Lower(to));
    for (const ApertiumMode& mode : modes_)
      if (mode.pair.from == from_iso && mode.pair.to == to_iso) return &mode;
    std::string message = "no offline translation from " + from + " to " + to;
    if (modes_.empty()) {
      message += "; no Apertium language pairs are installed";
    } else {
      message += "; available: ";
      for (size_t i = 0; i < modes_.size(); ++i)
        message += (i ? ", " : "") + PairName(modes_[i].pair.from, modes_[i].pair.to);
    }
    return core::Fail(core::ErrorCode::kInvalidParameter, message);
  }

  core::Result<std::string> Run(const ApertiumMode& mode, const std::string& format,
                                const std::string& input) const {
    std::string pair = PairName(mode.pair.from, mode.pair.to);
    if (access(kApertiumBinary, X_OK) != 0)
      return core::Fail(core::ErrorCode::kUnavailable,
                        "offline translation is unavailable: Apertium is not installed",
                        std::string(kApertiumBinary) + " is missing or not executable");
    // -u: no '*' before unknown words, which are passed through as they are.
    core::ChildOutcome outcome = core::RunChild(
        kApertiumBinary, {"-u", "-d", data_dir_, "-f", format, mode.name}, input, timeout_ms_);
    if (outcome.timed_out)
      return core::Fail(core::ErrorCode::kUnavailable,
                        "offline translation " + pair + " took longer than " +
                            DurationText(timeout_ms_) + " and was stopped; try a shorter text",
                        "apertium " + mode.name + ": timeout after " + std::to_string(timeout_ms_) +
                            " ms, " + std::to_string(input.size()) + " bytes of input");
    if (outcome.exit_code != 0)
      return core::Fail(core::ErrorCode::kUnavailable,
                        "offline translation " + pair + " failed (apertium " + mode.name +
                            " exited with " +
                            (outcome.exit_code < 0 ? std::string("a signal")
                                                   : "code " + std::to_string(outcome.exit_code)) +
                            ")",
                        "apertium -d " + data_dir_ + " " + mode.name);
    return std::move(outcome.out);
  }

  const int timeout_ms_;
  const std::string data_dir_;  // apertium -d: the folder holding modes/
  const std::vector<ApertiumMode> modes_;
};

// `apertium -d DIR` reads DIR/modes/<mode>.mode.
std::string DataDirOf(const std::string& modes_dir) {
  std::filesystem::path path = std::filesystem::path(modes_dir).lexically_normal();
  if (!path.has_filename()) path = path.parent_path();
  return path.parent_path().string();
}

}  // namespace

std::vector<Pair> ApertiumPairs(const std::string& modes_dir) {
  std::vector<Pair> pairs;
  for (const ApertiumMode& mode : InstalledModes(modes_dir)) pairs.push_back(mode.pair);
  return pairs;
}

std::unique_ptr<Translator> MakeApertiumTranslator(int timeout_ms, const std::string& modes_dir) {
  return std::make_unique<ApertiumTranslator>(timeout_ms, DataDirOf(modes_dir),
                                              InstalledModes(modes_dir));
}

}  // namespace ocrchat::translate
