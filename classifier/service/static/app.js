// The diplostance page: score an article through POST /v1/score and show who said what.
// Article text and everything the API returns enter the DOM only as textContent or attribute values, never as
// markup, so a hostile article or speaker name cannot run code here.

const NONE = ':none'; // the stance filter's value for statements without a stance (a label cannot start with ':')

// Light backgrounds keep dark text above 10:1 contrast; the darker edge tells stances apart where colour fails.
const PALETTE = [
  { bg: '#cfe3ff', edge: '#1d4f9c' },
  { bg: '#ffdcb5', edge: '#9c4500' },
  { bg: '#cdeccb', edge: '#236b23' },
  { bg: '#f2d2f4', edge: '#7d2685' },
  { bg: '#fff0a0', edge: '#735b00' },
  { bg: '#c3eeec', edge: '#0c5f5b' },
  { bg: '#ffd0d0', edge: '#a12020' },
  { bg: '#dcd7ff', edge: '#40349e' },
];

const state = {
  info: null,
  stanceLabels: [],
  sentimentLabels: [],
  text: '', // the exact text that was sent, which the rows' offsets point into
  articleId: 'article',
  items: [], // {row, index, mark}: the API's rows in article order, each with its highlight
  sort: { key: 'position', dir: 'ascending' },
  apiKey: null, // kept in memory only: a reload asks again
  keyWaiter: null, // the open key prompt: {promise, resolve}
  openMark: null,
};

const $ = (id) => document.getElementById(id);

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'text') node.textContent = value;
    else if (key === 'className') node.className = value;
    else if (key.startsWith('data-') || key.startsWith('aria-') || key === 'role' || key === 'scope') {
      node.setAttribute(key, value);
    } else node[key] = value;
  }
  node.append(...children);
  return node;
}

export const pretty = (label) => String(label).replaceAll('_', ' ');
const fixed = (p) => (typeof p === 'number' ? p.toFixed(2) : String(p ?? ''));

// ---------------------------------------------------------------------------------------------- the API

export class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === 'string' ? detail : JSON.stringify(detail));
    this.status = status;
    this.detail = detail;
  }
}

const STATUS_TEXT = {
  0: 'The service could not be reached',
  400: 'Bad request',
  401: 'API key missing or not accepted',
  413: 'Too large',
  422: 'The input was not accepted',
  500: 'Server error',
  503: 'The model is not loaded yet',
};

/** A readable line for an API error: FastAPI's detail is a string, or a list of {loc, msg} for a bad request. */
export function describeError(error) {
  if (!(error instanceof ApiError)) return `Something went wrong: ${error.message || error}`;
  let detail = error.detail;
  if (Array.isArray(detail)) {
    detail = detail
      .map((item) => (item && item.msg ? `${(item.loc || []).join('.')}: ${item.msg}` : JSON.stringify(item)))
      .join('; ');
  } else if (detail && typeof detail !== 'string') {
    detail = JSON.stringify(detail);
  }
  const head = STATUS_TEXT[error.status] || `The service answered ${error.status}`;
  const code = error.status ? ` (${error.status})` : '';
  return detail ? `${head}${code}: ${detail}` : `${head}${code}.`;
}

// The page may be served at / or at /static/index.html; the API sits beside /static/ either way.
function apiUrl(path) {
  return location.pathname.replace(/(?:static\/)?(?:index\.html)?$/, '') + path;
}

async function readDetail(response) {
  const body = await response.text();
  try {
    const payload = JSON.parse(body);
    return payload && 'detail' in payload ? payload.detail : payload;
  } catch {
    return body.trim().slice(0, 300) || response.statusText;
  }
}

