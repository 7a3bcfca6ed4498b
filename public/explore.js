/*
 * Sunshine Ledger: the journalist's tools (issue 16), on any static host, no server:
 *  - search (search/index.html?q=..): matches the prebuilt index data/search/index.json;
 *    a query shaped like a receipt number goes to the receipt lookup;
 *  - the organisation list: type, region and fundraising filters that combine, and columns
 *    that sort (money and ratios as exact decimals, never as text);
 *  - the comparison (compare/index.html?orgs=A,B,C): tables built from data/compare/{code}.json.
 * Money and ratios stay decimal strings: compared and formatted with BigInt, never floats.
 */
(() => {
  'use strict';

  const labelsOf = (node) => {
    try { return JSON.parse(node.dataset.labels || '{}'); } catch (_) { return {}; }
  };
  const zh = () => document.documentElement.lang !== 'en';

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') node.className = v;
      else node.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : String(c));
    }
    return node;
  }

  // ---- Exact decimals ----------------------------------------------------------------------

  /** `v` ("-1234.5") times 10^dp as a BigInt (digits past `dp` dropped), or null. */
  function scaled(v, dp) {
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(v === null || v === undefined ? '' : v).trim());
    if (!m) return null;
    const frac = ((m[3] || '') + '0'.repeat(dp)).slice(0, dp);
    const n = BigInt(m[2] + frac);
    return m[1] ? -n : n;
  }

  /** Digits grouped by thousands. */
  const group = (digits) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

  /** A view's amount ("4633317.9") as the pages show it ("¥4,633,317.90"). */
  function money(v) {
    const n = scaled(v, 2);
    if (n === null) return '—';
    const neg = n < 0n;
    const abs = (neg ? -n : n).toString().padStart(3, '0');
    return `${neg ? '-' : ''}¥${group(abs.slice(0, -2))}.${abs.slice(-2)}`;
  }

  /** A ratio ("0.6743") as a percentage ("67.43%"), rounded half to even as the pages do. */
  function percent(v) {
    const n = scaled(v, 8);
    if (n === null) return '—';
    const neg = n < 0n;
    let q = (neg ? -n : n) / 10000n;
    const r = (neg ? -n : n) % 10000n;
    if (r > 5000n || (r === 5000n && q % 2n === 1n)) q += 1n;
    const s = q.toString().padStart(3, '0');
    return `${neg ? '-' : ''}${s.slice(0, -2)}.${s.slice(-2)}%`;
  }

  /** Orders two decimal strings; blanks (no figure) last whatever the direction. */
  function compareNumbers(a, b, dir) {
    const x = scaled(a, 8);
    const y = scaled(b, 8);
    if (x === null || y === null) return (x === null) - (y === null);
    return dir * (x < y ? -1 : x > y ? 1 : 0);
  }

  // ---- Search ------------------------------------------------------------------------------

  /** Folds case and full-width forms, so "ＡＢＣ" finds "abc". */
  const fold = (t) => String(t || '').normalize('NFKC').toLowerCase();
  const HAN = /[\u3400-\u9fff\uf900-\ufaff]/;

  /** Whether every character of `needle` appears in `hay` in order ("广州慈善会" in "广州市慈善会"). */
  function inOrder(needle, hay) {
    let at = 0;
    for (const ch of needle) {
      at = hay.indexOf(ch, at);
      if (at < 0) return false;
      at += ch.length;
    }
    return true;
  }

  /**
   * How well `terms` match an item: its `names` (shown, both languages) and `other` text (ids,
   * region and type names). 0 when some term matches nothing; names beat other fields, a whole
   * name beats its start, its start beats its middle, and characters in order come last.
   */
  function score(terms, names, other) {
    const ns = names.filter(Boolean).map(fold);
    const hay = ns.concat(other.filter(Boolean).map(fold)).join('\n');
    let total = 0;
    for (const t of terms) {
      if (ns.some((n) => n === t)) total += 100;
      else if (ns.some((n) => n.startsWith(t))) total += 50;
      else if (ns.some((n) => n.includes(t))) total += 20;
      else if (hay.includes(t)) total += 5;
      else if (HAN.test(t) && [...t].length > 1 && ns.some((n) => inOrder(t, n))) total += 1;
      else return 0;
    }
    return total;
  }

  /** A receipt number as organisations issue them: letters, digits and `-._`, with a digit. */
  const RECEIPT = /^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/;

  function startSearch(box) {
    const L = labelsOf(box);
    const root = box.dataset.root || '';
    const q = (new URLSearchParams(location.search).get('q') || '').trim();
    const input = document.getElementById('search-q');
    if (input) input.value = q;
    document.querySelectorAll('.site-search input[name=q]').forEach((i) => { i.value = q; });
    if (!q) {
      if (input) input.focus();
      return;
    }
    document.title = `${L.title || ''}${q} · ${document.title}`;
    fetch(box.dataset.index)
      .then((r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return r.json();
      })
      .then((ix) => showResults(box, L, root, ix, q))
      .catch(() => box.replaceChildren(el('p', { class: 'fail' }, L.failed || '')));
  }

  function showResults(box, L, root, ix, q) {
    const en = !zh();
    const region = (code) => (ix.regions[code] || [code, code]);
    const type = (wire) => (ix.types[wire] || [wire, wire]);
    const orgName = {};
    for (const [code, name, nameEn] of ix.orgs) orgName[code] = [name, nameEn || name];
    const pick = (pair) => (en ? pair[1] : pair[0]);

    // Every item as (kind, names, other text, what to show).
    const items = [];
    for (const [code, name, nameEn, t, r, page] of ix.orgs) {
      items.push({
        kind: 'orgs', names: [name, nameEn], other: [code, ...type(t), ...region(r)],
        page, title: en && nameEn ? nameEn : name, alt: en && nameEn ? name : nameEn,
        meta: [pick(type(t)), pick(region(r)), code],
      });
    }
    for (const [org, id, title, titleEn, purpose, r, page] of ix.projects) {
      const by = orgName[org] || [org, org];
      items.push({
        kind: 'projects', names: [title, titleEn], other: [id, purpose, org, ...by, ...region(r)],
        page, title: en && titleEn ? titleEn : title, alt: en && titleEn ? title : titleEn,
        meta: [`${L.of || ''}${pick(by)}`, id, purpose],
      });
    }
    for (const [id, name, trustee, purpose, filing, page] of ix.trusts) {
      const by = orgName[trustee] || [trustee, trustee];
      items.push({
        kind: 'trusts', names: [name], other: [id, filing, purpose, trustee, ...by],
        page, title: name, alt: '', meta: [`${L.trustee || ''}${pick(by)}`, filing],
      });
    }

    // A word matching nothing that looks like a receipt number goes to the receipt lookup.
    const words = q.split(/\s+/).filter(Boolean);
    const matchesAny = (t) => items.some((it) => score([t], it.names, it.other) > 0);
    const receipt = words.find((w) => RECEIPT.test(w) && /\d/.test(w) && !matchesAny(fold(w)));
    const terms = words.filter((w) => w !== receipt).map(fold);

    const found = terms.length
      ? items
        .map((it) => ({ it, s: score(terms, it.names, it.other) }))
        .filter((x) => x.s > 0)
        .sort((a, b) => b.s - a.s || a.it.title.localeCompare(b.it.title))
        .map((x) => x.it)
      : [];

    const out = [];
    if (receipt) routeReceipt(receipt, found.filter((it) => it.kind === 'orgs'));
    if (!found.length && !receipt) out.push(el('p', { class: 'none' }, L.none || ''));
    if (found.length) out.push(el('p', { class: 'muted count' }, `${found.length} ${L.found || ''}`));
    for (const kind of ['orgs', 'projects', 'trusts']) {
      const list = found.filter((it) => it.kind === kind);
      if (!list.length) continue;
      out.push(el('h2', {}, `${L[kind] || kind} (${list.length})`));
      out.push(el('ul', { class: 'results', 'data-kind': kind }, list.map((it) => el('li', {},
        el('a', { href: root + it.page }, it.title),
        it.alt ? el('span', { class: 'alt', lang: en ? 'zh-CN' : 'en' }, ` ${it.alt}`) : null,
        el('span', { class: 'meta' }, it.meta.filter(Boolean).join(' · '))))));
    }
    box.replaceChildren(...out);
  }

  /** Shows the receipt lookup with the number filled in, and the organisation when one matched. */
  function routeReceipt(no, orgs) {
    const section = document.querySelector('section.receipt-route');
    if (!section) return;
    const form = section.querySelector('form');
    form.elements.no.value = no;
    if (orgs.length === 1) {
      const code = orgs[0].other[0];
      form.elements.org.value = code;
    }
    section.hidden = false;
  }

  // ---- The organisation list ------------------------------------------------------------------

  function startOrgList(form) {
    const table = document.querySelector('table.orgs');
    if (!table) return;
    const rows = [...table.tBodies[0].rows];
    const selects = [...form.querySelectorAll('select')];
    const full = form.hasAttribute('data-full');
    const h1 = document.querySelector('main h1');
    const base = h1 ? h1.textContent.split(/[：:]/)[0] : '';
    const site = document.title.includes(' · ') ? document.title.slice(document.title.lastIndexOf(' · ')) : '';
    const shown = table.querySelector('caption .shown');

    function apply() {
      const want = Object.fromEntries(selects.map((s) => [s.name, s.value]));
      let n = 0;
      for (const tr of rows) {
        const ok = selects.every((s) => !s.value || tr.dataset[s.name] === s.value);
        tr.hidden = !ok;
        if (ok) n += 1;
      }
      const parts = selects.filter((s) => s.value).map((s) => s.selectedOptions[0].textContent);
      const sep = zh() ? '：' : ': ';
      const title = parts.length ? `${base}${sep}${parts.join(' · ')}` : base;
      if (h1) h1.textContent = title;
      document.title = title + site;
      if (shown) shown.textContent = `${parts.length ? parts.join(' · ') : selects[0].options[0].textContent} · ${n}`;
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(want)) if (v) params.set(k, v);
      const query = params.toString();
      history.replaceState(null, '', query ? `?${query}` : location.pathname);
    }

    if (full) {
      const params = new URLSearchParams(location.search);
      for (const s of selects) {
        const v = params.get(s.name);
        if (v && [...s.options].some((o) => o.value === v)) s.value = v;
      }
      if (selects.some((s) => s.value)) apply();
    }
    for (const s of selects) {
      s.addEventListener('change', () => {
        if (full) return apply();
        // A facet's own list holds only its rows: combine on the full list.
        const params = new URLSearchParams();
        for (const x of selects) if (x.value) params.set(x.name, x.value);
        location.href = `${form.dataset.all}?${params}`;
        return undefined;
      });
    }
    form.hidden = false;
    const links = document.querySelector('details.facet-links');
    if (links) links.hidden = true;
    sortable(table);
    comparePicker(document.querySelector('form.compare-pick'));
  }

  /** Column headers become buttons that sort the rows: numbers as numbers, blanks last. */
  function sortable(table) {
    const heads = [...table.tHead.rows[0].cells];
    heads.forEach((th, col) => {
      const type = th.dataset.sortType;
      if (!type) return;
      const button = el('button', { type: 'button', class: 'sort' }, ...th.childNodes);
      th.replaceChildren(button);
      button.addEventListener('click', () => {
        const dir = th.getAttribute('aria-sort') === (type === 'number' ? 'descending' : 'ascending')
          ? (type === 'number' ? 1 : -1) : (type === 'number' ? -1 : 1);
        heads.forEach((h) => h.removeAttribute('aria-sort'));
        th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
        const value = (tr) => {
          const td = tr.cells[col];
          return td.dataset.sort !== undefined ? td.dataset.sort : td.textContent.trim();
        };
        const body = table.tBodies[0];
        const sorted = [...body.rows].sort((a, b) => (type === 'number'
          ? compareNumbers(value(a), value(b), dir)
          : dir * value(a).localeCompare(value(b), zh() ? 'zh-CN' : 'en')));
        body.append(...sorted);
      });
    });
  }

  /** Ticked organisations go to the comparison as `?orgs=A,B,C` (at most three). */
  function comparePicker(form) {
    if (!form) return;
    const boxes = [...form.querySelectorAll('input[type=checkbox][name=org]')];
    const limit = () => {
      const n = boxes.filter((b) => b.checked).length;
      boxes.forEach((b) => { b.disabled = !b.checked && n >= 3; });
    };
    boxes.forEach((b) => b.addEventListener('change', limit));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const codes = boxes.filter((b) => b.checked).map((b) => b.value);
      location.href = `${form.getAttribute('action')}?orgs=${codes.map(encodeURIComponent).join(',')}`;
    });
  }

  // ---- The comparison ------------------------------------------------------------------------

  // What a journalist reads first: money in and out, then the two ratios, then the detail.
  const FIGURES = ['income', 'total_spending', 'charitable_ratio', 'admin_ratio',
    'charitable_spending', 'administrative_costs', 'fundraising_costs', 'donation_income',
    'net_assets_year_end'];
  const RATIOS = {
    charitable_ratio: (id) => id.startsWith('charitable_spending'),
    admin_ratio: (id) => id === 'admin_cost_ratio',
  };
  const CODE = /^[0-9A-Za-z._-]{1,64}$/;

  function startCompare(box) {
    const L = labelsOf(box);
    const params = new URLSearchParams(location.search);
    const codes = [...new Set([...(params.get('orgs') || '').split(','), ...params.getAll('org')]
      .map((c) => c.trim().toUpperCase()).filter(Boolean))].slice(0, 3);
    const form = document.querySelector('form.compare-form');
    if (form) {
      const selects = [...form.querySelectorAll('select')];
      codes.forEach((c, i) => { if (selects[i]) selects[i].value = c; });
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const picked = [...new Set(selects.map((s) => s.value).filter(Boolean))];
        location.href = `${form.getAttribute('action')}?orgs=${picked.map(encodeURIComponent).join(',')}`;
      });
    }
    if (!codes.length) {
      box.replaceChildren(el('p', {}, L.pick || ''));
      return;
    }
    Promise.all(codes.map((c) => (CODE.test(c)
      ? fetch(`${box.dataset.dir}${c}.json`).then((r) => (r.ok ? r.json() : { missing: c }), () => ({ failed: c }))
      : Promise.resolve({ missing: c }))))
      .then((docs) => showComparison(box, L, docs));
  }

  function showComparison(box, L, docs) {
    const en = !zh();
    const root = box.dataset.root || '';
    const out = [];
    for (const d of docs) {
      if (d.missing) out.push(el('p', { class: 'fail' }, `${L.unknown || ''}${d.missing}`));
      if (d.failed) out.push(el('p', { class: 'fail' }, `${L.failed || ''}${d.failed}`));
    }
    const orgs = docs.filter((d) => d.org);
    if (orgs.length < 2) out.push(el('p', {}, L.pick || ''));
    if (!orgs.length) return box.replaceChildren(...out);
    const name = (o) => (en && o.name_en ? o.name_en : o.name);
    document.title = `${L.title || ''}${orgs.map(name).join(' · ')} · ${document.title}`;
    const cny = orgs.map((o) => new Map(o.years.filter((y) => y.currency === 'CNY').map((y) => [y.year, y])));
    const years = [...new Set(cny.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
    const finished = (y) => cny.every((m) => !m.has(y) || m.get(y).finished);
    const yearLabel = (y) => [zh() ? `${y}年` : String(y),
      finished(y) ? null : el('small', { class: 'partial' }, L.partial || '')];
    const head = () => el('thead', {}, el('tr', {},
      el('th', { scope: 'col' }, L.year || ''),
      orgs.map((o) => el('th', { scope: 'col', class: 'num' },
        el('a', { href: root + o.page }, name(o))))));
    const table = (id, caption, cell) => el('div', { class: 'table-wrap' },
      el('table', { class: 'compare', 'data-figure': id },
        el('caption', {}, caption), head(),
        el('tbody', {}, years.map((y) => el('tr', { 'data-year': y },
          el('th', { scope: 'row' }, yearLabel(y)),
          cny.map((m) => cell(m.get(y))))))));
    for (const f of FIGURES) {
      const pick = RATIOS[f];
      if (!pick) {
        out.push(table(f, L[f] || f, (row) => {
          if (!row) return el('td', { class: 'num muted' }, '—');
          // A year still running holds its net assets so far, not at its end: said in the cell,
          // as the organisation page says it.
          if (f === 'net_assets_year_end' && !row.finished) {
            return el('td', { class: 'num in-progress', 'data-sort': row[f] },
              `${L.so_far || ''}${money(row[f])}`, el('br'),
              el('span', { class: 'muted' }, L.in_progress_to || ''));
          }
          return el('td', { class: 'num', 'data-sort': row[f] }, money(row[f]));
        }));
        continue;
      }
      out.push(table(f, L[f] || f, (row) => {
        const r = row && row.ratios.find((x) => pick(x.id));
        if (!r) return el('td', { class: 'num muted' }, '—');
        const verdict = L[r.status] || r.status;
        const mark = r.status === 'pass' ? '✓ ' : r.status === 'fail' ? '✗ ' : '';
        const cmp = r.comparison === 'at_least' ? '≥' : r.comparison === 'at_most' ? '≤' : r.comparison;
        // The rule's threshold where one applies, and the base a charitable-spending ratio is
        // measured against (organisations differ: revenue or net assets).
        const threshold = r.threshold && r.status !== 'exempt' ? ` ${cmp} ${percent(r.threshold)}` : '';
        const basis = (L.basis || {})[r.id];
        return el('td', { class: 'num', 'data-sort': r.value || '' },
          r.value === null ? el('span', { class: 'muted' }, '—') : percent(r.value),
          // The basis is a block of its own; without one, a break puts the verdict below.
          basis ? el('small', { class: 'muted basis' }, ` ${basis}`) : el('br'),
          el('span', { class: r.status === 'pass' ? 'pass' : r.status === 'fail' ? 'fail' : 'muted' }, `${mark}${verdict}`),
          el('span', { class: 'muted' }, `${threshold}${r.explained ? ` · ${L.explained || ''}` : ''}`));
      }));
    }
    box.replaceChildren(...out);
    return undefined;
  }

  document.querySelectorAll('#search-results').forEach(startSearch);
  document.querySelectorAll('form.filters').forEach(startOrgList);
  document.querySelectorAll('#compare').forEach(startCompare);
})();
