// What the lines at the top of an invoice or a receipt say about
// themselves: a business name, an address, or a line that ends the
// letterhead (telephone, tax number, the document's own title). Shared by
// the fields and by chat's answers about who issued a document.
#pragma once

#include <string>

namespace ocrchat::fields {

// "SDN BHD", "GmbH", "Ltd.", "S.A.", "Restoran", "Hardware" ...
bool HasBusinessSuffix(const std::string& text);
// "Tel", "GST Reg", "Invoice", "Cashier", "Rechnung", an e-mail address ...
bool IsStopLine(const std::string& text);
// Mostly letters, not counting what stands in parentheses ("(M)", a
// registration number) and "&" or "." between words.
bool IsNameLike(const std::string& text);
// A street: "Jalan Sagu 18", "No. 53", "12 Main Road", "Hauptstrasse 5".
bool IsStreetLike(const std::string& text);
// A street by its words ("Jalan", "Road", "No. 53"), not by a leading
// number alone: "99 SPEED MART S/B" and "32 PUB & BISTRO" are names.
bool NamesAStreet(const std::string& text);
// A street, a postcode, a town or a state ("81100 Johor Bahru", "Taman
// Daya", "Setia Alam"), and not a time stamp, a date or a registration
// number alone. Broader than IsStreetLike: a business name can hold a town.
bool IsAddressLike(const std::string& text);

}  // namespace ocrchat::fields
