// The signing page (/submit/): the server checks a spreadsheet, this script signs the rows in
// the browser and posts them all or none. The private key never leaves the page: the key file
// is opened here (PBKDF2-SHA256 + AES-256-GCM, as `sunshine keygen --passphrase-file` seals it)
// and signs with WebCrypto Ed25519. No framework, no inline code, no eval (the site's CSP).
'use strict';
(function () {
  const page = document.querySelector('.submit-page');
  if (!page) return;
  const L = JSON.parse(page.dataset.labels || '{}');
  const form = page.querySelector('.submit-form');
  const status = page.querySelector('.submit-status');
  const problemsList = page.querySelector('.submit-problems');
  const table = page.querySelector('.submit-rows');
  const signButton = page.querySelector('.submit-sign');
  const receiptsLink = page.querySelector('.submit-receipts');
  const CONTEXT = 'sunshine-ledger/v1/submission\n';
  // PKCS #8 wrapping of a 32-byte Ed25519 seed (RFC 8410 §7).
  const PKCS8_PREFIX = hex2bytes('302e020100300506032b657004220420');
  let checked = null;

  function hex2bytes(h) {
    const out = new Uint8Array(h.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(2 * i, 2), 16);
    return out;
  }
  function bytes2hex(b) {
    return Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
  }
  function b64(s) {
    return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, k) => String(values[k]));
  }
  function say(text, state) {
    status.textContent = text;
    page.dataset.state = state;
  }

  // RFC 8785 (JCS): object keys sorted by UTF-16 code units, values as ECMAScript's JSON.
  function jcs(v) {
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    if (Array.isArray(v)) return '[' + v.map(jcs).join(',') + ']';
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + jcs(v[k])).join(',') + '}';
  }

  function place(p) {
    let s = fill(L.row, { row: p.row });
    if (p.column) s += ', ' + fill(L.column, { column: p.column });
    if (p.cell) s += ' (' + p.cell + ')';
    const rule = (L.codes || {})[p.code];
    return s + ': ' + (rule ? rule + ' — ' : '') + p.message;
  }

  function showProblems(problems) {
    problemsList.replaceChildren(...problems.map((p) => {
      const li = document.createElement('li');
      li.textContent = place(p);
      li.dataset.row = p.row;
      if (p.cell) li.dataset.cell = p.cell;
      li.dataset.code = p.code;
      return li;
    }));
  }

  function showRows(report) {
    const tbody = table.querySelector('tbody');
    tbody.replaceChildren(...report.rows.map((r) => {
      const b = r.submission.body;
      const tr = document.createElement('tr');
      const what = b.receipt_no ? b.receipt_no + ' · ' + b.donor_display : b.purpose + ' · ' + b.payee_display;
      for (const text of [r.row, what, b.amount ? b.amount + ' ' + b.currency : '']) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.appendChild(td);
      }
      return tr;
    }));
    table.hidden = report.rows.length === 0;
  }

  async function readKeyFile() {
    const file = form.elements.keyfile.files[0];
    return JSON.parse(await file.text());
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    checked = null;
    signButton.hidden = true;
    receiptsLink.hidden = true;
    problemsList.replaceChildren();
    say(L.checking, 'checking');
    try {
      const keyFile = await readKeyFile();
      const sheet = form.elements.sheet.files[0];
      const q = new URLSearchParams({ org: form.elements.org.value.trim(), key: keyFile.public });
      const res = await fetch(page.dataset.check + '?' + q, { method: 'POST', body: sheet });
      const answer = await res.json();
      if (!res.ok) {
        const e = answer.error || {};
        showProblems([{ row: e.line || 1, column: e.field, code: e.code, message: e.message }]);
        say(L.refused + e.message, 'problems');
        return;
      }
      showRows(answer);
      showProblems(answer.problems);
      const head = L.readAs + ': ' + answer.read_as + '. ' + answer.rows.length + '/' + answer.total + ' ' + L.rowsOk;
      if (answer.problems.length) {
        say(head + '; ' + answer.problems.length + ' ' + L.problems, 'problems');
        return;
      }
      checked = { report: answer, keyFile };
      signButton.hidden = false;
      say(head + '.', 'checked');
    } catch (e) {
      say(L.network + e.message, 'failed');
    }
  });

  async function openKey(keyFile, passphrase) {
    const enc = new TextEncoder();
    const pub = hex2bytes(keyFile.public);
    const base = await crypto.subtle.importKey('raw', enc.encode(passphrase), 'PBKDF2', false, ['deriveKey']);
    const aes = await crypto.subtle.deriveKey(
      { name: 'PBKDF2', salt: b64(keyFile.salt), iterations: keyFile.iterations, hash: 'SHA-256' },
      base, { name: 'AES-GCM', length: 256 }, false, ['decrypt']);
    const seed = new Uint8Array(await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: b64(keyFile.iv), additionalData: pub }, aes, b64(keyFile.ciphertext)));
    const pkcs8 = new Uint8Array(PKCS8_PREFIX.length + seed.length);
    pkcs8.set(PKCS8_PREFIX);
    pkcs8.set(seed, PKCS8_PREFIX.length);
    seed.fill(0);
    const key = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
    pkcs8.fill(0);
    const verifier = await crypto.subtle.importKey('raw', pub, { name: 'Ed25519' }, false, ['verify']);
    return { key, verifier };
  }

  function receiptsCsv(report, receipts) {
    const q = (s) => '"' + String(s).replace(/"/g, '""') + '"';
    const lines = [['row', 'receipt_no', 'entry', 'leaf_hash', 'proof'].join(',')];
    receipts.forEach((r, i) => {
      const row = report.rows[i];
      const proof = new URL(page.dataset.entryHref + r.seq, location.href).href;
      lines.push([row.row, row.submission.body.receipt_no || '', r.seq, r.leaf_hash, proof].map(q).join(','));
    });
    return lines.join('\r\n') + '\r\n';
  }

  signButton.addEventListener('click', async () => {
    if (!checked) return;
    const { report, keyFile } = checked;
    signButton.hidden = true;
    say(L.signing, 'signing');
    let keys;
    try {
      keys = await openKey(keyFile, form.elements.passphrase.value);
    } catch (e) {
      say((e && e.name === 'NotSupportedError') ? L.noEd25519 : L.badKey, 'failed');
      signButton.hidden = false;
      return;
    }
    const enc = new TextEncoder();
    const lines = [];
    for (const r of report.rows) {
      const message = enc.encode(CONTEXT + jcs(r.submission));
      const sig = await crypto.subtle.sign({ name: 'Ed25519' }, keys.key, message);
      // A key that is not the file's public key would be refused by the ledger: say so here.
      if (!(await crypto.subtle.verify({ name: 'Ed25519' }, keys.verifier, sig, message))) {
        say(L.badKey, 'failed');
        return;
      }
      lines.push(JSON.stringify(Object.assign({}, r.submission, { sig: bytes2hex(sig) })));
    }
    say(L.posting, 'posting');
    try {
      const res = await fetch(page.dataset.batch, {
        method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: lines.join('\n') + '\n',
      });
      const answer = await res.json();
      if (!res.ok) {
        const e = answer.error || {};
        const row = e.line ? report.rows[e.line - 1].row : null;
        say(L.refused + (row ? fill(L.row, { row }) + ': ' : '') + e.message, 'failed');
        return;
      }
      const receipts = answer.receipts;
      const csv = receiptsCsv(report, receipts);
      receiptsLink.href = URL.createObjectURL(new Blob(['\ufeff' + csv], { type: 'text/csv' }));
      receiptsLink.dataset.csv = csv;
      receiptsLink.hidden = false;
      checked = null;
      say(fill(L.done, { n: receipts.length, first: receipts[0].seq, last: receipts[receipts.length - 1].seq }), 'sent');
    } catch (e) {
      say(L.network + e.message, 'failed');
    }
  });
})();
