// Live alerts: the newest page from history, then Server-Sent Events from
// the cursor after it. The event id is the alert cursor, so the browser's
// own reconnect resumes with Last-Event-ID; when the EventSource gives up
// (a non-200 answer, e.g. during a restart) we open a new one with
// ?after=<last cursor shown>. Cards are keyed by cursor: none twice.
import { api, el, setUpPage, withSubscriber } from './common.js';
import { alertCard } from './render.js';

const list = document.getElementById('alerts');
const status = document.getElementById('status');
const pill = document.getElementById('new-pill');
const older = document.getElementById('older');
const empty = document.getElementById('empty');
const notice = document.getElementById('notice');

let me;
let subscriber;
let lastCursor = 0;   // newest cursor shown or waiting in `pending`
let oldestCursor = 0; // oldest cursor shown
let pending = [];     // alerts that arrived while the reader was scrolled down
let source = null;
let retryMs = 1000;
let hadConnection = false;

function setStatus(state, text) {
  status.dataset.state = state;
  status.textContent = text;
}

function showNotice(text) {
  notice.textContent = text;
  notice.hidden = !text;
}

function atTop() {
  return window.scrollY < 40;
}

function insertNewest(alerts) {
  // `alerts` oldest first; each goes on top.
  for (const a of alerts) list.prepend(alertCard(a));
  empty.hidden = list.children.length > 0;
}

function updatePill() {
  pill.hidden = pending.length === 0;
  pill.textContent = `${pending.length} new alert${pending.length === 1 ? '' : 's'} ↑`;
}

function onAlert(alert) {
  if (alert.cursor <= lastCursor) return; // already shown (replay overlap)
  lastCursor = alert.cursor;
  if (oldestCursor === 0) oldestCursor = alert.cursor;
  if (atTop() && pending.length === 0) {
    insertNewest([alert]);
  } else {
    // Do not move the list under the reader.
    pending.push(alert);
    updatePill();
  }
}

pill.addEventListener('click', () => {
  insertNewest(pending);
  pending = [];
  updatePill();
  window.scrollTo({ top: 0 });
});

window.addEventListener('scroll', () => {
  if (atTop() && pending.length > 0) {
    insertNewest(pending);
    pending = [];
    updatePill();
  }
}, { passive: true });

function connect() {
  const path = withSubscriber(`/api/v1/alerts/stream?after=${lastCursor}`, me, subscriber);
  source = new EventSource(path);
  source.addEventListener('hello', (e) => {
    const hello = JSON.parse(e.data);
    retryMs = 1000;
    showNotice('');
    if (hadConnection) setStatus('resumed', `live · resumed from #${hello.after}`);
    else setStatus('open', 'live');
    hadConnection = true;
  });
  source.addEventListener('alert', (e) => onAlert(JSON.parse(e.data)));
  source.addEventListener('busy', (e) => {
    source.close();
    setStatus('reconnecting', 'server busy, retrying…');
    retryLater();
  });
  source.addEventListener('truncated', (e) => {
    source.close();
    showNotice('Some alerts expired (retention) before this page saw them; continuing with the oldest stored.');
    lastCursor = 0;
    retryLater();
  });
  source.addEventListener('failure', (e) => {
    // The server ended the stream with an error it explains; say it, then
    // retry slowly (a revoked token goes to the login page from there).
    const message = JSON.parse(e.data).message;
    showNotice(message);
    setStatus('reconnecting', 'stream refused: ' + message);
    retryLater();
  });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) {
      setStatus('reconnecting', 'reconnecting…');
      retryLater();
    } else {
      setStatus('reconnecting', 'reconnecting…');
    }
  });
}

function retryLater() {
  if (source) source.close();
  setTimeout(async () => {
    try {
      await api('GET', '/api/v1/me'); // 401 goes to the login page
    } catch (e) {
      if (e.status === 401) return;
    }
    connect();
  }, retryMs);
  retryMs = Math.min(retryMs * 2, 15000);
}

async function loadOlder() {
  const path = withSubscriber(`/api/v1/alerts?limit=50&before=${oldestCursor}`, me, subscriber);
  const page = await api('GET', path);
  for (const a of page.alerts) {
    list.append(alertCard(a));
    oldestCursor = a.cursor;
  }
  older.hidden = page.alerts.length < 50 || oldestCursor <= 1;
}

older.addEventListener('click', () => loadOlder().catch((e) => showNotice(e.message)));

async function main() {
  try {
    ({ me, subscriber } = await setUpPage('live'));
  } catch (e) {
    return;
  }
  for (const fmt of ['csv', 'jsonl']) {
    document.getElementById(`export-${fmt}`).href =
      withSubscriber(`/api/v1/alerts/export?format=${fmt}`, me, subscriber);
  }
  if (me.role !== 'analyst' && !subscriber) {
    setStatus('idle', 'no subscriber');
    showNotice('Pick a subscriber (top left) to watch its alerts.');
    return;
  }
  try {
    const page = await api('GET', withSubscriber('/api/v1/alerts?limit=50', me, subscriber));
    // Newest first from the server: render in order.
    for (const a of page.alerts) list.append(alertCard(a));
    if (page.alerts.length > 0) {
      lastCursor = page.alerts[0].cursor;
      oldestCursor = page.alerts[page.alerts.length - 1].cursor;
    }
    older.hidden = page.alerts.length < 50;
    empty.hidden = page.alerts.length > 0;
  } catch (e) {
    showNotice(e.message);
    return;
  }
  connect();
}

main();
