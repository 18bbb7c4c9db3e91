// The JSON form of the fields, as the job object carries them.
#include <cmath>

#include <nlohmann/json.hpp>

#include "fields/fields.h"

namespace ocrchat::fields {

using nlohmann::json;

namespace {

json BoxJson(const core::Box& box) { return json::array({box.x0, box.y0, box.x1, box.y1}); }

json FieldJson(const Field& field) {
  json out = {{"text", field.text},
              {"value", field.value},
              {"label", field.label.empty() ? json(nullptr) : json(field.label)},
              {"page", field.page + 1},
              {"bbox", BoxJson(field.bbox)},
              {"confidence", std::round(static_cast<double>(field.confidence) * 10000) / 10000}};
  if (field.name == FieldName::kTotal || field.name == FieldName::kSubtotal ||
      field.name == FieldName::kTax)
    out["currency"] = field.currency.empty() ? json(nullptr) : json(field.currency);
  return out;
}

}  // namespace

json ToJson(const Fields& fields) {
  json out = {{"document_type", DocumentTypeName(fields.type)}};
  for (FieldName name : {FieldName::kInvoiceNumber, FieldName::kIssueDate, FieldName::kDueDate,
                         FieldName::kTotal, FieldName::kSubtotal, FieldName::kTax,
                         FieldName::kCurrency, FieldName::kIssuer, FieldName::kIssuerAddress,
                         FieldName::kCustomer}) {
    const Field* field = fields.Find(name);
    out[FieldKey(name)] = field ? FieldJson(*field) : json(nullptr);
  }
  json items = json::array();
  for (const LineItem& item : fields.line_items)
    items.push_back({{"description", item.description},
                     {"quantity", item.quantity ? json(*item.quantity) : json(nullptr)},
                     {"unit_price", item.unit_price ? json(*item.unit_price) : json(nullptr)},
                     {"amount", item.amount},
                     {"text", item.text},
                     {"page", item.page + 1},
                     {"bbox", BoxJson(item.bbox)}});
  out["line_items"] = std::move(items);
  out["line_items_partial"] = fields.line_items_partial;
  return out;
}

}  // namespace ocrchat::fields
