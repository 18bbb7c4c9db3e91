// vlm: pages read by a vision-language model behind an OpenAI-compatible
// server, with true boxes. The model returns Markdown without coordinates;
// ocrchat reads the page locally too and lays the model's words on the
// words it found itself (a sequence alignment on normalised tokens), so
// that every block, line and word has a real box.
//
// The story of one page: Ask (prompt + page image; checks; retries; turn
// the page when the model says it is rotated) -> ParseMarkdown (blocks,
// tables, equations, figures) -> LayOnLocal (alignment with the local
// reading) -> a core::Page whose source is kVlm.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/document.h"
#include "core/error.h"
#include "model/model.h"

struct Pix;

namespace ocrchat::vlm {

struct Config {
  model::ServerConfig server;  // url, model, api key, timeout per request
  int image_px = 1288;         // longest side of the page image sent
  int max_attempts = 3;        // answers tried before the page falls back
  int concurrency = 4;         // pages in flight per node
  bool Configured() const { return server.Configured(); }
};

// What the model said about a page, from the front matter of its answer.
struct FrontMatter {
  std::string primary_language;  // as the model wrote it ("en"), may be ""
  int rotation_correction = 0;   // degrees clockwise that make the page upright
  bool is_table = false;
  bool is_diagram = false;
};

// Parses the answer: "---\nkey: value\n...\n---\n<markdown>". nullopt when
// the front matter is missing or malformed (the check an answer must pass).
struct Answer {
  FrontMatter front;
  std::string markdown;
};
std::optional<Answer> ParseAnswer(const std::string& content);

// True when the text ends in a loop: a run of the same few characters or
// lines repeated, as models produce when they lose their place.
bool IsRepetitionLoop(const std::string& text);

// The prompts: the document prompt, or the handwriting prompt.
std::string Prompt(bool handwriting);

// ---- Markdown -------------------------------------------------------------

struct SegmentCell {
  std::string text;  // plain text
  int row_span = 1, col_span = 1;
  bool operator==(const SegmentCell&) const = default;
};

struct Segment {
  core::BlockType type = core::BlockType::kParagraph;
  int level = 0;                   // headings
  // Plain text (inline Markdown removed): a paragraph's lines, one list
  // item each, an equation's LaTeX, a figure's description.
  std::vector<std::string> lines;
  // kTable: cells by row, in the order written; header_row when the
  // Markdown marked one (a pipe table's delimiter row, HTML <th>).
  std::vector<std::vector<SegmentCell>> rows;
  bool header_row = false;
};

// The model's Markdown as blocks: headings, paragraphs, lists, pipe and
// HTML tables, $$/\[ \] equations (LaTeX kept as written), figures.
std::vector<Segment> ParseMarkdown(const std::string& markdown);

// ---- Alignment ------------------------------------------------------------

// How a word's confidence follows agreement: the model and the local
// reading read the same word (kAgree), nearly the same (kNear), or only the
// model read it (kModelOnly: its box is that of the region it falls in).
inline constexpr float kAgree = 0.95f;
inline constexpr float kNear = 0.75f;
inline constexpr float kModelOnly = 0.5f;

// The page the model read, on the boxes of `local` (same image, same
// size): blocks from `segments` in the model's order, each word with the
// box of the local word it matches, or the box of the region it falls in
// (never an empty box). Width, height, dpi, rotation and index are local's.
core::Page LayOnLocal(const std::vector<Segment>& segments, const core::Page& local);

// Share of the model's words that matched a local word (0 when none).
double MatchedShare(const core::Page& page);

// ---- The server -------------------------------------------------------------

// What GET {url}/models says: state "ok" (the model is served), "model_not_served"
// (the server answers without it), "unreachable", or "not_configured". (The
// API node shows "unchecked" until its first answer.)
struct Backend {
  std::string state = "not_configured";
  std::vector<std::string> models;
  std::string detail;  // why, for the log and /healthz
};
Backend CheckBackend(const Config& config);
// "vlm server URL: state (detail)", for the log.
std::string Describe(const Config& config, const Backend& backend);

// ---- Asking -----------------------------------------------------------------

// Counters a node reports in /metrics.
struct Counters {
  std::atomic<int64_t> requests{0}, errors{0}, latency_ms{0};
};

struct Reading {
  Answer answer;
  int rotation = 0;  // degrees the image was turned before the answer used
  int attempts = 0;  // requests made
};

// Asks the model to read `image` until an answer passes its checks
// (finish_reason "stop", front matter, no repetition loop), at most
// config.max_attempts requests, with a higher temperature after a failed
// check. A page the model says is rotated is turned and asked again, once.
// 429 and 5xx answers wait (Retry-After, else exponential backoff) and try
// again. Nothing runs past `deadline`. kUnavailable names why no answer
// could be used ("HTTP 500", "no reply within 30 s", "the answers failed
// their checks: repetition loop"). Thread-safe.
core::Result<Reading> Ask(const Config& config, const Pix* image, bool handwriting,
                          std::chrono::steady_clock::time_point deadline, Counters* counters);

}  // namespace ocrchat::vlm