/** Calls the API; on a 401 it asks for the key once, then sends the request again with it. */
async function api(path, body) {
  for (let attempt = 0; ; attempt += 1) {
    const headers = { Accept: 'application/json' };
    const sentKey = state.apiKey;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (sentKey) headers.Authorization = `Bearer ${sentKey}`;
    let response;
    try {
      response = await fetch(apiUrl(path), {
        method: body === undefined ? 'GET' : 'POST',
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ApiError(0, err.message || String(err));
    }
    if (response.ok) return response.json();
    const detail = await readDetail(response);
    if (response.status === 401) {
      if (state.apiKey !== sentKey) continue; // a key was given while this request was on its way
      const rejected = Boolean(sentKey);
      state.apiKey = null;
      if (attempt === 0) {
        const given = await askForKey(
          rejected ? 'The API key was not accepted; enter it again.' : 'This service needs an API key.',
        );
        if (given) continue;
      } else {
        showKeyForm('The API key was not accepted; enter it again.');
      }
    }
    throw new ApiError(response.status, detail);
  }
}

function showKeyForm(message) {
  const form = $('key-form');
  $('key-message').textContent = message;
  if (form.hidden) $('api-key').value = ''; // already open: leave what is being typed
  form.hidden = false;
  $('api-key').focus();
}

/** Resolves true once a key is given, false when the prompt is cancelled; requests waiting together share it. */
function askForKey(message) {
  if (!state.keyWaiter) {
    let resolve;
    const promise = new Promise((done) => {
      resolve = done;
    });
    state.keyWaiter = { promise, resolve, status: $('status').textContent };
    setStatus('Waiting for the API key…');
  }
  showKeyForm(message);
  return state.keyWaiter.promise;
}

function closeKeyForm(given) {
  $('api-key').value = '';
  $('key-form').hidden = true;
  if (state.keyWaiter) {
    const { resolve, status } = state.keyWaiter;
    state.keyWaiter = null;
    setStatus(status);
    resolve(given);
  }
  // the Score button is disabled while a request waits for the key
  ($('score-button').disabled ? $('article-text') : $('score-button')).focus();
}

function submitKey(event) {
  event.preventDefault();
  const key = $('api-key').value.trim();
  if (!key) {
    $('key-message').textContent = 'Enter the API key first.';
    $('api-key').focus();
    return;
  }
  state.apiKey = key;
  clearError();
  closeKeyForm(true);
}

// ---------------------------------------------------------------------------------------------- messages

function showError(message) {
  $('error').textContent = message;
}

function clearError() {
  $('error').textContent = '';
}

function setStatus(message) {
  $('status').textContent = message;
}

// ---------------------------------------------------------------------------------------------- input

const BLOCKS = new Set(
  ('address article aside blockquote dd div dl dt figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li ' +
    'main nav ol p pre section table tbody td tfoot th thead tr ul').split(' '),
);

/** The readable text of an HTML document: the body's text, scripts and styles removed, blocks as paragraphs. */
export function htmlToText(html) {
  // DOMParser documents have no browsing context: their scripts never run and their images never load.
  const doc = new DOMParser().parseFromString(html, 'text/html');
  doc.querySelectorAll('script, style, noscript, template, iframe, object, embed, svg, canvas').forEach((n) => n.remove());
  const parts = [];
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) parts.push(child.data.replace(/\s+/g, ' '));
      else if (child.nodeType === Node.ELEMENT_NODE) {
        const tag = child.localName;
        if (tag === 'br') {
          parts.push('\n');
          continue;
        }
        const block = BLOCKS.has(tag);
        if (block) parts.push('\n\n');
        walk(child);
        if (block) parts.push('\n\n');
      }
    }
  };
  if (doc.body) walk(doc.body);
  return parts
    .join('')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

async function loadFile(file) {
  const name = file.name.toLowerCase();
  const isHtml = /\.html?$/.test(name) || file.type === 'text/html';
  if (!isHtml && !/\.txt$/.test(name) && file.type !== 'text/plain') {
    showError(`${file.name}: only .txt and .html files can be read here.`);
    return;
  }
  const raw = await file.text();
  const text = isHtml ? htmlToText(raw) : raw;
  $('article-text').value = text;
  if (!$('article-id').value.trim()) $('article-id').value = file.name.replace(/\.[^.]*$/, '');
  clearError();
  setStatus(`Read ${file.name}: ${text.length.toLocaleString()} characters. Press Score to score it.`);
}

// ---------------------------------------------------------------------------------------------- scoring

