// A small Markdown renderer for the job's markdown (headings, paragraphs,
// lists, pipe tables, emphasis, code), building DOM nodes: text never
// becomes HTML, so nothing in a document can inject markup.

function inline(parent, text) {
  const pattern = /(\*\*[^*]+\*\*|`[^`]+`|\*[^*\s][^*]*\*|_[^_\s][^_]*_)/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) parent.append(text.slice(last, match.index));
    const token = match[0];
    const tag = token.startsWith('**') ? 'strong' : token.startsWith('`') ? 'code' : 'em';
    const cut = tag === 'strong' ? 2 : 1;
    const node = document.createElement(tag);
    node.textContent = token.slice(cut, token.length - cut);
    parent.append(node);
    last = match.index + token.length;
  }
  if (last < text.length) parent.append(text.slice(last));
  return parent;
}

const cellsOf = line => line.trim().replace(/^\||\|$/g, '').split('|').map(c => c.trim());
const isRule = line => /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(line);

export function renderMarkdown(source) {
  const out = document.createDocumentFragment();
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const element = (tag, text) => inline(document.createElement(tag), text);
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) { i++; continue; }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) { out.append(element('h' + Math.min(6, heading[1].length + 2), heading[2])); i++; continue; }
    if (/^\s*(-{3,}|\*{3,})\s*$/.test(line)) { out.append(document.createElement('hr')); i++; continue; }
    if (line.trim().startsWith('|') && i + 1 < lines.length && isRule(lines[i + 1])) {
      const table = document.createElement('table');
      const head = table.createTHead().insertRow();
      for (const cell of cellsOf(line)) head.append(element('th', cell));
      const body = table.createTBody();
      for (i += 2; i < lines.length && lines[i].trim().startsWith('|'); i++) {
        const row = body.insertRow();
        for (const cell of cellsOf(lines[i])) row.append(element('td', cell));
      }
      out.append(table);
      continue;
    }
    const item = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (item) {
      const list = document.createElement(/\d/.test(item[1]) ? 'ol' : 'ul');
      for (let m; i < lines.length && (m = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(lines[i])); i++)
        list.append(element('li', m[2]));
      out.append(list);
      continue;
    }
    const paragraph = [];
    for (; i < lines.length && lines[i].trim() && !/^(#{1,6}\s|\s*([-*+]|\d+[.)])\s|\s*\|)/.test(lines[i]); i++)
      paragraph.push(lines[i].trim());
    if (!paragraph.length) paragraph.push(lines[i++].trim());
    out.append(element('p', paragraph.join(' ')));
  }
  return out;
}
