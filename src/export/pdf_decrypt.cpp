// Removing a PDF's encryption with its password (qpdf), so that the
// password need not be kept once a job is accepted.
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFWriter.hh>

#include "export/export.h"

namespace ocrchat::exports {

core::Result<std::string> DecryptPdf(std::string_view pdf, const std::string& password) {
  try {
    QPDF document;
    document.setSuppressWarnings(true);
    document.processMemoryFile("upload.pdf", pdf.data(), pdf.size(), password.c_str());
    QPDFWriter writer(document);
    writer.setOutputMemory();
    writer.setPreserveEncryption(false);
    writer.write();
    auto buffer = writer.getBufferSharedPointer();
    return std::string(reinterpret_cast<const char*>(buffer->getBuffer()), buffer->getSize());
  } catch (const std::exception& e) {
    return core::Fail(core::ErrorCode::kEncrypted, "the PDF could not be opened with that password",
                      e.what());
  }
}

}  // namespace ocrchat::exports