async function score() {
  const text = $('article-text').value;
  if (!text.trim()) {
    setStatus('');
    showError('There is no text to score: paste an article or choose a file first.');
    $('article-text').focus();
    return;
  }
  const articleId = $('article-id').value.trim() || 'article';
  const button = $('score-button');
  clearError();
  button.disabled = true;
  setStatus('Scoring…');
  try {
    if (!state.info) await loadInfo();
    const payload = await api('v1/score', { articles: [{ id: articleId, text }] });
    showResults(text, articleId, payload.statements || []);
    const n = state.items.length;
    setStatus(`${n} statement${n === 1 ? '' : 's'} found.`);
  } catch (error) {
    setStatus('');
    showError(describeError(error));
  } finally {
    button.disabled = false;
  }
}

async function loadInfo() {
  try {
    state.info = await api('v1/info');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) throw error;
    $('model-info').textContent = `Model: unknown (${describeError(error)})`;
    return;
  }
  const info = state.info;
  state.stanceLabels = [...(info.stance_labels || [])];
  state.sentimentLabels = [...(info.sentiment_labels || [])];
  const parts = [`Model: ${info.model ?? 'unknown'}`];
  if (info.backend) parts.push(`backend ${info.backend}`);
  if (info.version) parts.push(`diplostance ${info.version}`);
  $('model-info').textContent = parts.join(' · ');
  renderLegend();
}

function knownLabels(rows) {
  // Labels come from /v1/info; rows add any the info did not list (or all of them, when /v1/info failed).
  for (const row of rows) {
    for (const label of Object.keys(row.stance_scores || {})) {
      if (!state.stanceLabels.includes(label)) state.stanceLabels.push(label);
    }
    for (const label of row.stances || []) if (!state.stanceLabels.includes(label)) state.stanceLabels.push(label);
    for (const label of Object.keys(row.sentiment_scores || {})) {
      if (!state.sentimentLabels.includes(label)) state.sentimentLabels.push(label);
    }
  }
}

function colourOf(label) {
  const index = state.stanceLabels.indexOf(label);
  return PALETTE[(index < 0 ? state.stanceLabels.length : index) % PALETTE.length];
}

function showResults(text, articleId, rows) {
  state.text = text;
  state.articleId = articleId;
  state.items = rows.map((row, index) => ({ row, index, mark: null }));
  knownLabels(rows);
  closeDetails(false);
  renderLegend();
  renderArticle();
  renderFilters();
  renderTable();
  const placed = state.items.filter((item) => item.mark).length;
  const speakers = new Set(rows.map((row) => row.speaker)).size;
  let summary = `${rows.length} statement${rows.length === 1 ? '' : 's'} by ${speakers} speaker${speakers === 1 ? '' : 's'}.`;
  if (placed < rows.length) summary += ` ${rows.length - placed} could not be placed in the text (listed below).`;
  if (!rows.length) summary = 'No statements were found in this article.';
  $('summary').textContent = summary;
  $('results').hidden = false;
}

// ---------------------------------------------------------------------------------------------- highlights

/** Python counts characters by code point, JavaScript by UTF-16 unit: a map between the two for ``text``. */
function unitOffsets(text) {
  if (!/[\uD800-\uDFFF]/.test(text)) return (i) => i;
  const units = [];
  let unit = 0;
  for (const ch of text) {
    units.push(unit);
    unit += ch.length;
  }
  units.push(unit);
  return (i) => units[Math.max(0, Math.min(i, units.length - 1))];
}

function spanGroups(text, items) {
  const toUnit = unitOffsets(text);
  const groups = new Map();
  for (const item of items) {
    const { row } = item;
    const start = toUnit(row.start);
    const end = toUnit(row.end);
    // Offsets that do not fit the text sent leave the row unplaced (the summary says so), never guessed
    if (end <= start || text.slice(start, end) !== row.text) continue;
    const key = `${start}:${end}`;
    if (!groups.has(key)) groups.set(key, { start, end, items: [] });
    groups.get(key).items.push(item);
  }
  return [...groups.values()].sort((a, b) => a.start - b.start || b.end - a.end);
}

function stancesOf(items) {
  const found = new Set(items.flatMap((item) => item.row.stances || []));
  return state.stanceLabels.filter((label) => found.has(label));
}

