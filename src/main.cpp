// ocrchat: one binary, several roles. main only parses the command line
// and hands over to the module that does the work.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "export/export.h"
#include "jobs/local.h"

namespace {

using namespace ocrchat;

// Debian's Tesseract uses OpenMP, which reads OMP_THREAD_LIMIT only at
// start-up; several threads per page make it slower on few cores. So the
// process restarts itself once with the limit set.
void EnsureSingleThreadedOcr(char** argv) {
  if (std::getenv("OMP_THREAD_LIMIT")) return;
  setenv("OMP_THREAD_LIMIT", "1", 1);
  execv("/proc/self/exe", argv);
}

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out = std::move(buffer).str();
  return true;
}

struct OcrArgs {
  std::string file, lang = "auto", tier = "cpu", tool, format = "txt", output, password;
  int dpi = 300;
};

int RunOcr(const OcrArgs& args) {
  auto format = exports::FormatFromName(args.format);
  if (!format) {
    std::cerr << "ocrchat: unknown format '" << args.format << "': use one of "
              << exports::KnownFormats() << "\n";
    return 2;
  }
  auto recipe = jobs::MakeRecipe(args.tier, args.lang, args.tool, "");
  if (!recipe) {
    std::cerr << "ocrchat: " << recipe.error().message << "\n";
    return 2;
  }
  recipe->dpi = args.dpi;
  std::string bytes;
  if (!ReadFile(args.file, bytes)) {
    std::cerr << "ocrchat: cannot read " << args.file << "\n";
    return 1;
  }
  decode::Limits limits;
  limits.dpi = args.dpi;
  std::string name = args.file.substr(args.file.find_last_of('/') + 1);
  auto result = jobs::RecognizeFile(std::move(bytes), name, *recipe, limits, args.password,
                                    *format == exports::Format::kPdf);
  if (!result) {
    std::cerr << "ocrchat: " << args.file << ": " << result.error().message << "\n";
    return 1;
  }
  const core::Document& doc = result->document;
  std::string out;
  switch (*format) {
    case exports::Format::kTxt: out = exports::WriteText(doc); break;
    case exports::Format::kMd: out = exports::WriteMarkdown(doc); break;
    case exports::Format::kCsv: out = exports::WriteCsv(doc); break;
    case exports::Format::kHocr: out = exports::WriteHocr(doc, result->info); break;
    case exports::Format::kAlto: out = exports::WriteAlto(doc, result->info); break;
    case exports::Format::kJson: out = exports::JobObject(result->info, doc).dump(2); break;
    case exports::Format::kPdf: out = std::move(result->searchable_pdf); break;
    case exports::Format::kDocx: {
      auto docx = exports::WriteDocx(doc, result->info);
      if (!docx) {
        std::cerr << "ocrchat: " << docx.error().message << "\n";
        return 1;
      }
      out = std::move(*docx);
      break;
    }
  }
  if (args.output.empty() || args.output == "-") {
    std::cout << out;
    if (!out.empty() && out.back() != '\n' && *format != exports::Format::kPdf &&
        *format != exports::Format::kDocx)
      std::cout << "\n";
  } else {
    std::ofstream file(args.output, std::ios::binary);
    file << out;
    if (!file) {
      std::cerr << "ocrchat: cannot write " << args.output << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  EnsureSingleThreadedOcr(argv);
  CLI::App app{"ocrchat: a self-hosted OCR server that speaks the OCR.chat API"};
  app.require_subcommand(1);

  OcrArgs ocr;
  CLI::App* ocr_cmd = app.add_subcommand("ocr", "Recognise one file and print or write the result");
  ocr_cmd->add_option("file", ocr.file, "Image or PDF")->required();
  ocr_cmd->add_option("--lang,--language", ocr.lang, "auto, ISO 639-1 or Tesseract codes, joined by +");
  ocr_cmd->add_option("--tier", ocr.tier, "cpu or vlm");
  ocr_cmd->add_option("--tool", ocr.tool, "a tool slug (GET /api/v1/tools/)");
  ocr_cmd->add_option("--format", ocr.format, "txt|md|json|docx|pdf|csv|hocr|alto");
  ocr_cmd->add_option("--dpi", ocr.dpi, "PDF render resolution")->check(CLI::Range(50, 1200));
  ocr_cmd->add_option("--password", ocr.password, "password of an encrypted PDF");
  ocr_cmd->add_option("-o,--output", ocr.output, "output file (default: standard output)");

  CLI11_PARSE(app, argc, argv);
  if (ocr_cmd->parsed()) return RunOcr(ocr);
  return 0;
}
