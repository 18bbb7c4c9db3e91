// Table detection: finds tables among a page's words, from ruling lines
// (grids) or from aligned columns of text, and rebuilds rows, columns and
// cells. Pure functions over the page model; thread-safe.
#pragma once

#include "core/document.h"

namespace ocrchat::layout {

// Returns the page with each table found replaced by one kTable block: its
// `table` holds rows, columns and cells (text joined from the cell's words
// in reading order, bbox of the cell: the grid rectangle for ruled tables,
// the words' box otherwise), and its lines hold every word of the table
// unchanged (text, boxes, confidences), one line per text row. The table
// block takes the place in reading order of the first block it covers;
// blocks left without words are removed, blocks partly covered keep their
// other words. Blocks that already hold a `table` are kept as they are; a
// kTable block without one (the OCR engine's guess) is searched like text.
//
// Two kinds of tables are found:
//  - ruled: a grid of at least 2 horizontal and 2 vertical page.rules that
//    cross; cells are the grid's rectangles, merged into spanning cells
//    where the rule between them is missing; a words' cell is the one
//    holding its centre. When the grid has fewer than 3 row bands, text
//    rows inside a band become table rows.
//  - unruled: a run of at least 3 consecutive text rows (2 when eager) that
//    share at least 2 aligned whitespace gaps (1 when eager), with short
//    cells (prose columns are not tables). A row whose first column is
//    empty continues the cells of the row above. On a page read by OCR
//    (page.source kOcr), only when eager: the engine's own blocks keep
//    such a table's rows in a better reading order.
// header_row is set when a rule separates the first row from the next, or
// when the first row is all text over a numeric body.
// `eager` (the extract-tables tool) lowers the thresholds: more tables,
// more false positives. Never fails; a page without tables comes back
// unchanged (blocks in the same order).
core::Page FindTables(core::Page page, bool eager);

}  // namespace ocrchat::layout
