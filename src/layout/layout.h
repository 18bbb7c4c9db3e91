// layout: from words on a page to blocks in reading order, each with a
// type (heading, paragraph, list, table, header, footer). Pure functions
// over the page model; thread-safe.
#pragma once

#include <vector>

#include "core/document.h"

namespace ocrchat::layout {

// Groups loose words (a PDF's text layer, in any order) into lines and
// blocks in reading order; columns are read one after the other.
std::vector<core::Block> BlocksFromWords(std::vector<core::Word> words);

// Orders blocks for reading: recursive XY-cut on the blocks' boxes, which
// reads columns top to bottom, left to right (right to left when most of
// the text is RTL). Blocks that no cut separates keep their given order.
std::vector<core::Block> ReadingOrder(std::vector<core::Block> blocks, bool right_to_left = false);

// Sets each block's type: page header/footer (short text in the top or
// bottom margin), heading (larger or emphasised short lines) with a level,
// list (lines led by bullets or enumerators), leaving tables as they are.
core::Page ClassifyBlocks(core::Page page);

// The whole stage for a page whose blocks are already in reading order
// (Tesseract's, or BlocksFromWords'): block types.
core::Page Arrange(core::Page page);

}  // namespace ocrchat::layout