function actorName(row) {
  return row.actor && row.actor.id ? row.actor.id : '';
}

/** The speaker, and the actor they resolve to or speak for when that differs from the name in the text. */
function whoLabel(row) {
  const extra = [];
  const actor = actorName(row);
  if (actor && actor !== row.speaker) extra.push(actor);
  if (row.on_behalf_of && row.on_behalf_of !== row.speaker && row.on_behalf_of !== actor) {
    extra.push(`for ${row.on_behalf_of}`);
  }
  return extra.length ? `${row.speaker} (${extra.join(', ')})` : String(row.speaker ?? 'unknown speaker');
}

function scoreLine(scores) {
  return Object.entries(scores || {})
    .map(([label, p]) => `${pretty(label)} ${fixed(p)}`)
    .join(', ');
}

function tooltip(items) {
  return items
    .map(({ row }) => {
      const stances = row.stances && row.stances.length ? row.stances.map(pretty).join(', ') : 'none';
      return [
        `${whoLabel(row)}: ${stances}`,
        `stance scores: ${scoreLine(row.stance_scores)}`,
        `sentiment: ${row.sentiment} (${scoreLine(row.sentiment_scores)})`,
      ].join('\n');
    })
    .join('\n\n');
}

function paint(node, stances) {
  node.classList.remove('stance-none', 'stance-one', 'stance-many');
  if (!stances.length) {
    node.classList.add('stance-none');
    return;
  }
  if (stances.length === 1) {
    const { bg, edge } = colourOf(stances[0]);
    node.classList.add('stance-one');
    node.style.setProperty('--hl-bg', bg);
    node.style.setProperty('--hl-edge', edge);
    return;
  }
  // Several stances: diagonal stripes of each stance's colour and a double underline.
  const width = 7;
  const stops = stances.map((label, i) => `${colourOf(label).bg} ${i * width}px ${(i + 1) * width}px`);
  node.classList.add('stance-many');
  node.style.setProperty('--hl-bg', `repeating-linear-gradient(135deg, ${stops.join(', ')})`);
}

function makeMark(group) {
  const rows = group.items.map((item) => item.row);
  const stances = stancesOf(group.items);
  const mark = el('mark', {
    className: 'hl',
    tabIndex: 0,
    title: tooltip(group.items),
    role: 'button',
    'aria-controls': 'details',
    'data-start': String(rows[0].start),
    'data-end': String(rows[0].end),
    'data-statement-ids': rows.map((row) => row.statement_id).join(' '),
    'data-stances': JSON.stringify(stances),
  });
  paint(mark, stances);
  const who = [...new Set(rows.map(whoLabel))].join(' · ');
  mark.append(el('span', { className: 'hl-label', text: who }), el('span', { className: 'visually-hidden', text: ': ' }));
  const open = () => showDetails(group.items, mark);
  mark.addEventListener('click', (event) => {
    event.stopPropagation(); // a highlight nested in another opens only itself
    open();
  });
  mark.addEventListener('keydown', (event) => {
    if (event.target !== mark) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      event.stopPropagation();
      open();
    }
  });
  for (const item of group.items) item.mark = mark;
  return mark;
}

/** Writes text[from, to) into ``parent``, with every group inside it as a highlight (contained ones nested). */
function renderRange(parent, text, from, to, groups) {
  let pos = from;
  let rest = groups;
  while (rest.length) {
    const [group, ...others] = rest;
    const start = Math.max(group.start, pos);
    const end = Math.min(group.end, to);
    if (start >= end) {
      rest = others; // wholly under a partly overlapping neighbour: it is still in the table
      continue;
    }
    if (start > pos) parent.append(text.slice(pos, start));
    const inner = [];
    const after = [];
    for (const other of others) (other.start < end && other.end <= end ? inner : after).push(other);
    const mark = makeMark(group);
    parent.append(mark);
    renderRange(mark, text, start, end, inner);
    pos = end;
    rest = after;
  }
  if (to > pos) parent.append(text.slice(pos, to));
}

function renderArticle() {
  const view = $('article-view');
  view.replaceChildren();
  renderRange(view, state.text, 0, state.text.length, spanGroups(state.text, state.items));
}

