// Watch rules: the list with alert counts, and the editor (validation as
// you type, a dry-run preview on stored articles, save with backfill, edit,
// delete with confirmation).
import { api, el, setUpPage, timeNode, withSubscriber } from './common.js';
import { alertCard } from './render.js';

const query = document.getElementById('query');
const label = document.getElementById('label');
const verdict = document.getElementById('verdict');
const warnings = document.getElementById('warnings');
const saveBtn = document.getElementById('save');
const previewBtn = document.getElementById('preview');
const since = document.getElementById('since');
const backfill = document.getElementById('backfill');
const saveEffect = document.getElementById('save-effect');
const saveResult = document.getElementById('save-result');
const previewBox = document.getElementById('preview-result');
const previewSummary = document.getElementById('preview-summary');
const samples = document.getElementById('samples');
const tbody = document.querySelector('#rules tbody');
const noRules = document.getElementById('no-rules');
const cancelEdit = document.getElementById('cancel-edit');
const dialog = document.getElementById('confirm-delete');

let me;
let subscriber;
let editing = null; // the rule being edited, or null for a new one
let validateTimer = null;
let validateSeq = 0;
let valid = false;

function setVerdict(state, ...children) {
  verdict.dataset.state = state;
  verdict.replaceChildren(...children);
}

// The query with a caret at byte `offset` (UTF-8), shown under the error.
function caretLine(text, offset) {
  const bytes = new TextEncoder().encode(text);
  const before = new TextDecoder().decode(bytes.slice(0, offset));
  const after = text.slice(before.length);
  return el('code', { class: 'caret-line' }, before,
            el('span', { class: 'caret', title: `byte ${offset}` }, after.length ? after[0] : ' '),
            after.slice(1));
}

async function validate() {
  const seq = ++validateSeq;
  const text = query.value;
  if (!text.trim()) {
    valid = false;
    setVerdict('empty', 'Type a rule.');
    warnings.replaceChildren();
    updateButtons();
    return;
  }
  try {
    const r = await api('POST', '/api/v1/rules/validate', { query: text, subscriber });
    if (seq !== validateSeq) return; // a newer keystroke won
    valid = r.valid;
    if (r.valid) {
      setVerdict('valid', 'Reads as: ', el('code', { id: 'canonical' }, r.canonical));
      verdict.removeAttribute('data-error-offset');
    } else {
      verdict.dataset.errorOffset = r.error_offset;
      setVerdict('invalid', el('span', { id: 'rule-error' }, r.error), el('br'), caretLine(text, r.error_offset));
    }
    warnings.replaceChildren(...(r.warnings ?? []).map((w) => el('li', {}, w)));
  } catch (e) {
    valid = false;
    setVerdict('invalid', e.message);
  }
  updateButtons();
}

function updateButtons() {
  saveBtn.disabled = !valid;
  previewBtn.disabled = !valid;
  const b = backfill.value;
  saveEffect.textContent = editing
    ? `Saving changes rule ${editing.id}: new articles are matched with the new text; past alerts stay.`
    : b === '' ? 'Applies to new articles only.'
    : `Also creates alerts for matching articles of the last ${b === '24h' ? '24 hours' : '7 days'}.`;
}

query.addEventListener('input', () => {
  clearTimeout(validateTimer);
  validateTimer = setTimeout(validate, 250);
});
backfill.addEventListener('change', updateButtons);

previewBtn.addEventListener('click', async () => {
  previewBtn.disabled = true;
  previewSummary.textContent = 'Testing…';
  previewBox.hidden = false;
  samples.replaceChildren();
  try {
    const r = await api('POST', '/api/v1/rules/preview',
                        { query: query.value, since: since.value, limit: 20, subscriber });
    previewSummary.replaceChildren(
      el('strong', { id: 'preview-matched' }, `${r.matched} matches`),
      ` among ${r.scanned} articles of the last ${since.selectedOptions[0].textContent} (scanned in ${r.seconds.toFixed(2)} s)`,
      r.truncated ? ' — stopped early: older articles were not scanned' : '');
    samples.replaceChildren(...r.samples.map((s) => alertCard(s, { preview: true })));
    if (r.warnings?.length) {
      warnings.replaceChildren(...r.warnings.map((w) => el('li', {}, w)));
    }
  } catch (e) {
    previewSummary.textContent = e.message;
  }
  previewBtn.disabled = !valid;
});

