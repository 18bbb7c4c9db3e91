// UTF-8 text helpers shared by layout, exports and chat.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ocrchat::core {

// Decodes UTF-8 into code points; invalid bytes become U+FFFD.
std::u32string DecodeUtf8(std::string_view text);
std::string EncodeUtf8(std::u32string_view text);

// True for Han, Hiragana, Katakana, Hangul and CJK punctuation: scripts
// written without spaces between words.
bool IsCjk(char32_t c);
bool StartsWithCjk(std::string_view text);
bool EndsWithCjk(std::string_view text);

// Drops C0/C1 control characters other than \n and \t, and invalid UTF-8.
std::string StripControl(std::string_view text);

// Text safe inside HTML elements and quoted attributes: & < > " ' escaped.
std::string EscapeHtml(std::string_view text);

// The text without the spaces, tabs and line breaks at its ends.
std::string_view Trim(std::string_view text);

// Collapses runs of whitespace into one space and trims the ends.
std::string NormalizeSpace(std::string_view text);

// The pieces of `text` between separators; empty pieces are dropped.
std::vector<std::string> Split(std::string_view text, char separator);

// Character error rate: edit distance over code points / reference length.
double CharacterErrorRate(std::string_view reference, std::string_view hypothesis);

}  // namespace ocrchat::core
