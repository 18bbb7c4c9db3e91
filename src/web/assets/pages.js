// Draws a finished job's pages: each page image with its blocks outlined
// (one element per block, data-block = its index on the page), a tooltip
// with the block's text and confidence on hover or focus, low-confidence
// words underlined; and finds the block a chat citation quotes.
export const LOW_CONFIDENCE = 0.6;

const percent = (value, total) => `${(100 * value / total).toFixed(3)}%`;

function place(element, bbox, page) {
  const [x0, y0, x1, y1] = bbox;
  element.style.left = percent(x0, page.width);
  element.style.top = percent(y0, page.height);
  element.style.width = percent(x1 - x0, page.width);
  element.style.height = percent(y1 - y0, page.height);
}

let tooltip;
function showTooltip(block, text) {
  if (!tooltip) {
    tooltip = document.createElement('div');
    tooltip.className = 'tooltip';
    tooltip.setAttribute('role', 'tooltip');
    tooltip.id = 'block-tooltip';
    document.body.append(tooltip);
  }
  tooltip.textContent = text;
  tooltip.hidden = false;
  const box = block.getBoundingClientRect();
  const left = Math.max(4, Math.min(box.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - tooltip.offsetWidth - 4));
  tooltip.style.left = `${left}px`;
  tooltip.style.top = `${box.bottom + window.scrollY + 4}px`;
  block.setAttribute('aria-describedby', tooltip.id);
}
function hideTooltip() { if (tooltip) tooltip.hidden = true; }

const confidenceText = c => `${Math.round(100 * (c ?? 0))}% confidence`;

// A <figure> for page `position` (from 0, in the job's order) of the job.
export function drawPage(uuid, page, position) {
  const figure = document.createElement('figure');
  figure.className = 'page';
  figure.id = `page-${position + 1}`;
  figure.dataset.page = String(position + 1);
  figure.tabIndex = -1;
  const frame = document.createElement('div');
  frame.className = 'page-frame';
  const image = document.createElement('img');
  image.src = `/api/v1/ocr/${uuid}/pages/${position}/image`;
  image.alt = `Page ${position + 1}`;
  image.width = page.width;
  image.height = page.height;
  frame.append(image);
  let lowWords = 0;
  (page.blocks || []).forEach((block, index) => {
    const outline = document.createElement('div');
    outline.className = 'block' + (block.confidence < LOW_CONFIDENCE ? ' low' : '');
    outline.dataset.block = String(index);
    outline.tabIndex = 0;
    const words = (block.lines || []).flatMap(line => line.words || []);
    const low = words.filter(w => w.confidence < LOW_CONFIDENCE);
    const detail = `${block.type}, ${confidenceText(block.confidence)}` +
      (low.length ? `; unsure of: ${low.map(w => w.text).join(' ')}` : '');
    outline.setAttribute('aria-label', `Block ${index + 1}: ${detail}`);
    outline.dataset.text = block.text;
    place(outline, block.bbox, page);
    const tip = `${block.text}\n— ${detail}`;
    outline.addEventListener('mouseenter', () => showTooltip(outline, tip));
    outline.addEventListener('focus', () => showTooltip(outline, tip));
    outline.addEventListener('mouseleave', hideTooltip);
    outline.addEventListener('blur', hideTooltip);
    frame.append(outline);
    for (const word of low) {
      const mark = document.createElement('div');
      mark.className = 'word low';
      place(mark, word.bbox, page);
      frame.append(mark);
      lowWords++;
    }
  });
  const caption = document.createElement('figcaption');
  const count = (page.blocks || []).length;
  caption.textContent = `Page ${position + 1} · ${count} block${count === 1 ? '' : 's'}` +
    (lowWords ? ` · ${lowWords} low-confidence word${lowWords === 1 ? '' : 's'} underlined` : '');
  figure.append(frame, caption);
  return figure;
}

const words = text => (text || '').toLowerCase().normalize('NFKC').replace(/[…]/g, ' ').split(/[^\p{L}\p{N}]+/u).filter(Boolean);

// The outline on the page whose text the snippet quotes (or shares most
// words with); null when the page has none.
export function citedBlock(figure, snippet) {
  const blocks = [...figure.querySelectorAll('[data-block]')];
  const wanted = words(snippet);
  const joined = wanted.join(' ');
  let best = null, bestScore = 0;
  for (const block of blocks) {
    const own = words(block.dataset.text);
    const text = own.join(' ');
    if (joined && text.includes(joined)) return block;
    const set = new Set(own);
    const score = wanted.filter(w => set.has(w)).length;
    if (score > bestScore) { best = block; bestScore = score; }
  }
  return best;
}

// Scrolls to page `number` (from 1) and highlights the cited block.
export function showCitation(number, snippet) {
  const figure = document.getElementById(`page-${number}`);
  if (!figure) return false;
  document.querySelectorAll('.block.cited').forEach(b => b.classList.remove('cited'));
  const block = citedBlock(figure, snippet);
  figure.scrollIntoView({block: 'start'});
  if (block) {
    block.classList.add('cited');
    block.focus({preventScroll: true});
  } else {
    figure.focus({preventScroll: true});
  }
  return true;
}
