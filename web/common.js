// Shared by the pages: the JSON API client, the top bar, the subscriber
// choice (admins and daemons without a token file pick one), DOM helpers.
// Data never goes through innerHTML: el() sets textContent only.

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

// Calls the API. Changing requests carry X-Newswatch (the server's CSRF
// check); the session cookie goes along by itself. 401 goes to the login.
export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (method !== 'GET') {
    init.headers['X-Newswatch'] = '1';
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  const res = await fetch(path, init);
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (!res.ok) {
    if (res.status === 401 && !path.endsWith('/session')) {
      location.assign('/login');
    }
    throw new ApiError(res.status, data?.code ?? 'UNKNOWN',
                       data?.message ?? res.statusText, data);
  }
  return data;
}

// el('a', {href: '/x', class: 'y'}, 'text', child, ...)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(typeof c === 'string' || typeof c === 'number' ? String(c) : c);
  }
  return node;
}

// The subscriber whose alerts and rules this page shows: an analyst's own;
// otherwise ?subscriber= or the last one picked ('' when none yet).
export function chosenSubscriber(me) {
  if (me.role === 'analyst') return me.subscriber;
  const q = new URLSearchParams(location.search).get('subscriber');
  if (q) localStorage.setItem('nw.subscriber', q);
  return q || localStorage.getItem('nw.subscriber') || '';
}

// Appends ?subscriber= (or &) when one is chosen and the caller may pick.
export function withSubscriber(path, me, subscriber) {
  if (me.role === 'analyst' || !subscriber) return path;
  return path + (path.includes('?') ? '&' : '?') + 'subscriber=' + encodeURIComponent(subscriber);
}

// Fills <header id="topbar">: navigation, who is logged in, the subscriber
// picker for admins, log out. Returns {me, subscriber}.
export async function setUpPage(active) {
  const me = await api('GET', '/api/v1/me');
  if (me.role === 'ingest') {
    document.querySelector('main').replaceChildren(
      el('h1', {}, 'Not allowed'),
      el('p', { id: 'not-allowed' }, `Token '${me.name}' has the ingest role: it may submit articles, not read alerts or rules. Log in with an analyst token.`),
      el('button', { type: 'button', onclick: logOut }, 'Log out'));
    throw new Error('ingest token');
  }
  const subscriber = chosenSubscriber(me);
  const bar = document.getElementById('topbar');
  const nav = el('nav', {},
    el('a', { href: '/', class: active === 'live' ? 'active' : '' }, 'Live alerts'),
    el('a', { href: '/rules', class: active === 'rules' ? 'active' : '' }, 'Rules'));
  const who = el('span', { id: 'whoami', class: 'muted' },
    me.auth ? `${me.name} · ${me.role}` : 'local (no token file)');
  let picker = null;
  if (me.role === 'analyst') {
    picker = el('span', { id: 'subscriber', class: 'subscriber' }, `subscriber ${me.subscriber}`);
  } else {
    const input = el('input', { id: 'subscriber-input', type: 'text', value: subscriber,
                                placeholder: 'subscriber', 'aria-label': 'Subscriber' });
    picker = el('form', { id: 'subscriber-form', class: 'subscriber',
                          onsubmit: (e) => {
                            e.preventDefault();
                            const v = input.value.trim();
                            localStorage.setItem('nw.subscriber', v);
                            const url = new URL(location.href);
                            url.searchParams.set('subscriber', v);
                            location.assign(url.pathname + url.search);
                          } },
                el('label', { for: 'subscriber-input' }, 'Subscriber'), input,
                el('button', { type: 'submit' }, 'Show'));
  }
  const logout = me.auth ? el('button', { type: 'button', id: 'logout', onclick: logOut }, 'Log out') : null;
  // replaceChildren() would print a null child as the text "null".
  bar.replaceChildren(...[el('span', { class: 'brand' }, 'newswatch'), nav, picker,
                          el('span', { class: 'spacer' }), who, logout].filter(Boolean));
  return { me, subscriber };
}

async function logOut() {
  try { await api('DELETE', '/api/v1/session'); } finally { location.assign('/login'); }
}

// "3 min ago" with the absolute UTC time as the tooltip.
export function timeNode(iso) {
  if (!iso) return el('span', {}, '');
  const t = new Date(iso);
  const s = Math.round((Date.now() - t.getTime()) / 1000);
  let rel;
  if (s < 60) rel = 'just now';
  else if (s < 3600) rel = `${Math.floor(s / 60)} min ago`;
  else if (s < 86400) rel = `${Math.floor(s / 3600)} h ago`;
  else rel = t.toISOString().slice(0, 10);
  return el('time', { datetime: iso, title: t.toISOString().replace('T', ' ').slice(0, 19) + ' UTC' }, rel);
}
