// The supervision page's filters and sortable columns (regulator/index.html). The page is
// complete without this script: every row is in the HTML. It only hides rows that do not match
// every chosen filter (year, type, region, status, and an organisation from `?org=`), keeps the
// choice in the address so a filtered view can be linked, and sorts a table by a column —
// numbers as numbers (154 days after 45), dates as dates.
(() => {
  'use strict';
  const form = document.getElementById('filters');
  if (!form) return;
  const tables = [...document.querySelectorAll('table.supervision')];
  const keys = ['year', 'type', 'region', 'status', 'org'];
  let names = {};
  try { names = JSON.parse(document.getElementById('org-names').textContent); } catch (e) { names = {}; }

  const params = new URLSearchParams(location.search);
  for (const k of keys) {
    const el = form.elements[k];
    const v = params.get(k);
    if (el && v && (el.tagName !== 'SELECT' || [...el.options].some(o => o.value === v))) el.value = v;
  }

  function chosen() {
    const want = {};
    for (const k of keys) {
      const el = form.elements[k];
      if (el && el.value) want[k] = el.value;
    }
    return want;
  }

  function apply() {
    const want = chosen();
    const wanted = Object.entries(want);
    for (const t of tables) {
      let shown = 0;
      for (const row of t.tBodies[0].rows) {
        const ok = wanted.every(([k, v]) => row.dataset[k] === v);
        row.hidden = !ok;
        if (ok) shown++;
      }
      const block = t.closest('.table-block');
      if (block) {
        const count = block.querySelector('.shown');
        count.hidden = false;
        count.querySelector('.count').textContent = shown;
        block.querySelector('.none').hidden = shown > 0;
      }
    }
    // The exceptions fold away under the failures: asked for by status, they open.
    const exceptions = document.querySelector('details.exceptions');
    if (exceptions && (want.status === 'exempt' || want.status === 'not_enough_data')) exceptions.open = true;
    const orgLine = form.querySelector('.filter-org');
    orgLine.hidden = !want.org;
    if (want.org) orgLine.querySelector('.org-name').textContent = names[want.org] || want.org;
    const q = new URLSearchParams(want).toString();
    history.replaceState(null, '', q ? '?' + q + location.hash : location.pathname + location.hash);
  }

  form.addEventListener('change', apply);
  form.addEventListener('submit', e => { e.preventDefault(); apply(); });
  form.elements['clear-org'].addEventListener('click', () => { form.elements.org.value = ''; apply(); });

  function key(cell, kind) {
    const v = cell.dataset.v !== undefined ? cell.dataset.v : cell.textContent.trim();
    return kind === 'num' ? Number(v) : v;
  }

  function sortBy(table, th) {
    const i = th.cellIndex;
    const kind = th.dataset.sort;
    // Numbers and dates open largest/latest first (most days late); text A to Z.
    const first = kind === 'text' ? 'ascending' : 'descending';
    const cur = th.getAttribute('aria-sort');
    const dir = cur === first ? (first === 'ascending' ? 'descending' : 'ascending') : first;
    for (const other of th.parentNode.cells) other.removeAttribute('aria-sort');
    th.setAttribute('aria-sort', dir);
    const sign = dir === 'ascending' ? 1 : -1;
    const body = table.tBodies[0];
    const rows = [...body.rows].map((r, n) => [key(r.cells[i], kind), n, r]);
    rows.sort((a, b) => {
      let c;
      if (kind === 'num') c = a[0] - b[0];
      else c = String(a[0]).localeCompare(String(b[0]), document.documentElement.lang);
      return c !== 0 ? sign * c : a[1] - b[1];
    });
    for (const [, , r] of rows) body.appendChild(r);
  }

  for (const t of tables) {
    for (const th of t.tHead.rows[0].cells) {
      if (!th.dataset.sort) continue;
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'sort';
      while (th.firstChild) b.appendChild(th.firstChild);
      th.appendChild(b);
      b.addEventListener('click', () => sortBy(t, th));
    }
  }

  form.hidden = false;
  apply();
})();
