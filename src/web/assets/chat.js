// The chat panel: questions about the job, answers with their citations;
// a citation scrolls to its page and highlights the block it quotes.
import {call, errorText, signedInAs} from './api.js';
import {showCitation} from './pages.js';

let conversation = null;

function message(role, text, citations = []) {
  const log = document.getElementById('chat-log');
  const item = document.createElement('div');
  item.className = `msg ${role}`;
  const body = document.createElement('p');
  body.textContent = text;
  item.append(body);
  if (citations.length) {
    const list = document.createElement('ul');
    list.className = 'citations';
    list.setAttribute('aria-label', 'Sources');
    for (const c of citations) {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'citation';
      button.dataset.page = String(c.page);
      button.textContent = `p. ${c.page}: ${c.snippet}`;
      button.addEventListener('click', () => showCitation(c.page, c.snippet));
      li.append(button);
      list.append(li);
    }
    item.append(list);
  }
  log.append(item);
  return item;
}

export async function openChat(uuid) {
  const section = document.getElementById('chat');
  const form = document.getElementById('chat-form');
  section.hidden = false;
  document.getElementById('chat-log').replaceChildren();
  conversation = null;
  if (!signedInAs) {
    form.hidden = true;
    document.getElementById('chat-signin').hidden = false;
    document.getElementById('chat-signin-link').href = `/login?next=${encodeURIComponent('/jobs/' + uuid)}`;
    return;
  }
  const history = await call(`/api/v1/chat/${uuid}/history/`);
  const last = history.ok ? history.body.conversations.at(-1) : null;
  if (last) {
    conversation = last.conversation;
    for (const m of last.messages) message(m.role, m.content, m.citations || []);
  }
  form.onsubmit = async event => {
    event.preventDefault();
    const input = document.getElementById('question');
    const question = input.value.trim();
    if (!question) return;
    message('user', question);
    input.value = '';
    const body = {message: question};
    if (conversation) body.conversation = conversation;
    const answer = await call(`/api/v1/chat/${uuid}/`, {
      method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
    if (!answer.ok) return message('error', errorText(answer));
    conversation = answer.body.conversation;
    message('assistant', answer.body.message.content, answer.body.message.citations || []);
  };
}
