// Sunshine Ledger page viewers (issue 13): plain JavaScript, no framework, no build step.
//
// The static site no longer holds a page per entry or per donation (at a million entries those
// pages were most of the site). Instead one page per language shows any of them, here:
//
// - <div class="entry-view" hidden> (entries/index.html?seq=N): the page's verification widget
//   (static/verify.js, loaded before this file) fetches entry N's leaf bytes from the published
//   entry bundle and proves them included in the signed checkpoint; only then, from those
//   verified bytes, this file fills in the entry. A tampered bundle is refused by the widget and
//   nothing of it is shown.
// - <div class="receipt-view" hidden> (receipts/view.html?org=O&no=R): the donation's row and
//   trace come from the organisation's receipt shard (data/org/O/receipts-B.json, B picked from
//   SHA-256 of the receipt number as data/org/O/index.json says); the widget then proves the
//   donation's entry included, and checks that the proven entry is this organisation's donation
//   with this receipt number.
// - <form class="lookup" data-lands> (receipts/index.html?org=O&receipt=R): goes on to the
//   receipt viewer, so a donor can be sent a link to the lookup page that works on a static host.
//
// - A receipt or entry a later correction amended or voided says so beside it: amended or voided,
//   by which entry, the notice (更正说明) and what changed (see "Corrections" below).
//
// Labels come from the page (rendered in its language by the server): data-labels holds a JSON
// object, and <dd data-field> slots wait for values. Everything from the log or the shards is
// written with textContent, never as markup.
'use strict';

