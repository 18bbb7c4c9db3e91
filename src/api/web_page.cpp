// The web page at /: upload a file, watch it finish, read and download
// the result, ask questions about it.
#include "api/static_content.h"

namespace ocrchat::api {

const std::string& WebPage() {
  static const std::string page = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ocrchat</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
fieldset{border:1px solid #ccc;border-radius:6px;margin:0 0 1rem}
label{display:inline-block;margin:.25rem 1rem .25rem 0}
pre{white-space:pre-wrap;background:#f6f6f6;padding:1rem;border-radius:6px;max-height:30rem;overflow:auto}
#status{font-weight:600} .err{color:#b00}
</style></head><body>
<h1>ocrchat</h1>
<form id="upload">
<fieldset><legend>Recognise an image or PDF</legend>
<label>File <input type="file" name="file" id="file" required></label>
<label>Language <input name="language" value="auto" size="8"></label>
<label>Tier <select name="tier"><option>cpu</option><option>vlm</option></select></label>
<label>API token <input id="token" size="36" placeholder="optional"></label>
<button type="submit">Upload</button>
</fieldset></form>
<p id="status"></p>
<div id="result" hidden>
<p>Download: <span id="links"></span></p>
<pre id="text"></pre>
<form id="chat"><label>Ask <input id="question" size="50"></label><button>Ask</button></form>
<pre id="answer"></pre>
</div>
<script>
const $ = id => document.getElementById(id);
let job = null, conversation = null;
const headers = () => $('token').value ? {Authorization: 'Bearer ' + $('token').value} : {};
function show(j) {
  job = j;
  $('status').textContent = j.error ? (j.error.message || j.error) : j.status + ' (' + (j.pages_done ?? 0) + '/' + (j.page_count ?? '?') + ' pages)';
  $('status').className = j.error ? 'err' : '';
  if (j.status === 'done') {
    $('result').hidden = false;
    $('text').textContent = j.markdown;
    $('links').innerHTML = '';
    for (const f of ['txt','md','docx','pdf','csv','json']) {
      const a = document.createElement('a');
      a.href = '#'; a.textContent = f + ' ';
      a.onclick = async e => { e.preventDefault();
        const r = await fetch('/api/v1/ocr/' + j.uuid + '/download/?format=' + f, {headers: headers()});
        const url = URL.createObjectURL(await r.blob());
        const d = document.createElement('a'); d.href = url; d.download = j.filename.replace(/\.[^.]*$/, '') + '.' + f; d.click(); };
      $('links').append(a);
    }
  }
}
$('upload').onsubmit = async e => {
  e.preventDefault();
  $('result').hidden = true; $('status').textContent = 'uploading...'; conversation = null;
  const r = await fetch('/api/v1/ocr/', {method: 'POST', headers: headers(), body: new FormData(e.target)});
  let j = await r.json();
  show(j);
  while (j.status === 'pending' || j.status === 'processing') {
    await new Promise(s => setTimeout(s, 1000));
    j = await (await fetch('/api/v1/ocr/' + j.uuid + '/', {headers: headers()})).json();
    show(j);
  }
};
$('chat').onsubmit = async e => {
  e.preventDefault();
  const body = {message: $('question').value};
  if (conversation) body.conversation = conversation;
  const r = await fetch('/api/v1/chat/' + job.uuid + '/', {method: 'POST',
    headers: {...headers(), 'Content-Type': 'application/json'}, body: JSON.stringify(body)});
  const j = await r.json();
  if (j.conversation) conversation = j.conversation;
  $('answer').textContent = j.message ? j.message.content + '\n\n' +
    j.message.citations.map(c => 'p. ' + c.page + ': ' + c.snippet).join('\n') : j.error;
};
</script></body></html>
)HTML";
  return page;
}

}  // namespace ocrchat::api
