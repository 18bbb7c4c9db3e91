// The JSON form of the fields, as the job object carries them.
#include <cmath>

#include <nlohmann/json.hpp>

#include "fields/fields.h"

namespace ocrchat::fields {

using nlohmann::json;

namespace {

// The fields the job object names, in the order it names them.
constexpr FieldName kKeyed[] = {FieldName::kInvoiceNumber, FieldName::kIssueDate, FieldName::kDueDate,
                                FieldName::kTotal,         FieldName::kSubtotal,  FieldName::kTax,
                                FieldName::kCurrency,      FieldName::kIssuer,    FieldName::kIssuerAddress,
                                FieldName::kCustomer};

json BoxJson(const core::Box& box) { return json::array({box.x0, box.y0, box.x1, box.y1}); }

core::Box BoxOf(const json& j) {
  if (!j.is_array() || j.size() != 4) return {};
  return {j[0].get<int>(), j[1].get<int>(), j[2].get<int>(), j[3].get<int>()};
}

std::string StringOf(const json& j) { return j.is_string() ? j.get<std::string>() : ""; }

std::optional<std::string> OptionalOf(const json& j) {
  if (!j.is_string()) return std::nullopt;
  return j.get<std::string>();
}

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
  for (FieldName name : kKeyed) {
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

std::optional<Fields> FromJson(const json& in) {
  if (!in.is_object() || !in.contains("document_type")) return std::nullopt;
  try {
    Fields out;
    for (DocumentType type : {DocumentType::kInvoice, DocumentType::kReceipt, DocumentType::kOther})
      if (in["document_type"] == DocumentTypeName(type)) out.type = type;
    for (FieldName name : kKeyed) {
      const json& j = in.value(FieldKey(name), json(nullptr));
      if (!j.is_object()) continue;
      Field field;
      field.name = name;
      field.text = StringOf(j["text"]);
      field.value = StringOf(j["value"]);
      field.label = StringOf(j["label"]);
      field.page = j.value("page", 1) - 1;
      field.bbox = BoxOf(j["bbox"]);
      field.confidence = j.value("confidence", 0.0f);
      field.currency = StringOf(j.value("currency", json(nullptr)));
      out.fields.push_back(std::move(field));
    }
    for (const json& j : in.value("line_items", json::array())) {
      LineItem item;
      item.description = StringOf(j["description"]);
      item.quantity = OptionalOf(j["quantity"]);
      item.unit_price = OptionalOf(j["unit_price"]);
      item.amount = StringOf(j["amount"]);
      item.text = StringOf(j["text"]);
      item.page = j.value("page", 1) - 1;
      item.bbox = BoxOf(j["bbox"]);
      out.line_items.push_back(std::move(item));
    }
    out.line_items_partial = in.value("line_items_partial", true);
    return out;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

}  // namespace ocrchat::fields
