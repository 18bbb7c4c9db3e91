// Calls to the server's API from the page. A signed-in page sends its
// session's CSRF token with every request; the server refuses a request
// that changes something with the session cookie but without it.
const meta = name => document.querySelector(`meta[name="${name}"]`)?.content ?? '';

export const csrfToken = meta('ocrchat-csrf');
export const signedInAs = meta('ocrchat-user');
export const jobFromPage = meta('ocrchat-job');

// {ok, status, body}: body is the parsed JSON, or null.
export async function call(path, options = {}) {
  const headers = new Headers(options.headers || {});
  if (csrfToken) headers.set('X-CSRF-Token', csrfToken);
  let response;
  try {
    response = await fetch(path, {...options, headers, credentials: 'same-origin'});
  } catch (e) {
    return {ok: false, status: 0, body: {error: 'the server cannot be reached'}};
  }
  const type = response.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await response.json().catch(() => null) : null;
  return {ok: response.ok, status: response.status, body};
}

export function errorText(result) {
  return result.body?.error || `the server answered ${result.status}`;
}