(() => {
  const zh = document.documentElement.lang.toLowerCase().startsWith('zh');
  const SEQ_RE = /^(0|[1-9][0-9]{0,15})$/;
  const ID_RE = /^[A-Za-z0-9._-]{1,64}$/;
  /**
   * The file name the site gives a page of id `id` (src/site/slug.rs `encode`, for ids of
   * ID_RE's alphabet, the only ones linked): a leading `.`, `_` or `-`, and the first character
   * of a name a list page has (`index`, `type-…`, any case), are written `~XX`.
   */
  const escapeChar = (c) => `~${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  function pageStem(id) {
    const out = id.replace(/^[._-]/, escapeChar);
    return /^(index$|index\.|type-|region-|fundraising-)/i.test(out) ? escapeChar(out[0]) + out.slice(1) : out;
  }
  /** Payments of a receipt's money trail shown before the rest are folded away. */
  const TRAIL_SHOWN = 10;
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

  // ---- Small helpers --------------------------------------------------------------------------

  /** An element with text and attributes; children may be nodes or strings. */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }

  const labelsOf = (node) => {
    try { return JSON.parse(node.dataset.labels || '{}'); } catch (_) { return {}; }
  };

  /** A `YYYY-MM-DD` (or RFC 3339) date in the page's language, as the server writes dates. */
  function date(text) {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text || '');
    if (!m) return text || '';
    const [y, mo, d] = [m[1], Number(m[2]), Number(m[3])];
    return zh ? `${y}年${mo}月${d}日` : `${d} ${MONTHS[mo - 1] || mo} ${y}`;
  }

  /** A decimal money string as "¥1,234.50" (CNY) or "USD 1,234.50"; other text as it is. */
  function money(amount, currency) {
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount || '');
    if (!m) return amount || '';
    const digits = m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + '.' + (m[3] || '').padEnd(2, '0');
    if (!currency) return `${m[1]}${digits}`; // a declared figure whose body names no currency
    return currency === 'CNY' ? `${m[1]}¥${digits}` : `${m[1]}${currency} ${digits}`;
  }

  function fill(root, field, ...content) {
    const slot = root.querySelector(`[data-field="${field}"]`);
    if (slot) slot.replaceChildren(...content.filter((c) => c !== null && c !== undefined));
    return slot;
  }

  async function fetchJson(url) {
    const resp = await fetch(url);
    if (!resp.ok) throw new Error(`${url}: HTTP ${resp.status}`);
    return resp.json();
  }

  /**
   * An organisation's published facts (names, receipt shard bits, project titles), or null;
   * fetched once per page, however many links name it.
   */
  const infoCache = new Map();
  function orgInfo(base, org) {
    if (!ID_RE.test(org)) return Promise.resolve(null);
    const url = new URL(`${org}/index.json`, new URL(base, location.href)).href;
    if (!infoCache.has(url)) infoCache.set(url, fetchJson(url).catch(() => null));
    return infoCache.get(url);
  }

  /**
   * Puts an organisation's or a project's name into `node`: the English one on an English page
   * when there is one, else the Chinese one, marked as Chinese so it is read as such.
   */
  function nameInto(node, zhName, enName, suffix) {
    const english = !zh && typeof enName === 'string' && enName;
    node.textContent = (english ? enName : zhName) + (suffix || '');
    if (!zh && !english) node.setAttribute('lang', 'zh-CN');
  }

  /** Names what the page shows, in its heading and its title (keeping the site's name). */
  function retitle(text) {
    const h1 = document.querySelector('main h1');
    if (h1) h1.textContent = text;
    const at = document.title.indexOf(' · ');
    document.title = at < 0 ? text : text + document.title.slice(at);
  }

  const entryLink = (href, seq) => el('a', { href: `${href}${seq}` }, `#${seq}`);

  /** Asks verify.js to check `section` now that its data-seq (and claims) are set. */
  function verify(section) {
    section.dispatchEvent(new CustomEvent('sunshine:verify', { bubbles: true }));
  }

  // ---- Entry viewer ---------------------------------------------------------------------------

  function signer(view, labels, author, info) {
    if (author.startsWith('org:')) {
      const org = author.slice(4);
      if (!info || typeof info.name !== 'string' || !ID_RE.test(org)) return org;
      const a = el('a', { href: `${view.dataset.orgsHref}${pageStem(org)}.html` });
      nameInto(a, info.name, info.name_en);
      return a;
    }
    if (author.startsWith('regulator:')) {
      const id = author.slice('regulator:'.length);
      return `${labels.regulator} ${(labels.regulators || {})[id] || id}`;
    }
    return labels.operator;
  }

  // What body fields hold (docs/FORMAT.md section 6), so they read as money, dates, words and
  // links rather than wire values. The exact bytes stay below, pretty-printed.
  const MONEY_FIELDS = new Set(['amount', 'target', 'property', 'raised', 'spent', 'disbursed',
    'income', 'closing_balance', 'carried_forward']);
  const ORG_FIELDS = new Set(['org', 'to_org', 'recipient_org', 'trustee', 'administrator']);
  const ENUM_FIELDS = new Set(['form', 'donor_type', 'payee_type', 'receipt', 'action', 'org_type', 'purpose']);
  /** A project id field -> the field naming its organisation ('' for the signer). */
  const PROJECT_FIELDS = { project: '', from_project: '', to_project: 'to_org', recipient_project: 'recipient_org' };
  const MONEY_RE = /^\d{1,13}\.\d{2}$/;
  const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
  const HASH_RE = /^[0-9a-f]{64}$/;
  const CJK_RE = /[\u3400-\u9fff\uf900-\ufaff]/;

  /** A link to organisation `org`'s page, named once its published facts arrive. */
  function orgLink(view, org) {
    const a = el('a', { href: `${view.dataset.orgsHref}${pageStem(org)}.html` }, org);
    orgInfo(view.dataset.orgData, org).then((info) => {
      if (info && typeof info.name === 'string') nameInto(a, info.name, info.name_en, ` (${org})`);
    });
    return a;
  }

  /** A link to project `id` of organisation `owner`, titled once the organisation's facts arrive. */
  function projectLink(view, owner, id) {
    const a = el('a', { href: `${view.dataset.projectsHref}${pageStem(owner)}/${pageStem(id)}.html` }, id);
    orgInfo(view.dataset.orgData, owner).then((info) => {
      const titles = info && info.projects && info.projects[id];
      if (Array.isArray(titles) && typeof titles[0] === 'string') nameInto(a, titles[0], titles[1]);
    });
    return a;
  }

  // ---- Entry summary --------------------------------------------------------------------------

  /** The body field holding the date an entry's summary gives, by kind. */
  const DATE_OF = {
    donation: 'received_on', disbursement: 'paid_on', 'grant.transfer': 'paid_on',
    'project.open': 'start', 'project.update': 'as_of', 'project.close': 'closed_on',
    'goods.distribute': 'distributed_on', 'trust.file': 'filed_on', 'trust.disburse': 'paid_on', 'trust.report': 'reported_on',
    'lottery.grant': 'granted_on', 'lottery.usage': 'used_on', 'lottery.announce': 'announced_on',
    'org.register': 'registered_on', 'report.annual': 'published_on', disclosure: 'occurred_on',
    explanation: 'published_on', 'trust.receive': 'received_on', 'trust.fee': 'paid_on',
    'trust.terminate': 'terminated_on', 'lottery.receive': 'received_on',
  };
  /** Body fields naming a project, with the field naming its organisation ('' for the signer). */
  const PROJECT_OF = { project: '', id: '', to_project: 'to_org', recipient_project: 'recipient_org' };

  /** `template` with each `{name}` replaced by `part(name)` (a list of texts and nodes). */
  function compose(template, part) {
    return String(template || '').split(/\{(\w+)\}/).flatMap((s, i) => (i % 2 ? part(s) : [s]));
  }

  /**
   * One sentence saying who did what, for how much and when, in the page's language, with the
   * organisation, the project and the receipt as links (issue 16). The templates come from the
   * page (src/site/pages/entry.rs); the values from the verified bytes.
   */
  function summary(ctx, entry, info) {
    const { view, labels, body, kind, org } = ctx;
    const S = labels.summary || {};
    const fund = (field, restricted, unrestricted) => (org && typeof body[field] === 'string' && ID_RE.test(body[field])
      ? compose(S[restricted], () => [projectLink(view, org, body[field])])
      : [S[unrestricted]]);
    const amount = () => {
      const value = kind === 'project.open' ? body.target : kind === 'trust.file' ? body.property : body.amount;
      if (typeof value === 'string') return [money(value, String(body.currency || ''))];
      const goods = body.in_kind;
      if (goods && typeof goods === 'object') {
        return compose(S.goods, (k) => [String(goods[k] === undefined ? '' : goods[k])]);
      }
      return ['—'];
    };
    const part = (name) => {
      switch (name) {
        case 'org':
          return [kind === 'org.register' && ID_RE.test(String(body.org)) ? orgLink(view, body.org)
            : signer(view, labels, entry.submission.author, info)];
        case 'date': return [date(body[DATE_OF[kind]])];
        case 'recorded': return [date(entry.recorded_at)];
        case 'kind': return [(labels.kinds || {})[kind] || kind];
        case 'amount': return amount();
        case 'fund':
          return kind === 'donation' ? fund('project', 'fundTo', 'unrestrictedTo')
            : fund(kind === 'grant.transfer' ? 'from_project' : 'project', 'fundFrom', 'unrestrictedFrom');
        default: break;
      }
      if (name in PROJECT_OF && typeof body[name] === 'string' && ID_RE.test(body[name])) {
        const owner = PROJECT_OF[name] ? body[PROJECT_OF[name]] : org;
        if (typeof owner === 'string' && ID_RE.test(owner)) return [projectLink(view, owner, body[name])];
      }
      if (body[name] === undefined) return ['—'];
      const value = bodyValue(ctx, name, body[name]);
      // Free text in Chinese (a purpose, a payee) inside an English page is marked as Chinese.
      return [!zh && typeof value === 'string' && CJK_RE.test(value) ? el('span', { lang: 'zh-CN' }, value) : value];
    };
    return compose(S[kind] || S.other, part);
  }

  /**
   * One body field's value, readable: money with its currency, dates in the page's language,
   * enumerated values and categories in words, organisations, projects, receipts and corrected
   * entries as links; nested objects as indented JSON.
   */
  function bodyValue(ctx, key, value) {
    const { view, labels, body, kind, org } = ctx;
    if (key === 'target' && kind === 'correction' && SEQ_RE.test(String(value))) {
      return entryLink(view.dataset.entryHref, value);
    }
    if (typeof value === 'boolean') return value ? labels.yes : labels.no;
    if (typeof value === 'number' || value === null) return String(value);
    if (typeof value === 'string') {
      if (MONEY_FIELDS.has(key) && MONEY_RE.test(value)) return money(value, String(body.currency || ''));
      if (ORG_FIELDS.has(key) && ID_RE.test(value)) return orgLink(view, value);
      const projectOrg = key in PROJECT_FIELDS ? (PROJECT_FIELDS[key] ? body[PROJECT_FIELDS[key]] : org)
        : key === 'id' && kind === 'project.open' ? org : null;
      if (projectOrg && ID_RE.test(projectOrg) && ID_RE.test(value)) {
        return el('a', { href: `${view.dataset.projectsHref}${pageStem(projectOrg)}/${pageStem(value)}.html` }, value);
      }
      if (key === 'receipt_no' && kind === 'donation' && org && ID_RE.test(value)) {
        return el('a', { href: `${view.dataset.receiptHref}?org=${org}&no=${value}` }, value);
      }
      if (key === 'category') return (labels.categories || {})[value] || value;
      if (ENUM_FIELDS.has(key) && (labels.values || {})[value]) return labels.values[value];
      if (DATE_RE.test(value)) return date(value);
      if (HASH_RE.test(value)) return el('span', { class: 'hash' }, value);
      return value;
    }
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      return el('ul', { class: 'plain' }, ...value.map((v) => el('li', { class: 'hash' }, v)));
    }
    return el('pre', { class: 'leaf' }, JSON.stringify(value, null, 2));
  }

  async function showEntry(view, section, detail) {
    const labels = labelsOf(view);
    const seq = Number(section.dataset.seq);
    let entry;
    try {
      entry = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(detail.leaf));
    } catch (_) {
      entry = null;
    }
    const sub = entry && entry.submission;
    if (!sub || entry.seq !== seq || typeof sub.kind !== 'string' || typeof sub.author !== 'string') {
      section.dataset.state = 'failed';
      section.dataset.failedStep = 'entry';
      section.querySelector('.verify-status').textContent = labels.unreadable;
      return;
    }
    const info = sub.author.startsWith('org:') ? await orgInfo(view.dataset.orgData, sub.author.slice(4)) : null;
    const kind = (labels.kinds || {})[sub.kind] || sub.kind;
    retitle(`${labels.title} #${seq}`);
    fill(view, 'seq', String(seq));
    fill(view, 'kind', kind, ' (', el('code', {}, sub.kind), ')');
    fill(view, 'author', signer(view, labels, sub.author, info), ' · ', el('code', {}, sub.author));
    fill(view, 'key', String(sub.key || ''));
    fill(view, 'recorded', date(entry.recorded_at));
    fill(view, 'leaf-hash', Array.from(detail.leafHash, (b) => b.toString(16).padStart(2, '0')).join(''));
    const next = seq + 1 < detail.checkpoint.size ? entryLink(view.dataset.entryHref, seq + 1) : null;
    fill(view, 'neighbours', seq > 0 ? entryLink(view.dataset.entryHref, seq - 1) : null, ' ', next);
    const body = sub.body && typeof sub.body === 'object' ? sub.body : {};
    const org = sub.author.startsWith('org:') ? sub.author.slice(4) : '';
    const ctx = { view, labels, body, kind: sub.kind, org };
    const said = fill(document, 'summary', ...summary(ctx, entry, info));
    if (said) said.hidden = false;
    const note = document.querySelector('[data-field="tree-note"]');
    if (note && labels.treeNote) {
      const size = detail.checkpoint.size;
      const values = { seq: String(seq), size: String(size), last: String(size - 1) };
      note.querySelector('p').textContent = String(labels.treeNote).replace(/\{(seq|size|last)\}/g, (_, k) => values[k]);
      note.hidden = false;
    }
    // In the order the labels list fields (the format's), not the bytes' (sorted by name).
    const order = Object.keys(labels.fields || {});
    const rank = (k) => (order.indexOf(k) + order.length + 1) % (order.length + 1);
    const fields = Object.entries(body).sort(([a], [b]) => rank(a) - rank(b));
    const rows = [];
    for (const [k, v] of fields) {
      const name = (labels.fields || {})[k];
      const dt = name ? el('dt', {}, name, ' ', el('code', {}, k)) : el('dt', {}, el('code', {}, k));
      const dd = el('dd', {}, bodyValue(ctx, k, v));
      dd.dataset.body = k;
      rows.push(dt, dd);
    }
    fill(view, 'body', ...rows);
    fill(view, 'leaf', JSON.stringify(entry, null, 2));
    view.hidden = false;
    entryCorrection(view, labels, seq);
  }

  function startEntry(view) {
    const section = document.querySelector('section.verify');
    const seq = new URLSearchParams(location.search).get('seq');
    if (!section || seq === null) return; // the page's lookup form is all there is to show
    const form = document.querySelector('form.entry-lookup input[name="seq"]');
    if (form) form.value = seq;
    if (!SEQ_RE.test(seq)) {
      section.dataset.state = 'failed';
      section.dataset.failedStep = 'entry';
      section.querySelector('.verify-status').textContent = labelsOf(view).badSeq;
      return;
    }
    section.dataset.seq = seq;
    section.addEventListener('sunshine:verified', (e) => showEntry(view, section, e.detail));
    verify(section);
  }

  // ---- Receipt viewer -------------------------------------------------------------------------

  async function shardOf(base, org, no, info) {
    const bits = Number(info.receipt_bits) || 0;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(no)));
    const top = ((digest[0] * 256 + digest[1]) * 256 + digest[2]) * 256 + digest[3];
    const bucket = bits > 0 ? Math.floor(top / 2 ** (32 - bits)) : 0;
    const shard = await fetchJson(new URL(`${org}/receipts-${bucket}.json`, new URL(base, location.href)).href);
    return Object.prototype.hasOwnProperty.call(shard, no) ? shard[no] : null;
  }

  function fund(view, labels, f) {
    const org = (f && f.org) || '';
    const project = f && f.project;
    return typeof project === 'string' && ID_RE.test(org) && ID_RE.test(project)
      ? el('a', { href: `${view.dataset.projectsHref}${pageStem(org)}/${pageStem(project)}.html` }, project)
      : labels.unrestrictedFund;
  }

  /** A project's title in the page's language, linked to its page, from a shard's `spends`. */
  function spendProject(view, labels, detail, f) {
    const title = (!zh && detail.title_en) || detail.title;
    if (typeof title === 'string' && typeof detail.page === 'string') {
      return el('a', { href: `${view.dataset.pagesHref}${detail.page}` }, title);
    }
    return fund(view, labels, f);
  }

  /**
   * Where the gift went, as a donor reads it on a phone (issue 16): for each payment it paid
   * for, the date and the gift's part of it, then the purpose, then the project and the payee
   * (masked for individuals, as the entry has it), with the entry a link for whoever checks.
   */
  function traceTables(view, labels, t, cur, details) {
    const out = [el('ul', { class: 'cards' },
      el('li', {}, labels.spent, el('span', { class: 'figure' }, money(t.spent_total, cur))),
      el('li', {}, labels.unspent, el('span', { class: 'figure' }, money(t.unspent_total, cur))))];
    const entry = (seq) => (SEQ_RE.test(String(seq)) ? entryLink(view.dataset.entryHref, seq) : '');
    const spent = Array.isArray(t.spent) ? t.spent : [];
    if (!spent.length) {
      out.push(el('p', {}, labels.noneSpent));
    } else {
      const items = spent.map((x) => {
        const d = (details && details[String(x.seq)]) || {};
        const category = (labels.categories || {})[x.category] || x.category || '';
        const via = (Array.isArray(x.via) ? x.via : []).flatMap((v) => [' ← ', entry(v)]);
        return el('li', {},
          el('p', { class: 'trail-head' },
            el('span', {}, date(x.paid_on)),
            el('strong', { class: 'num' }, money(x.amount, (x.fund && x.fund.currency) || cur))),
          el('p', { class: 'trail-purpose' }, typeof d.purpose === 'string' && d.purpose ? d.purpose : category),
          el('p', { class: 'muted' }, spendProject(view, labels, d, x.fund),
            typeof d.payee === 'string' && d.payee ? ` · ${labels.payee}${d.payee}` : '',
            ' · ', labels.entry, entry(x.seq), ...via));
      });
      // The first payments, then the rest folded away: a large unrestricted gift pays for a
      // hundred, which would push the check off any screen.
      out.push(el('ol', { class: 'trail', 'aria-label': labels.spentCaption }, ...items.slice(0, TRAIL_SHOWN)));
      if (items.length > TRAIL_SHOWN) {
        const rest = items.slice(TRAIL_SHOWN);
        out.push(el('details', { class: 'trail-more' },
          el('summary', {}, String(labels.more || '').replace('{n}', String(rest.length))),
          el('ol', { class: 'trail', start: String(TRAIL_SHOWN + 1) }, ...rest)));
      }
    }
    const moved = Array.isArray(t.moved) ? t.moved : [];
    if (moved.length) {
      const body = el('tbody', {}, ...moved.map((m) => el('tr', {},
        el('td', {}, entry(m.seq)),
        el('td', {}, fund(view, labels, m.from), ' → ', String((m.to && m.to.org) || ''), ' / ', fund(view, labels, m.to)),
        el('td', { class: 'num' }, money(m.amount, (m.from && m.from.currency) || cur)))));
      out.push(el('div', { class: 'table-wrap' }, el('table', {}, el('caption', {}, labels.movedCaption), body)));
    }
    return out;
  }

  /**
   * Where a gift's goods went (issue 14): goods are their own ledger, so a goods-ledger gift
   * shows its distributions by quantity (and the value of each part, for valued goods), never
   * money spent.
   */
  function goodsTables(view, labels, g, cur, details) {
    const qty = (q) => `${String(q)} ${String(g.unit || '')}`;
    const worth = (a) => (typeof a === 'string' ? [' · ', money(a, cur)] : []);
    const out = [el('p', { class: 'muted' }, labels.goodsNote), el('ul', { class: 'cards' },
      el('li', {}, labels.goodsDistributed, el('span', { class: 'figure' }, qty(g.distributed_quantity), ...worth(g.distributed_value))),
      el('li', {}, labels.goodsInStock, el('span', { class: 'figure' }, qty(g.in_stock_quantity), ...worth(g.in_stock_value))))];
    const given = Array.isArray(g.distributed) ? g.distributed : [];
    if (!given.length) {
      out.push(el('p', {}, labels.goodsNone));
      return out;
    }
    const items = given.map((x) => {
      const d = (details && details[String(x.seq)]) || {};
      return el('li', {},
        el('p', { class: 'trail-head' },
          el('span', {}, date(x.distributed_on)),
          el('strong', { class: 'num' }, qty(x.quantity), ...worth(x.amount))),
        el('p', { class: 'trail-purpose' }, typeof d.purpose === 'string' ? d.purpose : ''),
        el('p', { class: 'muted' }, typeof d.payee === 'string' && d.payee ? `${labels.recipient}${d.payee} · ` : '',
          labels.entry, SEQ_RE.test(String(x.seq)) ? entryLink(view.dataset.entryHref, x.seq) : ''));
    });
    out.push(el('ol', { class: 'trail goods', 'aria-label': labels.goodsCaption }, ...items));
    return out;
  }

  function showReceipt(view, labels, org, no, info, got) {
    const row = got.row || {};
    const voided = row.status === 'voided';
    const d = voided && row.original && typeof row.original === 'object' ? row.original : row;
    const cur = d.currency || '';
    const seq = Number(d.seq);
    retitle(`${labels.title} ${no}`);
    view.querySelector('[data-field="voided"]').hidden = !voided;
    showCorrection(view.querySelector('[data-field="correction"]'), labels.correction,
      view.dataset.entryHref, got.correction, false);
    fill(view, 'receipt-no', no);
    const name = info && typeof info.name === 'string' ? info.name : org;
    fill(view, 'org', el('a', { href: `${view.dataset.orgsHref}${pageStem(org)}.html` }, name));
    fill(view, 'donor', String(d.donor_display || ''));
    const stock = d.in_kind && typeof d.in_kind === 'object' && d.in_kind.item ? d.in_kind : null;
    fill(view, 'amount', typeof d.amount === 'string' ? money(d.amount, cur) : labels.inKind,
      stock ? ` · ${String(stock.quantity)} ${String(stock.unit)} ${String(stock.description || '')}` : '');
    fill(view, 'received-on', date(d.received_on));
    fill(view, 'project', typeof d.project === 'string'
      ? fund(view, labels, { org, project: d.project }) : labels.unrestricted);
    fill(view, 'entry', SEQ_RE.test(String(d.seq)) ? entryLink(view.dataset.entryHref, seq) : '');
    fill(view, 'leaf-hash', String(got.leaf_hash || ''));
    const form = view.querySelector('form.receipt-secret');
    if (form) form.dataset.secretHash = String(d.commitment || '');
    const goods = got.trace && got.trace.goods && typeof got.trace.goods === 'object' ? got.trace.goods : null;
    const trace = goods ? goodsTables(view, labels, goods, cur, got.spends)
      : got.trace && typeof d.amount === 'string'
        ? traceTables(view, labels, got.trace, cur, got.spends) : [el('p', {}, labels.noTrace)];
    fill(view, 'trace', ...trace);
    view.hidden = false;
    const section = view.querySelector('section.verify');
    if (section && SEQ_RE.test(String(d.seq))) {
      section.dataset.seq = String(seq);
      section.dataset.leafHash = String(got.leaf_hash || '');
      section.dataset.expectAuthor = `org:${org}`;
      section.dataset.expectReceipt = no;
      verify(section);
    }
  }

  async function startReceipt(view) {
    const params = new URLSearchParams(location.search);
    const org = (params.get('org') || '').trim().toUpperCase();
    const no = (params.get('no') || params.get('receipt') || '').trim();
    const status = document.querySelector('.receipt-status');
    const labels = labelsOf(view);
    for (const [name, value] of [['org', org], ['no', no]]) {
      const input = document.querySelector(`form.lookup [name="${name}"]`);
      if (input && value) input.value = value;
    }
    if (!org && !no) return; // the lookup form is all there is to show
    const say = (text) => { if (status) status.textContent = text; };
    if (!ID_RE.test(org) || !ID_RE.test(no)) return notFound(labels, say, org, no, null);
    say(labels.loading);
    const info = await orgInfo(view.dataset.orgData, org);
    const [found, got] = info ? await findReceipt(view.dataset.orgData, org, no, info) : [no, null];
    if (!got || typeof got !== 'object') return notFound(labels, say, org, no, info);
    say('');
    if (found !== no || params.get('org') !== org || params.has('receipt')) {
      // Typed in lower case: show (and link) the receipt as issued.
      const url = new URL(location.href);
      url.search = new URLSearchParams({ org, no: found }).toString();
      history.replaceState(null, '', url.href);
    }
    showReceipt(view, labels, org, found, info, got);
  }

  /**
   * The receipt `no` of `org`, or else the same number in capitals (receipt numbers are
   * issued in capitals, and donors type them as they like): [the number found, its record],
   * or [no, null].
   */
  async function findReceipt(base, org, no, info) {
    for (const n of new Set([no, no.toUpperCase()])) {
      try {
        const got = await shardOf(base, org, n, info);
        if (got) return [n, got];
      } catch (_) { /* a missing shard: not found */ }
    }
    return [no, null];
  }

  /** Nothing matches: the page's friendly answer, saying what was asked. */
  function notFound(labels, say, org, no, info) {
    const section = document.querySelector('section.not-found');
    if (!section) return say(labels.notFound);
    say('');
    fill(section, 'asked-org', info && typeof info.name === 'string' ? `${info.name} (${org})` : org);
    fill(section, 'asked-no', no);
    section.hidden = false;
    const at = document.title.indexOf(' · ');
    document.title = section.querySelector('h2').textContent + (at < 0 ? '' : document.title.slice(at));
  }

  // ---- Corrections ----------------------------------------------------------------------------
  //
  // The correction notice goes with the item it corrects (2025 Disclosure Measures Art. 16). Its
  // facts are the item's `entry/{seq}` row: `correction` {by, action, notice}, the body first
  // recorded (`original`) and, for an amendment, the body in force (`current`). The receipt
  // shard carries the donation's row; the entry viewer fetches data/corrected/{seq / 4096}.json,
  // where a 404 means no entry of that range is corrected.

  const CORRECTED_PER_FILE = 4096;

  /** A body value as text for "was … now …": money and dates read as such. */
  function plainValue(key, value, currency) {
    if (value === undefined || value === null) return '—';
    if (typeof value === 'string') {
      if (MONEY_FIELDS.has(key) && MONEY_RE.test(value)) return money(value, currency);
      return DATE_RE.test(value) ? date(value) : value;
    }
    return JSON.stringify(value);
  }

  /** The fields an amendment changed, as list items "name: was X, now Y". */
  function changes(labels, original, current) {
    const keys = [...new Set([...Object.keys(original), ...Object.keys(current)])];
    return keys
      .filter((k) => JSON.stringify(original[k]) !== JSON.stringify(current[k]))
      .map((k) => {
        const name = (labels.fields || {})[k] || k;
        const was = plainValue(k, original[k], String(original.currency || ''));
        const now = plainValue(k, current[k], String(current.currency || ''));
        return el('li', { 'data-changed': k }, `${name}: ${labels.was} ${was} · ${labels.now} ${now}`);
      });
  }

  /**
   * Fills `slot` with the correction in `row` (an `entry/{seq}` row, or null: not corrected).
   * `asRecorded`: the page below shows the body as first recorded (the entry viewer).
   */
  function showCorrection(slot, labels, entryHref, row, asRecorded) {
    if (!slot || !labels) return;
    const c = row && typeof row === 'object' ? row.correction : null;
    if (!c || typeof c !== 'object') {
      slot.hidden = true;
      return;
    }
    const amended = c.action === 'amend';
    const by = SEQ_RE.test(String(c.by)) ? entryLink(entryHref, c.by) : '';
    const out = [
      el('p', {}, el('strong', {}, amended ? labels.amended : labels.voided), ' · ', labels.by, ' ', by),
      el('p', {}, labels.notice, String(c.notice || '')),
    ];
    const [original, current] = [row.original, row.current];
    if (amended && original && current && typeof original === 'object' && typeof current === 'object') {
      const changed = changes(labels, original, current);
      if (changed.length) out.push(el('ul', {}, ...changed));
    }
    if (asRecorded) out.push(el('p', { class: 'muted' }, labels.asRecorded));
    slot.replaceChildren(...out);
    slot.dataset.action = String(c.action || '');
    slot.hidden = false;
  }

  /** The entry viewer's correction of entry `seq`, from the published corrected-entry files. */
  async function entryCorrection(view, labels, seq) {
    const slot = view.querySelector('[data-field="correction"]');
    if (!slot || !view.dataset.corrected) return;
    const file = Math.floor(seq / CORRECTED_PER_FILE);
    const url = new URL(`${file}.json`, new URL(view.dataset.corrected, location.href)).href;
    let row = null;
    try {
      const resp = await fetch(url);
      if (resp.status === 404) return; // no entry of this range was corrected
      if (!resp.ok) throw new Error(`${url}: HTTP ${resp.status}`);
      const rows = await resp.json();
      row = Object.prototype.hasOwnProperty.call(rows, String(seq)) ? rows[String(seq)] : null;
    } catch (_) {
      slot.replaceChildren(el('p', {}, (labels.correction || {}).unknown || ''));
      slot.hidden = false;
      return;
    }
    showCorrection(slot, labels.correction, view.dataset.entryHref, row, true);
  }

  // ---- Receipt lookup -------------------------------------------------------------------------

  /**
   * The lookup page answers a link `receipts/?org=O&receipt=R` (or `&no=R`) by going to the
   * receipt viewer, so a donor can be sent a link that works on any static host.
   */
  function startLookup(form) {
    const params = new URLSearchParams(location.search);
    const org = (params.get('org') || '').trim();
    const no = (params.get('receipt') || params.get('no') || '').trim();
    if (!org || !no) return;
    const to = new URL(form.getAttribute('action') || 'view.html', location.href);
    to.search = new URLSearchParams({ org, no }).toString();
    location.replace(to.href);
  }

  document.querySelectorAll('form.lookup[data-lands]').forEach(startLookup);
  document.querySelectorAll('.entry-view').forEach(startEntry);
  document.querySelectorAll('.receipt-view').forEach(startReceipt);
})();