function renderLegend() {
  const legend = $('legend');
  legend.replaceChildren();
  const entry = (paintWith, label) => {
    const swatch = el('span', { className: 'swatch', 'aria-hidden': 'true' });
    paintWith(swatch);
    legend.append(el('li', {}, [swatch, el('span', { text: label })]));
  };
  for (const label of state.stanceLabels) entry((node) => paint(node, [label]), pretty(label));
  entry((node) => paint(node, []), 'no stance');
  entry((node) => paint(node, state.stanceLabels.slice(0, 2)), 'several stances');
}

// ---------------------------------------------------------------------------------------------- details

function scoreTable(caption, scores, chosen, thresholds) {
  const body = el('tbody');
  for (const [label, p] of Object.entries(scores || {})) {
    const bar = el('span', { className: 'bar', 'aria-hidden': 'true' }, [el('span')]);
    bar.firstChild.style.width = `${Math.max(0, Math.min(1, Number(p) || 0)) * 100}%`;
    const threshold = thresholds && typeof thresholds[label] === 'number' ? ` (threshold ${fixed(thresholds[label])})` : '';
    const name = el('th', { scope: 'row', text: pretty(label) + (chosen.includes(label) ? ' ✓' : '') });
    body.append(el('tr', { className: chosen.includes(label) ? 'chosen' : '' }, [name, el('td', {}, [bar, `${fixed(p)}${threshold}`])]));
  }
  return el('table', { className: 'scores' }, [el('caption', { text: caption }), body]);
}

function detailsFor(row) {
  const facts = [
    ['Speaker', row.speaker],
    ['Mention', row.speaker_mention ? `“${row.speaker_mention.text}”` : null],
    [
      'Actor',
      row.actor
        ? [row.actor.id, [row.actor.type, row.actor.country, row.actor.org].filter(Boolean).join(', ')]
            .filter(Boolean)
            .join(' — ')
        : null,
    ],
    ['On behalf of', row.on_behalf_of],
    ['Stances', row.stances && row.stances.length ? row.stances.map(pretty).join(', ') : 'none'],
    ['Sentiment', row.sentiment],
    ['Polarity', row.polarity],
    ['Kind', row.kind],
    ['Cue', row.cue],
    ['Statement', row.statement_id],
  ];
  const list = el('dl');
  for (const [term, value] of facts) {
    if (value === null || value === undefined || value === '') continue;
    list.append(el('dt', { text: term }), el('dd', { text: String(value) }));
  }
  const thresholds = state.info && state.info.thresholds;
  return el('section', { className: 'detail' }, [
    el('h4', { text: whoLabel(row) }),
    list,
    scoreTable('Stance scores', row.stance_scores, row.stances || [], thresholds),
    scoreTable('Sentiment scores', row.sentiment_scores, [row.sentiment], null),
  ]);
}

function showDetails(items, mark) {
  if (state.openMark) state.openMark.setAttribute('aria-expanded', 'false');
  state.openMark = mark;
  mark.setAttribute('aria-expanded', 'true');
  $('details-body').replaceChildren(...items.map((item) => detailsFor(item.row)));
  const panel = $('details');
  panel.hidden = false;
  $('details-heading').focus({ preventScroll: true });
  panel.scrollIntoView({ block: 'nearest' });
}

function closeDetails(returnFocus = true) {
  $('details').hidden = true;
  const mark = state.openMark;
  state.openMark = null;
  if (mark) {
    mark.setAttribute('aria-expanded', 'false');
    if (returnFocus && mark.isConnected) mark.focus();
  }
}

// ---------------------------------------------------------------------------------------------- table

