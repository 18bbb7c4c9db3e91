// The document view at / and /jobs/<uuid>: upload a file, follow its pages
// as they are read, then the page images with their blocks, the text,
// downloads and chat.
import {call, errorText, jobFromPage} from './api.js';
import {renderMarkdown} from './markdown.js';
import {drawPage} from './pages.js';
import {openChat} from './chat.js';

const $ = id => document.getElementById(id);
const FORMATS = ['pdf', 'docx', 'md', 'txt', 'csv', 'json', 'hocr', 'alto'];

async function fillChoices() {
  const [languages, tools] = await Promise.all([call('/api/v1/languages/'), call('/api/v1/tools/')]);
  if (languages.ok)
    for (const l of languages.body.languages) $('language').add(new Option(`${l.name} (${l.code})`, l.code));
  if (tools.ok)
    for (const t of tools.body.tools) $('tool').add(new Option(t.slug, t.slug));
  if (tools.ok && !tools.body.vlm) $('tier').options[1].textContent += ' — falls back to cpu here';
}

function setUpDrop() {
  const drop = $('drop'), input = $('file');
  const named = () => { $('file-name').textContent = input.files[0] ? `Selected: ${input.files[0].name}` : ''; };
  input.addEventListener('change', named);
  drop.addEventListener('dragover', e => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', e => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer.files.length) { input.files = e.dataTransfer.files; named(); }
  });
}

function showStatus(text, isError = false) {
  $('status').textContent = text;
  $('status').className = isError ? 'error' : '';
}

function showProgress(job) {
  const total = job.page_count || 0, done = job.pages_done || 0;
  $('progress').hidden = !total;
  $('progress-bar').max = Math.max(1, total);
  $('progress-bar').value = done;
  const steps = $('page-steps');
  if (steps.children.length !== total) {
    steps.replaceChildren();
    for (let i = 0; i < total; i++) {
      const li = document.createElement('li');
      li.textContent = `${i + 1}`;
      steps.append(li);
    }
  }
  [...steps.children].forEach((li, i) => {
    li.classList.toggle('done', i < done);
    li.setAttribute('aria-label', `Page ${i + 1}: ${i < done ? 'read' : 'waiting'}`);
  });
  showStatus(`${job.filename}: ${job.status}, ${done} of ${total} page${total === 1 ? '' : 's'} read`);
}

function showResult(job) {
  const links = $('downloads');
  links.replaceChildren(document.createTextNode('Download: '));
  for (const format of FORMATS) {
    const a = document.createElement('a');
    a.href = `/api/v1/ocr/${job.uuid}/download/?format=${format}`;
    a.download = '';
    a.textContent = format;
    a.dataset.format = format;
    links.append(a);
  }
  links.hidden = false;
  $('pages').replaceChildren(...job.pages.map((page, i) => drawPage(job.uuid, page, i)));
  $('markdown').replaceChildren(renderMarkdown(job.markdown || ''));
  $('result').hidden = false;
  const confidence = Math.round(100 * (job.mean_confidence || 0));
  showStatus(`${job.filename}: done, ${job.page_count} page${job.page_count === 1 ? '' : 's'}, ${confidence}% mean confidence`);
  openChat(job.uuid);
}

const pause = ms => new Promise(resolve => setTimeout(resolve, ms));

async function follow(uuid) {
  $('job').hidden = false;
  $('result').hidden = true;
  $('downloads').hidden = true;
  $('chat').hidden = true;
  for (let wait = 250; ; wait = Math.min(wait * 1.5, 1500)) {
    const answer = await call(`/api/v1/ocr/${uuid}/`);
    if (!answer.ok) return showStatus(errorText(answer), true);
    const job = answer.body;
    showProgress(job);
    if (job.status === 'done') return showResult(job);
    if (job.status === 'failed') return showStatus(`${job.filename}: failed: ${job.error?.message || 'unknown error'}`, true);
    await pause(wait);
  }
}

async function upload(event) {
  event.preventDefault();
  const form = new FormData($('upload'));
  if (!form.get('tool')) form.delete('tool');
  $('submit').disabled = true;
  $('job').hidden = false;
  $('result').hidden = true;
  $('chat').hidden = true;
  showStatus('Uploading…');
  // Asynchronous: the answer comes at once, and the pages are followed here.
  const answer = await call('/api/v1/ocr/', {method: 'POST', body: form, headers: {Prefer: 'respond-async'}});
  $('submit').disabled = false;
  if (!answer.ok || !answer.body?.uuid) return showStatus(errorText(answer), true);
  history.pushState({uuid: answer.body.uuid}, '', `/jobs/${answer.body.uuid}`);
  follow(answer.body.uuid);
}

window.addEventListener('popstate', () => {
  const match = /^\/jobs\/([0-9a-f]{32})$/.exec(location.pathname);
  if (match) follow(match[1]);
  else $('job').hidden = $('chat').hidden = true;
});

setUpDrop();
$('upload').addEventListener('submit', upload);
fillChoices();
if (jobFromPage) follow(jobFromPage);
