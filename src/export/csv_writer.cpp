// The csv export (RFC 4180): the document's tables, or its text lines when
// it has none.
#include <cstdio>

#include "core/text.h"
#include "export/export.h"
#include "export/markup.h"

namespace ocrchat::exports {

namespace {

std::string Field(std::string_view raw) {
  // Control characters other than tab and line breaks have no place in a
  // cell; CR/LF are kept (quoted) since cells may hold several lines.
  std::string text = core::StripControl(raw);
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

void AppendRow(const std::vector<std::string>& fields, std::string* out) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) *out += ',';
    *out += Field(fields[i]);
  }
  *out += "\r\n";
}

}  // namespace

namespace {

// The fields section: one row per field found, then the line items.
void AppendFields(const fields::Fields& found, std::string* out) {
  *out += "\r\n";
  AppendRow({"field", "value", "text", "label", "page", "confidence"}, out);
  AppendRow({"document_type", fields::DocumentTypeName(found.type), "", "", "", ""}, out);
  for (const fields::Field& field : found.fields) {
    char confidence[16];
    std::snprintf(confidence, sizeof confidence, "%.4f", field.confidence);
    std::string value = field.value;
    if (!field.currency.empty() && field.name != fields::FieldName::kCurrency)
      value += " " + field.currency;
    AppendRow({fields::FieldKey(field.name), value, field.text, field.label,
               std::to_string(field.page + 1), confidence},
              out);
  }
  if (found.line_items.empty()) return;
  *out += "\r\n";
  AppendRow({"item", "description", "quantity", "unit_price", "amount", "page"}, out);
  int number = 0;
  for (const fields::LineItem& item : found.line_items)
    AppendRow({std::to_string(++number), item.description, item.quantity.value_or(""),
               item.unit_price.value_or(""), item.amount, std::to_string(item.page + 1)},
              out);
}

}  // namespace

std::string WriteCsv(const core::Document& document, const std::optional<fields::Fields>& fields) {
  std::string out;
  bool any_table = false;
  for (const core::Page& page : document.pages) {
    for (const core::Block& block : page.blocks) {
      if (!block.table || block.table->rows <= 0 || block.table->cols <= 0) continue;
      if (any_table) out += "\r\n";
      any_table = true;
      auto grid = CellGrid(*block.table);
      for (const auto& row : grid) {
        std::vector<std::string> fields;
        for (const core::TableCell* cell : row) fields.push_back(cell ? cell->text : "");
        AppendRow(fields, &out);
      }
    }
  }
  if (any_table) {
    if (fields) AppendFields(*fields, &out);
    return out;
  }
  AppendRow({"page", "line", "text", "confidence"}, &out);
  for (const core::Page& page : document.pages) {
    int number = 0;
    for (const core::Block& block : page.blocks) {
      for (const core::Line& line : block.lines) {
        std::string text = line.Text();
        if (text.empty()) continue;
        char confidence[16];
        std::snprintf(confidence, sizeof confidence, "%.4f", LineConfidence(line));
        AppendRow({std::to_string(page.index + 1), std::to_string(++number), text, confidence},
                  &out);
      }
    }
  }
  if (fields) AppendFields(*fields, &out);
  return out;
}

}  // namespace ocrchat::exports