const SORT_KEYS = {
  position: (row, index) => index,
  speaker: (row) => String(row.speaker ?? ''),
  actor: (row) => actorName(row),
  stances: (row) => (row.stances || []).join(', '),
  sentiment: (row) => String(row.sentiment ?? ''),
  polarity: (row) => String(row.polarity ?? ''),
  text: (row) => String(row.text ?? ''),
};

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function selectedItems() {
  const speaker = $('filter-speaker').value;
  const stance = $('filter-stance').value;
  const kept = state.items.filter(({ row }) => {
    if (speaker && row.speaker !== speaker) return false;
    if (stance === NONE) return !(row.stances && row.stances.length);
    return !stance || (row.stances || []).includes(stance);
  });
  const key = SORT_KEYS[state.sort.key] || SORT_KEYS.position;
  const sign = state.sort.dir === 'descending' ? -1 : 1;
  return kept.sort((a, b) => {
    const x = key(a.row, a.index);
    const y = key(b.row, b.index);
    const order = typeof x === 'number' ? x - y : collator.compare(x, y);
    return sign * order || a.index - b.index;
  });
}

function fillSelect(select, options) {
  const previous = select.value;
  select.replaceChildren(...options.map(([value, label]) => el('option', { value, text: label })));
  select.value = options.some(([value]) => value === previous) ? previous : '';
}

function renderFilters() {
  const counts = new Map();
  for (const { row } of state.items) counts.set(row.speaker, (counts.get(row.speaker) || 0) + 1);
  const speakers = [...counts.keys()].sort((a, b) => collator.compare(String(a), String(b)));
  fillSelect($('filter-speaker'), [['', 'All speakers'], ...speakers.map((s) => [s, `${s} (${counts.get(s)})`])]);
  fillSelect($('filter-stance'), [
    ['', 'All stances'],
    ...state.stanceLabels.map((label) => [label, pretty(label)]),
    [NONE, 'none (no stance)'],
  ]);
}

function stanceChips(stances) {
  if (!stances.length) return [el('span', { className: 'chip stance-none', text: 'none' })];
  return stances.map((label) => {
    const chip = el('span', { className: 'chip', text: pretty(label) });
    paint(chip, [label]);
    return chip;
  });
}

function renderTable() {
  const items = selectedItems();
  const body = document.querySelector('#statements tbody');
  body.replaceChildren(
    ...items.map(({ row, index, mark }) => {
      const text = mark
        ? el('button', { type: 'button', className: 'linklike', text: row.text, title: 'Show in the article' })
        : el('span', { text: row.text });
      if (mark) {
        text.addEventListener('click', () => {
          mark.scrollIntoView({ block: 'center' });
          showDetails(
            state.items.filter((item) => item.mark === mark),
            mark,
          );
        });
      }
      const sentiment = `${row.sentiment} ${fixed((row.sentiment_scores || {})[row.sentiment])}`;
      return el(
        'tr',
        {
          'data-statement-id': String(row.statement_id),
          'data-speaker': String(row.speaker ?? ''),
          'data-stances': JSON.stringify(row.stances || []),
        },
        [
          el('td', { className: 'num', text: String(index + 1) }),
          el('td', { text: row.speaker ?? '' }),
          el('td', { text: actorName(row) + (row.on_behalf_of ? ` (for ${row.on_behalf_of})` : '') }),
          el('td', {}, stanceChips(row.stances || [])),
          el('td', { className: 'nowrap', text: sentiment }),
          el('td', { text: row.polarity ?? '' }),
          el('td', { className: 'text-cell' }, [text]),
        ],
      );
    }),
  );
  for (const th of document.querySelectorAll('#statements th')) {
    const key = th.querySelector('button').dataset.sort;
    if (key === state.sort.key) th.setAttribute('aria-sort', state.sort.dir);
    else th.removeAttribute('aria-sort');
  }
  // Dim the highlights the filters leave out, so the text and the table tell the same story.
  const shown = new Set(items.map((item) => item.mark));
  for (const { mark } of state.items) if (mark) mark.classList.toggle('dimmed', !shown.has(mark));
  const total = state.items.length;
  $('table-count').textContent =
    items.length === total
      ? `Showing all ${total} statement${total === 1 ? '' : 's'}.`
      : `Showing ${items.length} of ${total} statements.`;
  $('download-csv').disabled = !items.length;
  $('download-jsonl').disabled = !items.length;
}

function sortBy(key) {
  const same = state.sort.key === key;
  state.sort = { key, dir: same && state.sort.dir === 'ascending' ? 'descending' : 'ascending' };
  renderTable();
}

// ---------------------------------------------------------------------------------------------- downloads

