// Alert cards. The server sends text already cut into segments
// ({t, m}: m marks a matched word), so highlighting never parses HTML and
// never indexes UTF-8 bytes in JavaScript.
import { el, timeNode } from './common.js';

// Control characters other than tab and newlines (e.g. the U+0003 that ends
// every Reuters-21578 body) show as boxes: not drawn.
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

// Appends the segments to `parent`: text nodes, and <mark> for matches.
export function appendSegments(parent, segments) {
  for (const s of segments ?? []) {
    const t = s.t.replace(CONTROLS, '');
    parent.append(s.m ? el('mark', {}, t) : document.createTextNode(t));
  }
  return parent;
}

function safeUrl(url) {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch (e) {
    return null;
  }
}

// One alert (or preview sample) as an <li class="card">.
export function alertCard(alert, { preview = false } = {}) {
  const title = appendSegments(el('h3', { class: 'title' }), alert.title_segments);
  const chips = el('span', { class: 'chips' },
    (alert.rules ?? []).filter((r) => !preview).map((r) =>
      el('span', { class: 'chip', title: r.id, dataset: { rule: r.id } }, r.label || r.id)));
  const meta = el('div', { class: 'meta' },
    el('span', { class: 'source' }, alert.source || 'unknown source'),
    ' · ', timeNode(alert.published_at || alert.created_at),
    alert.backfill ? el('span', { class: 'badge backfill' }, 'backfill') : null,
    chips,
    preview ? null : el('span', { class: 'cursor' }, `#${alert.cursor}`));
  const snippets = el('div', { class: 'snippets' },
    (alert.snippets ?? []).map((s) => {
      const p = el('p', { class: 'snippet' });
      if (s.cut_before) p.append('… ');
      appendSegments(p, s.segments);
      if (s.cut_after) p.append(' …');
      return p;
    }));
  const url = safeUrl(alert.url);
  const link = url ? el('a', { href: url, rel: 'noopener noreferrer', target: '_blank', class: 'open' }, 'open article') : null;
  return el('li', { class: 'card', dataset: { cursor: alert.cursor ?? 0, article: alert.article_id } },
            title, meta, snippets, link);
}
