// The language table, installed models, and text language identification.
#include "ocr/languages.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "cld2/public/compact_lang_det.h"
#include "cld2/public/encodings.h"

namespace CLD2 {
const char* LanguageCode(Language lang);  // from cld2/internal/lang_script.h
}

namespace ocrchat::ocr {
namespace {

struct Entry {
  const char* tesseract;
  const char* iso;  // "" when ISO 639-1 has no code
  const char* name;
};

// Every Tesseract 5 language model Debian packages, with ISO 639-1 codes.
constexpr Entry kLanguages[] = {
    {"afr", "af", "Afrikaans"}, {"amh", "am", "Amharic"}, {"ara", "ar", "Arabic"},
    {"asm", "as", "Assamese"}, {"aze", "az", "Azerbaijani"}, {"aze_cyrl", "", "Azerbaijani (Cyrillic)"},
    {"bel", "be", "Belarusian"}, {"ben", "bn", "Bengali"}, {"bod", "bo", "Tibetan"},
    {"bos", "bs", "Bosnian"}, {"bre", "br", "Breton"}, {"bul", "bg", "Bulgarian"},
    {"cat", "ca", "Catalan"}, {"ceb", "", "Cebuano"}, {"ces", "cs", "Czech"},
    {"chi_sim", "zh", "Chinese (Simplified)"}, {"chi_tra", "zh-tw", "Chinese (Traditional)"},
    {"chr", "", "Cherokee"}, {"cos", "co", "Corsican"}, {"cym", "cy", "Welsh"},
    {"dan", "da", "Danish"}, {"deu", "de", "German"}, {"div", "dv", "Dhivehi"},
    {"dzo", "dz", "Dzongkha"}, {"ell", "el", "Greek"}, {"eng", "en", "English"},
    {"enm", "", "Middle English"}, {"epo", "eo", "Esperanto"}, {"est", "et", "Estonian"},
    {"eus", "eu", "Basque"}, {"fao", "fo", "Faroese"}, {"fas", "fa", "Persian"},
    {"fil", "tl", "Filipino"}, {"fin", "fi", "Finnish"}, {"fra", "fr", "French"},
    {"frk", "", "Fraktur"}, {"frm", "", "Middle French"}, {"fry", "fy", "Western Frisian"},
    {"gla", "gd", "Scottish Gaelic"}, {"gle", "ga", "Irish"}, {"glg", "gl", "Galician"},
    {"grc", "", "Ancient Greek"}, {"guj", "gu", "Gujarati"}, {"hat", "ht", "Haitian Creole"},
    {"heb", "he", "Hebrew"}, {"hin", "hi", "Hindi"}, {"hrv", "hr", "Croatian"},
    {"hun", "hu", "Hungarian"}, {"hye", "hy", "Armenian"}, {"iku", "iu", "Inuktitut"},
    {"ind", "id", "Indonesian"}, {"isl", "is", "Icelandic"}, {"ita", "it", "Italian"},
    {"ita_old", "", "Old Italian"}, {"jav", "jv", "Javanese"}, {"jpn", "ja", "Japanese"},
    {"kan", "kn", "Kannada"}, {"kat", "ka", "Georgian"}, {"kat_old", "", "Old Georgian"},
    {"kaz", "kk", "Kazakh"}, {"khm", "km", "Khmer"}, {"kir", "ky", "Kyrgyz"},
    {"kmr", "ku", "Kurmanji"}, {"kor", "ko", "Korean"}, {"lao", "lo", "Lao"},
    {"lat", "la", "Latin"}, {"lav", "lv", "Latvian"}, {"lit", "lt", "Lithuanian"},
    {"ltz", "lb", "Luxembourgish"}, {"mal", "ml", "Malayalam"}, {"mar", "mr", "Marathi"},
    {"mkd", "mk", "Macedonian"}, {"mlt", "mt", "Maltese"}, {"mon", "mn", "Mongolian"},
    {"mri", "mi", "Maori"}, {"msa", "ms", "Malay"}, {"mya", "my", "Burmese"},
    {"nep", "ne", "Nepali"}, {"nld", "nl", "Dutch"}, {"nor", "no", "Norwegian"},
    {"oci", "oc", "Occitan"}, {"ori", "or", "Odia"}, {"pan", "pa", "Punjabi"},
    {"pol", "pl", "Polish"}, {"por", "pt", "Portuguese"}, {"pus", "ps", "Pashto"},
    {"que", "qu", "Quechua"}, {"ron", "ro", "Romanian"}, {"rus", "ru", "Russian"},
    {"san", "sa", "Sanskrit"}, {"sin", "si", "Sinhala"}, {"slk", "sk", "Slovak"},
    {"slv", "sl", "Slovenian"}, {"snd", "sd", "Sindhi"}, {"spa", "es", "Spanish"},
    {"spa_old", "", "Old Spanish"}, {"sqi", "sq", "Albanian"}, {"srp", "sr", "Serbian"},
    {"srp_latn", "", "Serbian (Latin)"}, {"sun", "su", "Sundanese"}, {"swa", "sw", "Swahili"},
    {"swe", "sv", "Swedish"}, {"syr", "", "Syriac"}, {"tam", "ta", "Tamil"},
    {"tat", "tt", "Tatar"}, {"tel", "te", "Telugu"}, {"tgk", "tg", "Tajik"},
    {"tha", "th", "Thai"}, {"tir", "ti", "Tigrinya"}, {"ton", "to", "Tongan"},
    {"tur", "tr", "Turkish"}, {"uig", "ug", "Uyghur"}, {"ukr", "uk", "Ukrainian"},
    {"urd", "ur", "Urdu"}, {"uzb", "uz", "Uzbek"}, {"uzb_cyrl", "", "Uzbek (Cyrillic)"},
    {"vie", "vi", "Vietnamese"}, {"yid", "yi", "Yiddish"}, {"yor", "yo", "Yoruba"},
};

// Other names callers use for the same models.
const std::map<std::string, std::string, std::less<>> kAliases = {
    {"ch", "chi_sim"},      {"zh-cn", "chi_sim"}, {"zh-hans", "chi_sim"}, {"zh_cn", "chi_sim"},
    {"zh-hant", "chi_tra"}, {"zh_tw", "chi_tra"}, {"cht", "chi_tra"},     {"iw", "heb"},
    {"in", "ind"},          {"jp", "jpn"},        {"kr", "kor"},          {"gr", "ell"},
    {"ua", "ukr"},          {"cz", "ces"},        {"nb", "nor"},          {"fil", "fil"},
};

// The scripts OSD names, the language model that reads each, and Debian's
// script model for it (tesseract-ocr-script-<package>, installed as
// <model>.traineddata: "Telugu", "HanS").
struct Script {
  const char* osd;
  const char* language;
  const char* model;
  const char* package;  // ISO 15924, lower case
};
constexpr Script kScripts[] = {
    {"Latin", "eng", "Latin", "latn"},          {"Cyrillic", "rus", "Cyrillic", "cyrl"},
    {"Arabic", "ara", "Arabic", "arab"},        {"Hebrew", "heb", "Hebrew", "hebr"},
    {"Greek", "ell", "Greek", "grek"},          {"Han", "chi_sim", "HanS", "hans"},
    {"HanS", "chi_sim", "HanS", "hans"},        {"HanT", "chi_tra", "HanT", "hant"},
    {"Japanese", "jpn", "Japanese", "jpan"},    {"Katakana", "jpn", "Japanese", "jpan"},
    {"Hiragana", "jpn", "Japanese", "jpan"},    {"Hangul", "kor", "Hangul", "hang"},
    {"Korean", "kor", "Hangul", "hang"},        {"Devanagari", "hin", "Devanagari", "deva"},
    {"Bengali", "ben", "Bengali", "beng"},      {"Tamil", "tam", "Tamil", "taml"},
    {"Thai", "tha", "Thai", "thai"},            {"Telugu", "tel", "Telugu", "telu"},
    {"Kannada", "kan", "Kannada", "knda"},      {"Malayalam", "mal", "Malayalam", "mlym"},
    {"Gujarati", "guj", "Gujarati", "gujr"},    {"Gurmukhi", "pan", "Gurmukhi", "guru"},
    {"Oriya", "ori", "Oriya", "orya"},          {"Sinhala", "sin", "Sinhala", "sinh"},
    {"Khmer", "khm", "Khmer", "khmr"},          {"Lao", "lao", "Lao", "laoo"},
    {"Myanmar", "mya", "Myanmar", "mymr"},      {"Georgian", "kat", "Georgian", "geor"},
    {"Armenian", "hye", "Armenian", "armn"},    {"Ethiopic", "amh", "Ethiopic", "ethi"},
    {"Tibetan", "bod", "Tibetan", "tibt"},      {"Thaana", "div", "Thaana", "thaa"},
    {"Syriac", "syr", "Syriac", "syrc"},        {"Fraktur", "frk", "Fraktur", "frak"},
    {"Vietnamese", "vie", "Vietnamese", "viet"}, {"Cherokee", "chr", "Cherokee", "cher"},
    {"Canadian_Aboriginal", "iku", "Canadian_Aboriginal", "cans"},
};

// Scripts in the Latin alphabet: a Latin model reads them, if not well.
constexpr std::string_view kLatinAlphabets[] = {"Latin", "Fraktur", "Vietnamese"};

const Script* FindScript(std::string_view osd) {
  for (const Script& s : kScripts)
    if (osd == s.osd) return &s;
  return nullptr;
}

bool IsScriptModel(std::string_view model) {
  for (const Script& s : kScripts)
    if (model == s.model) return true;
  return false;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

const Entry* FindTesseract(std::string_view code) {
  for (const Entry& e : kLanguages)
    if (code == e.tesseract) return &e;
  return nullptr;
}

bool IsInstalled(std::string_view tesseract) {
  std::error_code ec;
  return std::filesystem::exists(
      std::filesystem::path(TessdataDir()) / (std::string(tesseract) + ".traineddata"), ec);
}

}  // namespace

std::string TessdataDir() {
  const char* prefix = std::getenv("TESSDATA_PREFIX");
  if (prefix && *prefix) return prefix;
  return "/usr/share/tesseract-ocr/5/tessdata";
}

std::vector<std::string> InstalledLanguages() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(TessdataDir(), ec)) {
    if (entry.path().extension() != ".traineddata") continue;
    std::string stem = entry.path().stem().string();
    if (stem != "osd" && stem != "equ") out.push_back(stem);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<LanguageInfo> KnownLanguages() {
  std::vector<LanguageInfo> out;
  for (const Entry& e : kLanguages)
    out.push_back({e.tesseract, *e.iso ? e.iso : e.tesseract, e.name, IsInstalled(e.tesseract)});
  return out;
}

core::Result<std::string> ToTesseract(std::string_view request) {
  std::string lowered = Lower(request);
  if (lowered.empty() || lowered == "auto") return std::string();
  std::string out;
  size_t start = 0;
  while (start <= lowered.size()) {
    size_t end = lowered.find('+', start);
    if (end == std::string::npos) end = lowered.size();
    std::string code = lowered.substr(start, end - start);
    start = end + 1;
    if (code.empty()) continue;
    std::string tess;
    if (auto alias = kAliases.find(code); alias != kAliases.end()) {
      tess = alias->second;
    } else if (FindTesseract(code)) {
      tess = code;
    } else {
      for (const Entry& e : kLanguages)
        if (code == e.iso) tess = e.tesseract;
      // Tesseract codes with capitals or dashes, e.g. "chi-sim".
      std::string underscored = code;
      std::replace(underscored.begin(), underscored.end(), '-', '_');
      if (tess.empty() && FindTesseract(underscored)) tess = underscored;
      if (tess.empty() && code.size() > 2 && code[2] == '-') {  // "pt-br", "en-us"
        for (const Entry& e : kLanguages)
          if (code.substr(0, 2) == e.iso) tess = e.tesseract;
      }
    }
    if (tess.empty() && !IsInstalled(code))
      return core::Fail(core::ErrorCode::kInvalidParameter,
                        "unknown language code '" + code +
                            "': use auto, an ISO 639-1 code (en, fr, ar, ja, ...) or a Tesseract "
                            "code; GET /api/v1/languages/ lists them");
    if (tess.empty()) tess = code;  // an installed model the table does not name
    if (!IsInstalled(tess))
      return core::Fail(core::ErrorCode::kInvalidParameter,
                        "language '" + code + "' (" + tess +
                            ") is not installed on this server; GET /api/v1/languages/ lists "
                            "the installed ones");
    if (("+" + out + "+").find("+" + tess + "+") == std::string::npos)
      out += (out.empty() ? "" : "+") + tess;
    if (end == lowered.size()) break;
  }
  if (out.empty())
    return core::Fail(core::ErrorCode::kInvalidParameter, "language is empty");
  return out;
}

std::string ToIso(std::string_view tesseract) {
  std::string first(tesseract.substr(0, tesseract.find('+')));
  if (IsScriptModel(first)) return "";
  if (const Entry* e = FindTesseract(first); e && *e->iso) return e->iso;
  return first;
}

std::string ModelForScript(std::string_view script) {
  const Script* s = FindScript(script);
  if (!s) return "";
  if (IsInstalled(s->language)) return s->language;
  if (IsInstalled(s->model)) return s->model;
  return "";
}

bool IsLatinScript(std::string_view script) {
  return std::find(std::begin(kLatinAlphabets), std::end(kLatinAlphabets), script) !=
         std::end(kLatinAlphabets);
}

std::string MissingScriptWarning(std::string_view script) {
  const Script* s = FindScript(script);
  if (!s || !ModelForScript(script).empty() || IsLatinScript(script)) return "";
  std::string package(s->language);
  std::replace(package.begin(), package.end(), '_', '-');  // chi_sim -> chi-sim
  return "script " + std::string(script) +
         " detected, but no Tesseract model for it is installed: apt-get install tesseract-ocr-" +
         package + " (or tesseract-ocr-script-" + s->package + "); its text was not read";
}

std::string DetectTextLanguage(std::string_view text, bool reliable_only) {
  if (text.size() < 16) return "";
  bool reliable = false;
  int valid = 0;
  CLD2::Language lang = CLD2::DetectLanguageCheckUTF8(
      text.data(), static_cast<int>(std::min<size_t>(text.size(), 1 << 20)), true, &reliable,
      &valid);
  if (lang == CLD2::UNKNOWN_LANGUAGE || lang == CLD2::TG_UNKNOWN_LANGUAGE) return "";
  if (reliable_only && !reliable) return "";
  std::string code = Lower(CLD2::LanguageCode(lang));
  if (code == "zh") return IsInstalled("chi_sim") ? "chi_sim" : "";
  if (code == "zh-hant") return IsInstalled("chi_tra") ? "chi_tra" : "";
  for (const Entry& e : kLanguages)
    if (code == e.iso) return IsInstalled(e.tesseract) ? e.tesseract : "";
  return "";
}

}  // namespace ocrchat::ocr
