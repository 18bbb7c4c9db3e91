// Page previews rendered in a child process.
#include "jobs/preview.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "core/child_process.h"
#include "decode/model_image.h"

namespace ocrchat::jobs {

int RunPreviewCommand(const std::string& path, int page, int rotate, int longest_px,
                      const decode::Limits& limits) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  // A preview needs no more than about 150 dpi: A4 is 1754 px long there.
  decode::Limits preview = limits;
  preview.dpi = 150;
  auto source = decode::Open(std::move(buffer).str(), preview);
  if (!source) {
    std::cerr << source.error().message << "\n";
    return 1;
  }
  if (page < 0 || page >= (*source)->PageCount()) {
    std::cerr << "no page " << page << "\n";
    return 1;
  }
  auto image = (*source)->RenderPage(page);
  if (!image) {
    std::cerr << image.error().message << "\n";
    return 1;
  }
  auto jpeg = decode::EncodePreview(image->pix.get(), longest_px, rotate);
  if (!jpeg) {
    std::cerr << jpeg.error().message << "\n";
    return 1;
  }
  std::cout.write(jpeg->data.data(), static_cast<std::streamsize>(jpeg->data.size()));
  std::cout.flush();
  return std::cout ? 0 : 1;
}

core::Result<std::string> PreviewInChild(const std::string& binary, const std::string& pdf_path,
                                         int page, int rotate, const decode::Limits& limits,
                                         int timeout_ms) {
  core::ChildOutcome child = core::RunChild(
      binary,
      {"preview", pdf_path, "--page", std::to_string(page), "--rotate", std::to_string(rotate),
       "--longest", std::to_string(kPreviewPx), "--max-pixels", std::to_string(limits.max_pixels)},
      "", timeout_ms);
  if (child.timed_out)
    return core::Fail(core::ErrorCode::kCorrupt, "the page preview took too long to render");
  if (child.exit_code != 0 || child.out.empty())
    return core::Fail(core::ErrorCode::kCorrupt, "the page preview could not be rendered");
  return child.out;
}

}  // namespace ocrchat::jobs