/** A cell a spreadsheet will not run as a formula, as classifier/output.py's spreadsheet_safe does. */
export function spreadsheetSafe(value) {
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function csvCell(value) {
  if (value === null || value === undefined) return '';
  const text = String(spreadsheetSafe(value));
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Flat rows with the columns of `diplostance score --format csv`: one per field and per label score. */
export function toCsv(rows, stanceLabels, sentimentLabels) {
  const columns = [
    'article_id', 'statement_id', 'speaker', 'speaker_mention_text', 'speaker_mention_start', 'speaker_mention_end',
    'on_behalf_of', 'actor_id', 'actor_type', 'actor_country', 'actor_org', 'text', 'start', 'end', 'kind',
    'polarity', 'cue', 'stances', ...stanceLabels.map((l) => `stance_${l}`), 'sentiment',
    ...sentimentLabels.map((l) => `sentiment_${l}`), 'date',
  ]; // prettier-ignore
  const lines = [columns.join(',')];
  for (const row of rows) {
    const mention = row.speaker_mention || {};
    const actor = row.actor || {};
    const flat = {
      ...row,
      speaker_mention_text: mention.text,
      speaker_mention_start: mention.start,
      speaker_mention_end: mention.end,
      actor_id: actor.id,
      actor_type: actor.type,
      actor_country: actor.country,
      actor_org: actor.org,
      stances: (row.stances || []).join(';'),
    };
    for (const label of stanceLabels) flat[`stance_${label}`] = (row.stance_scores || {})[label];
    for (const label of sentimentLabels) flat[`sentiment_${label}`] = (row.sentiment_scores || {})[label];
    lines.push(columns.map((column) => csvCell(flat[column])).join(','));
  }
  return `${lines.join('\n')}\n`; // the line ends of the command line's CSV
}

export function toJsonl(rows) {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}

function download(content, type, extension) {
  const blob = new Blob([content], { type });
  const url = URL.createObjectURL(blob);
  const name = `${state.articleId.replace(/[^\w.-]+/g, '_') || 'article'}-statements.${extension}`;
  const link = el('a', { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// ---------------------------------------------------------------------------------------------- wiring

function wire() {
  const form = $('score-form');
  const textarea = $('article-text');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    score();
  });
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (!$('score-button').disabled) score();
    }
  });
  $('key-form').addEventListener('submit', submitKey);
  $('key-cancel').addEventListener('click', () => closeKeyForm(false));
  $('article-file').addEventListener('change', (event) => {
    const [file] = event.target.files;
    if (file) loadFile(file).catch((error) => showError(`${file.name}: ${error.message}`));
  });
  textarea.addEventListener('dragover', (event) => {
    if (![...event.dataTransfer.types].includes('Files')) return;
    event.preventDefault();
    textarea.classList.add('dropping');
  });
  textarea.addEventListener('dragleave', () => textarea.classList.remove('dropping'));
  textarea.addEventListener('drop', (event) => {
    textarea.classList.remove('dropping');
    const [file] = event.dataTransfer.files;
    if (!file) return; // dropped text: the textarea inserts it itself
    event.preventDefault();
    loadFile(file).catch((error) => showError(`${file.name}: ${error.message}`));
  });
  $('filter-speaker').addEventListener('change', renderTable);
  $('filter-stance').addEventListener('change', renderTable);
  for (const button of document.querySelectorAll('#statements th button')) {
    button.addEventListener('click', () => sortBy(button.dataset.sort));
  }
  $('download-csv').addEventListener('click', () => {
    const rows = selectedItems().map((item) => item.row);
    download(toCsv(rows, state.stanceLabels, state.sentimentLabels), 'text/csv;charset=utf-8', 'csv');
  });
  $('download-jsonl').addEventListener('click', () => {
    download(toJsonl(selectedItems().map((item) => item.row)), 'application/x-ndjson', 'jsonl');
  });
  $('details-close').addEventListener('click', () => closeDetails());
  $('details').addEventListener('keydown', (event) => {
    if (event.key === 'Escape') closeDetails();
  });
  loadInfo().catch((error) => showError(describeError(error)));
}

wire();