saveBtn.addEventListener('click', async () => {
  saveBtn.disabled = true;
  saveResult.hidden = true;
  try {
    let rule;
    if (editing) {
      rule = await api('PUT', `/api/v1/rules/${encodeURIComponent(editing.id)}`,
                       { query: query.value, label: label.value });
      showResult(`Saved rule ${rule.id}.`);
    } else {
      rule = await api('POST', '/api/v1/rules',
                       { query: query.value, label: label.value, subscriber, backfill: backfill.value || null });
      showResult(`Saved rule ${rule.id}` + (backfill.value ? `; ${rule.backfilled_alerts ?? 0} alerts backfilled.` : '.'));
    }
    resetEditor();
    await loadRules();
  } catch (e) {
    showResult(e.message, true);
  }
  updateButtons();
});

function showResult(text, isError = false) {
  saveResult.textContent = text;
  saveResult.className = isError ? 'error' : 'notice';
  saveResult.hidden = false;
}

function resetEditor() {
  editing = null;
  query.value = '';
  label.value = '';
  backfill.value = ''; // the next rule starts at "new articles only"
  backfill.disabled = false;
  cancelEdit.hidden = true;
  document.getElementById('editor-title').textContent = 'New watch rule';
  valid = false;
  setVerdict('empty', 'Type a rule.');
  warnings.replaceChildren();
  previewBox.hidden = true;
}

cancelEdit.addEventListener('click', () => { resetEditor(); updateButtons(); });

function startEdit(rule) {
  editing = rule;
  query.value = rule.query;
  label.value = rule.label;
  backfill.value = '';
  backfill.disabled = true; // backfill is for new rules
  cancelEdit.hidden = false;
  document.getElementById('editor-title').textContent = `Edit rule ${rule.id}`;
  validate();
  query.focus();
}

function confirmDelete(rule) {
  document.getElementById('confirm-text').textContent =
    `Delete rule ${rule.id} (${rule.label || rule.query})? Its past alerts stay; no new ones will come.`;
  dialog.returnValue = '';
  dialog.onclose = async () => {
    if (dialog.returnValue !== 'delete') return;
    try {
      await api('DELETE', `/api/v1/rules/${encodeURIComponent(rule.id)}`);
      showResult(`Deleted rule ${rule.id}.`);
    } catch (e) {
      showResult(e.message, true);
    }
    await loadRules();
  };
  dialog.showModal();
}

async function loadRules() {
  const [list, stats] = await Promise.all([
    api('GET', withSubscriber('/api/v1/rules', me, subscriber)),
    api('GET', withSubscriber('/api/v1/rules/stats', me, subscriber)).catch(() => ({ rules: [] })),
  ]);
  const byId = new Map(stats.rules.map((s) => [s.rule_id, s]));
  tbody.replaceChildren(...list.rules.map((r) => {
    const s = byId.get(r.id) ?? {};
    return el('tr', { dataset: { rule: r.id } },
      el('td', {}, r.label || el('span', { class: 'muted' }, r.id)),
      el('td', {}, el('code', {}, r.canonical)),
      el('td', { class: 'num' }, s.alerts_24h ?? 0),
      el('td', { class: 'num' }, s.alerts_7d ?? 0),
      el('td', {}, s.last_alert_at ? timeNode(s.last_alert_at) : '—'),
      el('td', { class: 'actions' },
        el('button', { type: 'button', class: 'edit', onclick: () => startEdit(r) }, 'Edit'),
        el('button', { type: 'button', class: 'delete danger', onclick: () => confirmDelete(r) }, 'Delete')));
  }));
  noRules.hidden = list.rules.length > 0;
}

async function main() {
  try {
    ({ me, subscriber } = await setUpPage('rules'));
  } catch (e) {
    return;
  }
  if (me.role !== 'analyst' && !subscriber) {
    showResult('Pick a subscriber (top left): rules belong to one.', true);
    return;
  }
  updateButtons();
  await loadRules();
}

main();
