// Sunshine Ledger in-browser verifier (issue #5). Plain JavaScript, no framework, no build step.
//
// It checks an entry page's claim without trusting our server: everything is recomputed here
// from the published log (C2SP tlog-tiles under `log/`) with WebCrypto, against the operator's
// verifier key printed in the page (and published in log/operator.vkey, for comparison).
//
// For every <section class="verify" data-seq data-log data-vkey [data-leaf-hash]>:
//   1. key        parse the C2SP note verifier key "<name>+<8 hex key id>+<base64(0x01||pubkey)>"
//                 and check the key id is SHA-256(name || "\n" || 0x01 || pubkey)[0..4];
//   2. checkpoint fetch {log}checkpoint, check the Ed25519 signature line(s) by that key
//                 (C2SP signed-note) and parse origin / tree size / root (C2SP tlog-checkpoint);
//   3. entry      fetch the entry bundle holding seq (full tile or right-edge `.p/W` partial),
//                 take that entry's leaf bytes and hash them: SHA-256(0x00 || leaf bytes);
//   4. leaf hash  compare with the hash the page claims (data-leaf-hash), when it claims one;
//   5. tiles      compute the RFC 9162 inclusion proof of seq in the checkpoint's tree from
//                 the hash tiles (as golang.org/x/mod/sumdb/tlog does: node → tile coordinates;
//                 a subtree at the ragged right edge is folded from complete nodes);
//   6. inclusion  run the RFC 9162 §2.1.3.2 verification and compare with the signed root.
// It then sets data-state="verified" or "failed" (data-failed-step names the step), writes a
// message in the page's language into .verify-status, and lists the figures in a <dl>.
//
// Optional claims about the entry's content (data-expect-author, data-expect-receipt): after the
// inclusion proof, step 7 `claim` checks the proven entry's submission author and body.receipt_no.
//
// Witnesses (issue 17): when the log publishes a witness policy ({log}witnesses: `quorum K`, then
// `witness <name>+<key id>+<base64(0x04||key)>` lines), step `witnesses` checks the checkpoint's
// C2SP tlog-cosignature lines: Ed25519 over "cosignature/v1\ntime <T>\n" + checkpoint text, by at
// least K of those keys. The details then show how many cosigned and when the newest did (the
// witnessed view's age: how far behind it is). An entry past the cosigned checkpoint is shown as
// `pending` (not yet cosigned), not as a failure. After a receipt verifies, the widget offers the
// proof as a C2SP tlog-proof file (`<org>-<receipt>.tlog-proof`, a data: link), made here from
// the bytes just checked, which `sunshine verify-proof` accepts.
//
// A <form class="proof-file" data-log data-vkey> checks a saved .tlog-proof (file picker or
// drop) against the operator key in the page and the witness policy fetched when the page
// loaded, so the check itself needs no network: C2SP tlog-proof parsed strictly, the checkpoint's
// signature and cosignatures, SHA-256(0x00 || extra) as the leaf hash, and the RFC 9162
// inclusion proof to the signed root. It then says what the entry is, in plain words.
//
// A section without data-seq waits: a page script (static/view.js) sets data-seq later and
// dispatches a bubbling `sunshine:verify` event on it. After a verified result the section gets a
// `sunshine:verified` event whose detail holds the proven leaf bytes, leaf hash and checkpoint, so
// the page can render the entry from bytes it knows are in the log, and nothing if they are not.
//
// A <form class="receipt-secret" data-secret-hash> lets a donor check a receipt secret against
// the donation's `commitment` locally; the secret never leaves the page.
//
// Numbers are JavaScript doubles: exact for tree sizes below 2^53, far beyond any real log.
// Never use the 32-bit bitwise operators on them.
'use strict';

(() => {
  const TILE_WIDTH = 256; // hashes per full tile, entries per full bundle
  const HASH_BYTES = 32;
  const SIG_PREFIX = '\u2014 '; // em dash and space open a signed-note signature line
  const MAX_NOTE_BYTES = 1 << 20;

  const zh = document.documentElement.lang.toLowerCase().startsWith('zh');

  // ---- Messages, in the page's language ---------------------------------------------------

  const STEPS = zh
    ? { key: '运营方公钥', checkpoint: '检查点', signature: '检查点签名', entry: '条目数据包',
        'leaf-hash': '叶哈希', tiles: '哈希瓦片', inclusion: '包含证明', claim: '条目内容',
        witnesses: '见证人联署', file: '证明文件' }
    : { key: 'operator key', checkpoint: 'checkpoint', signature: 'checkpoint signature',
        entry: 'entry bundle', 'leaf-hash': 'leaf hash', tiles: 'hash tiles',
        inclusion: 'inclusion proof', claim: 'entry content', witnesses: 'witness cosignatures',
        file: 'proof file' };

  const T = zh ? {
    running: '正在您的浏览器中验证…',
    // What was checked against what, exactly: the key and the witness list come from this same
    // website unless the reader compares the key with one published elsewhere (issue 16).
    verified: (seq, cp, f) => `已验证：您的浏览器自行计算了哈希，确认第 ${seq} 号条目包含在树大小 ${cp.size}、根哈希 ${hex(cp.root)} 的检查点中，该检查点带有运营方公钥 ${f.key} 的有效签名${f.witnesses ? `，并有 ${f.witnesses.count} 位见证人联署` : ''}。公钥${f.witnesses ? '和见证人名单都' : ''}取自本网站：把公钥与本网站以外公布的公钥（例如监管机构公布的）核对一致后，这一结果才不依赖本网站。`,
    failed: (step, reason, cp) => `验证失败：${STEPS[step]}——${reason}。` + (cp ? `（检查点树大小 ${cp.size}，根哈希 ${hex(cp.root)}）` : ''),
    fetch: (url, status) => `无法获取 ${url}（${status}）`,
    malformed: (what) => `数据格式不正确（${what}）`,
    badSignature: '签名无效',
    noSignature: '检查点没有该运营方密钥的签名',
    mismatch: '计算结果与预期不符',
    notInTree: (seq, size) => `第 ${seq} 号条目不在树大小为 ${size} 的检查点中`,
    noCrypto: '此浏览器不支持 WebCrypto Ed25519，请使用较新的浏览器或离线验证',
    fields: { origin: '日志名', 'tree-size': '树大小', root: '根哈希', 'leaf-hash': '叶哈希', detail: '详情',
      witnesses: '见证人', 'cosigned-at': '最近联署' },
    cosigned: (n, total, k) => `${total} 位见证人中 ${n} 位已联署（至少需要 ${k} 位）`,
    cosignedAt: (iso, mins) => `${iso}（${mins} 分钟前）`,
    belowQuorum: (n, k) => `只有 ${n} 个有效的见证人联署，至少需要 ${k} 个`,
    pending: (seq, size) => `第 ${seq} 号条目尚未被见证人联署的检查点覆盖（已联署的树大小 ${size}）；见证人联署后即可验证。`,
    download: '下载证明文件（.tlog-proof）',
    fileOk: (what, seq, size, w) => `证明有效：${what}。这是第 ${seq} 号条目，包含在树大小为 ${size} 的运营方签名检查点中${w ? `，${w}` : ''}。`,
    fileBad: (step, reason) => `证明无效：${STEPS[step]}——${reason}。`,
    donation: (d, org) => `${org} 于 ${d.received_on} 收到 ${d.donor_display || '捐赠人'} 的捐赠 ${d.amount || ''} ${d.currency || ''}，收据号 ${d.receipt_no}`,
    otherEntry: (kind, author) => `${author} 的 ${kind} 条目`,
    secretMatches: '一致：此密钥与该捐赠登记的承诺值相符。',
    secretDiffers: '不一致：此密钥与该捐赠登记的承诺值不符。',
    secretMalformed: '收据密钥应为 64 位十六进制数字。',
  } : {
    running: 'Verifying in your browser…',
    verified: (seq, cp, f) => `Verified: your browser computed the hashes itself and found entry ${seq} in the checkpoint of tree size ${cp.size}, root ${hex(cp.root)}, which carries a valid signature by the operator key ${f.key}${f.witnesses ? ` and cosignatures by ${f.witnesses.count} witnesses` : ''}. The key${f.witnesses ? ' and the witness list' : ''} came from this website: the result stands apart from this website once you have compared the key with one published elsewhere (by the regulator, for example).`,
    failed: (step, reason, cp) => `Verification failed: ${STEPS[step]} — ${reason}.` + (cp ? ` (checkpoint tree size ${cp.size}, root ${hex(cp.root)})` : ''),
    fetch: (url, status) => `could not fetch ${url} (${status})`,
    malformed: (what) => `malformed data (${what})`,
    badSignature: 'the signature is invalid',
    noSignature: 'the checkpoint carries no signature by the operator key',
    mismatch: 'the computed value does not match',
    notInTree: (seq, size) => `entry ${seq} is not in the checkpoint of tree size ${size}`,
    noCrypto: 'this browser lacks WebCrypto Ed25519; use a recent browser or verify offline',
    fields: { origin: 'Log', 'tree-size': 'Tree size', root: 'Root hash', 'leaf-hash': 'Leaf hash', detail: 'Detail',
      witnesses: 'Witnesses', 'cosigned-at': 'Newest cosignature' },
    cosigned: (n, total, k) => `${n} of ${total} witnesses cosigned (quorum ${k})`,
    cosignedAt: (iso, mins) => `${iso} (${mins} min ago)`,
    belowQuorum: (n, k) => `only ${n} valid witness cosignatures, the policy requires ${k}`,
    pending: (seq, size) => `Entry ${seq} is not yet covered by the witness-cosigned checkpoint (cosigned tree size ${size}); it can be verified once the witnesses cosign.`,
    download: 'Download the proof (.tlog-proof)',
    fileOk: (what, seq, size, w) => `The proof is valid: ${what}. It is entry ${seq}, included in the operator-signed checkpoint of tree size ${size}${w ? `; ${w}` : ''}.`,
    fileBad: (step, reason) => `The proof is not valid: ${STEPS[step]} — ${reason}.`,
    donation: (d, org) => `a donation of ${d.amount || ''} ${d.currency || ''} from ${d.donor_display || 'a donor'} to ${org}, receipt ${d.receipt_no}, received on ${d.received_on}`,
    otherEntry: (kind, author) => `a ${kind} entry by ${author}`,
    secretMatches: 'Matches: this secret fits the commitment recorded for this donation.',
    secretDiffers: 'Does not match: this secret does not fit the commitment recorded for this donation.',
    secretMalformed: 'A receipt secret is 64 hexadecimal digits.',
  };

  /** A failed step: which one (a key of STEPS), a localised reason, a technical detail. */
  class Failure extends Error {
    constructor(step, reason, detail) {
      super(detail || reason);
      this.step = step;
      this.reason = reason;
      this.detail = detail || '';
    }
  }

  /** Not a failure: the entry is newer than the witness-cosigned checkpoint. */
  class Pending extends Error {}

  // ---- Bytes and hashes -------------------------------------------------------------------

  const utf8 = new TextEncoder();

  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

  function fromHex(s) {
    if (!/^([0-9a-f]{2})*$/i.test(s)) return null;
    return Uint8Array.from(s.match(/../g) || [], (h) => parseInt(h, 16));
  }

  function toBase64(bytes) {
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(bin);
  }

  function fromBase64(s) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return null;
    return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  }

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }

  const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

  const sha256 = async (...parts) => new Uint8Array(await crypto.subtle.digest('SHA-256', concat(...parts)));

  // RFC 9162 domain separation: 0x00 before a leaf, 0x01 before two child hashes.
  const leafHash = (bytes) => sha256(Uint8Array.of(0), bytes);
  const nodeHash = (left, right) => sha256(Uint8Array.of(1), left, right);

  // ---- Fetching ----------------------------------------------------------------------------

  async function fetchBytes(url, step, init) {
    const resp = await fetch(url, init).catch((e) => { throw new Failure(step, T.fetch(url, e.message)); });
    if (!resp.ok) throw new Failure(step, T.fetch(url, `HTTP ${resp.status}`));
    return new Uint8Array(await resp.arrayBuffer());
  }

  /** C2SP tlog-tiles index encoding: 1234067 → "x001/x234/067". */
  function tileIndexPath(n) {
    let path = String(n % 1000).padStart(3, '0');
    for (n = Math.floor(n / 1000); n > 0; n = Math.floor(n / 1000)) {
      path = `x${String(n % 1000).padStart(3, '0')}/${path}`;
    }
    return path;
  }

  /** Path of tile N of `kind` ("entries" or a level) whose right edge is at `count` items. */
  function tilePath(kind, n, count) {
    const width = Math.min(TILE_WIDTH, count - n * TILE_WIDTH);
    return { path: `tile/${kind}/${tileIndexPath(n)}${width < TILE_WIDTH ? `.p/${width}` : ''}`, width };
  }

  // ---- Step 1 and 2: verifier key and signed checkpoint ------------------------------------

  async function parseVkey(vkey) {
    const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey.trim());
    const blob = m && fromBase64(m[3]);
    if (!blob || blob.length !== 33 || blob[0] !== 1) {
      throw new Failure('key', T.malformed('vkey'), 'not <name>+<key id>+<base64(0x01||Ed25519 key)>');
    }
    const name = m[1];
    const id = (await sha256(utf8.encode(name), Uint8Array.of(0x0a), blob)).slice(0, 4);
    if (hex(id) !== m[2]) throw new Failure('key', T.mismatch, `key id ${m[2]} is not ${hex(id)}`);
    let key;
    try {
      key = await crypto.subtle.importKey('raw', blob.slice(1), { name: 'Ed25519' }, false, ['verify']);
    } catch (e) {
      throw new Failure('key', T.noCrypto, e.message);
    }
    return { name, id: m[2], key };
  }

  async function fetchCheckpoint(logUrl, op) {
    const url = new URL('checkpoint', logUrl).href;
    return parseCheckpoint(await fetchBytes(url, 'checkpoint', { cache: 'no-cache' }), op);
  }

  /** A signed checkpoint note's bytes, verified under the operator key `op`, and parsed. */
  async function parseCheckpoint(raw, op) {
    let note;
    try {
      if (raw.length > MAX_NOTE_BYTES) throw new Error('too large');
      note = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch (e) {
      throw new Failure('checkpoint', T.malformed('UTF-8'), e.message);
    }
    // C2SP signed-note: text, a blank line, then signature lines "— <name> <base64(id||sig)>".
    const split = note.lastIndexOf('\n\n');
    if (split < 0 || !note.endsWith('\n')) throw new Failure('checkpoint', T.malformed('signed note'));
    const text = note.slice(0, split + 1);
    let ours = 0;
    for (const line of note.slice(split + 2, -1).split('\n')) {
      if (!line.startsWith(SIG_PREFIX)) throw new Failure('checkpoint', T.malformed('signature line'));
      const [name, b64, extra] = line.slice(SIG_PREFIX.length).split(' ');
      const blob = fromBase64(b64 || '');
      if (!blob || blob.length < 5 || extra !== undefined) throw new Failure('checkpoint', T.malformed('signature line'));
      // Signatures by other keys (witnesses) are ignored; every one by our key must verify.
      if (name !== op.name || hex(blob.slice(0, 4)) !== op.id) continue;
      ours += 1;
      const ok = blob.length === 68 &&
        await crypto.subtle.verify({ name: 'Ed25519' }, op.key, blob.slice(4), utf8.encode(text));
      if (!ok) throw new Failure('signature', T.badSignature, `${op.name}+${op.id}`);
    }
    if (ours === 0) throw new Failure('signature', T.noSignature, `${op.name}+${op.id}`);
    // C2SP tlog-checkpoint: origin, decimal tree size, base64 root, then opaque extension lines.
    const [origin, sizeLine, rootLine] = text.split('\n');
    const root = fromBase64(rootLine || '');
    if (origin !== op.name) throw new Failure('checkpoint', T.mismatch, `origin ${origin} is not the key name ${op.name}`);
    if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeLine || '') || Number(sizeLine) > Number.MAX_SAFE_INTEGER) {
      throw new Failure('checkpoint', T.malformed('tree size'));
    }
    if (!root || root.length !== HASH_BYTES) throw new Failure('checkpoint', T.malformed('root hash'));
    return { origin, size: Number(sizeLine), root, note, text };
  }

  // ---- Witness cosignatures (C2SP tlog-cosignature, tlog-witness) ---------------------------

  /** The published witness policy, or null when the log publishes none (404). */
  async function fetchPolicy(logUrl) {
    const url = new URL('witnesses', logUrl).href;
    const resp = await fetch(url, { cache: 'no-cache' }).catch((e) => { throw new Failure('witnesses', T.fetch(url, e.message)); });
    if (resp.status === 404) return null;
    if (!resp.ok) throw new Failure('witnesses', T.fetch(url, `HTTP ${resp.status}`));
    const lines = (await resp.text()).split('\n');
    const q = /^quorum ([1-9][0-9]{0,2})$/.exec(lines[0] || '');
    if (!q || lines.pop() !== '') throw new Failure('witnesses', T.malformed('witness policy'));
    const witnesses = [];
    for (const line of lines.slice(1)) {
      const m = /^witness ([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(line);
      const blob = m && fromBase64(m[3]);
      if (!blob || blob.length !== 33 || blob[0] !== 4) throw new Failure('witnesses', T.malformed('witness policy'), line);
      const id = (await sha256(utf8.encode(m[1]), Uint8Array.of(0x0a), blob)).slice(0, 4);
      if (hex(id) !== m[2]) throw new Failure('witnesses', T.mismatch, `key id ${m[2]} is not ${hex(id)}`);
      let key;
      try {
        key = await crypto.subtle.importKey('raw', blob.slice(1), { name: 'Ed25519' }, false, ['verify']);
      } catch (e) {
        throw new Failure('witnesses', T.noCrypto, e.message);
      }
      witnesses.push({ name: m[1], id: m[2], key });
    }
    const quorum = Number(q[1]);
    if (quorum > witnesses.length) throw new Failure('witnesses', T.malformed('witness policy'));
    return { quorum, witnesses };
  }

  /**
   * How many of the policy's witnesses validly cosigned `cp`, and the newest timestamp. A line
   * is key id (4) || big-endian u64 timestamp (8) || Ed25519 signature (64) over
   * "cosignature/v1\ntime <timestamp>\n" || checkpoint text.
   */
  async function checkCosignatures(policy, cp) {
    let count = 0;
    let newest = 0;
    const lines = cp.note.slice(cp.note.lastIndexOf('\n\n') + 2, -1).split('\n');
    for (const w of policy.witnesses) {
      let ok = false;
      for (const line of lines) {
        const [name, b64] = line.slice(SIG_PREFIX.length).split(' ');
        const blob = fromBase64(b64 || '');
        if (name !== w.name || !blob || hex(blob.slice(0, 4)) !== w.id) continue;
        if (blob.length !== 76) { ok = false; break; }
        let ts = 0;
        for (const b of blob.subarray(4, 12)) ts = ts * 256 + b;
        const msg = utf8.encode(`cosignature/v1\ntime ${ts}\n${cp.text}`);
        ok = await crypto.subtle.verify({ name: 'Ed25519' }, w.key, blob.slice(12), msg);
        if (!ok) break; // a bad line by a trusted witness: it does not count
        newest = Math.max(newest, ts);
      }
      if (ok) count += 1;
    }
    if (count < policy.quorum) throw new Failure('witnesses', T.belowQuorum(count, policy.quorum));
    return { count, total: policy.witnesses.length, quorum: policy.quorum, newest };
  }

  // ---- Step 3: the entry's leaf bytes -------------------------------------------------------

  async function fetchLeaf(logUrl, seq, size) {
    const n = Math.floor(seq / TILE_WIDTH);
    const { path, width } = tilePath('entries', n, size);
    const bundle = await fetchBytes(new URL(path, logUrl).href, 'entry');
    // Each entry is its leaf bytes behind a big-endian u16 length; exactly `width` of them.
    const leaves = [];
    let at = 0;
    while (at + 2 <= bundle.length) {
      const len = bundle[at] * 256 + bundle[at + 1];
      if (at + 2 + len > bundle.length) break;
      leaves.push(bundle.subarray(at + 2, at + 2 + len));
      at += 2 + len;
    }
    if (at !== bundle.length || leaves.length !== width) {
      throw new Failure('entry', T.malformed(path), `${leaves.length} entries, expected ${width}`);
    }
    return leaves[seq - n * TILE_WIDTH];
  }

  // ---- Step 5: tree nodes from hash tiles, and the RFC 9162 inclusion proof -----------------

  /**
   * Reads complete tree nodes for the tree of `size` from the published hash tiles. A hash tile
   * of level L holds nodes of tree level 8L; node (level, index) with level = 8L + r is the
   * Merkle hash of 2^r consecutive hashes in one such tile.
   */
  function tileReader(logUrl, size) {
    const tiles = new Map(); // path → Promise<Uint8Array>, so each tile is fetched once
    return async function node(level, index) {
      const L = Math.floor(level / 8);
      const span = 2 ** (level % 8);
      const first = index * span; // index of the first covered node at tree level 8L
      const n = Math.floor(first / TILE_WIDTH);
      const { path, width } = tilePath(L, n, Math.floor(size / TILE_WIDTH ** L));
      if (!tiles.has(path)) {
        tiles.set(path, fetchBytes(new URL(path, logUrl).href, 'tiles').then((t) => {
          if (t.length !== width * HASH_BYTES) throw new Failure('tiles', T.malformed(path), `${t.length} bytes`);
          return t;
        }));
      }
      const tile = await tiles.get(path);
      let level8 = [];
      for (let i = first - n * TILE_WIDTH; i < first - n * TILE_WIDTH + span; i++) {
        level8.push(tile.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES));
      }
      while (level8.length > 1) { // a complete subtree: hash pairs upwards
        const up = [];
        for (let i = 0; i < level8.length; i += 2) up.push(await nodeHash(level8[i], level8[i + 1]));
        level8 = up;
      }
      return level8[0];
    };
  }

  /** RFC 9162 MTH of leaves [lo, hi) (an aligned range), folded from its complete nodes. */
  async function subtreeHash(lo, hi, node) {
    const parts = [];
    while (lo < hi) { // largest complete node starting at lo that fits
      let level = 0;
      while (lo % 2 ** (level + 1) === 0 && lo + 2 ** (level + 1) <= hi) level++;
      parts.push(node(level, lo / 2 ** level));
      lo += 2 ** level;
    }
    const hashes = await Promise.all(parts);
    let h = hashes.pop();
    while (hashes.length) h = await nodeHash(hashes.pop(), h);
    return h;
  }

  /** RFC 9162 §2.1.3.1 PATH(m, D[size]): the sibling subtrees' hashes, leaf side first. */
  function inclusionProof(m, size, node) {
    const siblings = [];
    let [lo, hi] = [0, size];
    while (hi - lo > 1) {
      let k = 1; // largest power of two smaller than hi - lo
      while (k * 2 < hi - lo) k *= 2;
      if (m < lo + k) { siblings.push([lo + k, hi]); hi = lo + k; } else { siblings.push([lo, lo + k]); lo += k; }
    }
    return Promise.all(siblings.reverse().map(([a, b]) => subtreeHash(a, b, node)));
  }

  /** RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or null if it cannot be one. */
  async function rootFromProof(m, size, leaf, proof) {
    let [fn, sn, r] = [m, size - 1, leaf];
    for (const p of proof) {
      if (sn === 0) return null;
      if (fn % 2 === 1 || fn === sn) {
        r = await nodeHash(p, r);
        while (fn % 2 === 0 && fn !== 0) { fn /= 2; sn = Math.floor(sn / 2); }
      } else {
        r = await nodeHash(r, p);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
  }

  // ---- One widget ---------------------------------------------------------------------------

  async function verifySection(section, found) {
    const seqText = section.dataset.seq || '';
    if (!/^(0|[1-9][0-9]{0,15})$/.test(seqText)) throw new Failure('entry', T.malformed('data-seq'));
    const seq = Number(seqText);
    if (!window.crypto || !crypto.subtle) throw new Failure('key', T.noCrypto);
    const logUrl = new URL(section.dataset.log || 'log/', document.baseURI);
    if (!logUrl.pathname.endsWith('/')) logUrl.pathname += '/';

    const op = await parseVkey(section.dataset.vkey || '');
    found.key = `${op.name}+${op.id}`;
    const cp = await fetchCheckpoint(logUrl, op);
    found.checkpoint = cp;
    const policy = await fetchPolicy(logUrl);
    if (policy) found.witnesses = await checkCosignatures(policy, cp);
    if (seq >= cp.size && policy) throw new Pending(T.pending(seq, cp.size));
    if (seq >= cp.size) throw new Failure('entry', T.notInTree(seq, cp.size));

    const bytes = await fetchLeaf(logUrl, seq, cp.size);
    const leaf = await leafHash(bytes);
    found.leaf = leaf;
    const claimed = section.dataset.leafHash;
    if (claimed !== undefined && claimed !== '') {
      const want = fromHex(claimed);
      if (!want || want.length !== HASH_BYTES) throw new Failure('leaf-hash', T.malformed('data-leaf-hash'));
      if (!equal(want, leaf)) throw new Failure('leaf-hash', T.mismatch, `page says ${claimed.toLowerCase()}`);
    }

    const proof = await inclusionProof(seq, cp.size, tileReader(logUrl, cp.size));
    const root = await rootFromProof(seq, cp.size, leaf, proof);
    if (!root || !equal(root, cp.root)) {
      throw new Failure('inclusion', T.mismatch, root ? `proof leads to ${hex(root)}` : 'proof has the wrong length');
    }
    checkClaims(section, bytes);
    found.bytes = bytes;
    found.proof = proof;
  }

  /** The verified receipt as a C2SP tlog-proof file: a download link beside the result. */
  function offerProofFile(section, found) {
    section.querySelector('a.tlog-proof')?.remove();
    const receipt = section.dataset.expectReceipt;
    if (!receipt || !found.proof) return;
    const org = (section.dataset.expectAuthor || '').replace(/^org:/, '');
    const text = 'c2sp.org/tlog-proof@v1\n' +
      `extra ${toBase64(found.bytes)}\n` +
      `index ${section.dataset.seq}\n` +
      found.proof.map((h) => `${toBase64(h)}\n`).join('') +
      '\n' + found.checkpoint.note;
    const a = Object.assign(document.createElement('a'), {
      className: 'tlog-proof',
      href: `data:text/plain;charset=utf-8;base64,${toBase64(utf8.encode(text))}`,
      download: `${org}-${receipt}.tlog-proof`,
      textContent: T.download,
    });
    (section.querySelector('dl.verify-details') || section.querySelector('.verify-status')).after(a);
  }

  /** Step 7: the proven entry is what the page says it is (author, receipt number). */
  function checkClaims(section, bytes) {
    const { expectAuthor: author, expectReceipt: receipt } = section.dataset;
    if (!author && !receipt) return;
    let sub = null;
    try {
      sub = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)).submission;
    } catch (e) {
      throw new Failure('claim', T.malformed('JSON'), e.message);
    }
    const body = (sub && sub.body) || {};
    if (!sub || (author && sub.author !== author) || (receipt && body.receipt_no !== receipt)) {
      throw new Failure('claim', T.mismatch, `entry is ${sub && sub.author} ${body.receipt_no || ''}`.trim());
    }
  }

  function show(section, state, message, found, detail) {
    section.dataset.state = state;
    const status = section.querySelector('.verify-status') ||
      section.appendChild(Object.assign(document.createElement('p'), { className: 'verify-status' }));
    status.textContent = message;
    section.querySelector('dl.verify-details')?.remove();
    const rows = [];
    if (found.checkpoint) {
      rows.push(['origin', found.checkpoint.origin], ['tree-size', String(found.checkpoint.size)],
        ['root', hex(found.checkpoint.root)]);
    }
    if (found.leaf) rows.push(['leaf-hash', hex(found.leaf)]);
    const w = found.witnesses;
    if (w) {
      rows.push(['witnesses', T.cosigned(w.count, w.total, w.quorum)]);
      if (w.newest > 0) {
        const mins = Math.max(0, Math.round((Date.now() / 1000 - w.newest) / 60));
        rows.push(['cosigned-at', T.cosignedAt(new Date(w.newest * 1000).toISOString(), mins)]);
      }
    }
    if (detail) rows.push(['detail', detail]);
    if (!rows.length) return;
    const dl = document.createElement('dl');
    dl.className = 'verify-details';
    for (const [field, value] of rows) {
      dl.append(Object.assign(document.createElement('dt'), { textContent: T.fields[field] }));
      const dd = Object.assign(document.createElement('dd'), { textContent: value });
      dd.dataset.field = field;
      dl.append(dd);
    }
    status.after(dl);
  }

  async function run(section) {
    const found = {};
    show(section, 'running', T.running, found);
    try {
      await verifySection(section, found);
      delete section.dataset.failedStep;
      show(section, 'verified', T.verified(section.dataset.seq, found.checkpoint, found), found);
      offerProofFile(section, found);
      section.dispatchEvent(new CustomEvent('sunshine:verified', {
        detail: { leaf: found.bytes, leafHash: found.leaf, checkpoint: found.checkpoint },
      }));
    } catch (e) {
      if (e instanceof Pending) {
        delete section.dataset.failedStep;
        show(section, 'pending', e.message, found);
        return;
      }
      const f = e instanceof Failure ? e : new Failure('inclusion', T.malformed('internal'), String(e));
      section.dataset.failedStep = f.step;
      show(section, 'failed', T.failed(f.step, f.reason, found.checkpoint), found, f.detail);
    }
  }

  // ---- Receipt secret ------------------------------------------------------------------------

  // A donation's `commitment` is SHA-256 of the 32 random bytes of the receipt secret, which the
  // donor holds as 64 hex digits (src/demo.rs receipt_secret, docs/FORMAT.md "donation").
  function wireSecretForm(form) {
    const output = form.querySelector('output') ||
      form.appendChild(document.createElement('output'));
    output.setAttribute('aria-live', 'polite');
    form.addEventListener('submit', async (event) => {
      event.preventDefault(); // the secret is checked here and never sent anywhere
      const input = form.elements.namedItem('secret');
      const secret = fromHex((input && input.value || '').replace(/\s+/g, ''));
      const want = (form.dataset.secretHash || '').toLowerCase();
      if (!secret || secret.length !== HASH_BYTES) {
        form.dataset.result = 'malformed';
        output.textContent = T.secretMalformed;
        return;
      }
      const matches = hex(await sha256(secret)) === want;
      form.dataset.result = matches ? 'matches' : 'differs';
      output.textContent = matches ? T.secretMatches : T.secretDiffers;
    });
  }

  // ---- A saved .tlog-proof file (C2SP tlog-proof) ------------------------------------------

  /** C2SP tlog-proof, strictly: header, extra, index, proof hashes, blank line, checkpoint. */
  function parseProofFile(text) {
    const bad = (why) => new Failure('file', T.malformed(why));
    const lines = text.split('\n');
    if (lines[0] !== 'c2sp.org/tlog-proof@v1') throw bad('header');
    const extra = /^extra ([A-Za-z0-9+/=]+)$/.exec(lines[1] || '');
    const leaf = extra && fromBase64(extra[1]);
    if (!leaf) throw bad('extra');
    const index = /^index (0|[1-9][0-9]{0,15})$/.exec(lines[2] || '');
    if (!index) throw bad('index');
    const proof = [];
    let i = 3;
    for (; i < lines.length && lines[i] !== ''; i++) {
      const h = fromBase64(lines[i]);
      if (!h || h.length !== HASH_BYTES || proof.length === 64) throw bad(`line ${i + 1}`);
      proof.push(h);
    }
    if (i >= lines.length) throw bad('no checkpoint');
    const note = lines.slice(i + 1).join('\n');
    return { leaf, seq: Number(index[1]), proof, note: utf8.encode(note) };
  }

  /** What a proven leaf is, in the page's language. */
  function describe(leaf) {
    try {
      const sub = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(leaf)).submission;
      const body = sub.body || {};
      const org = String(sub.author || '').replace(/^org:/, '');
      return sub.kind === 'donation' ? T.donation(body, org) : T.otherEntry(sub.kind, sub.author);
    } catch (e) {
      throw new Failure('claim', T.malformed('JSON'), e.message);
    }
  }

  function wireProofFile(form) {
    const output = form.querySelector('output') || form.appendChild(document.createElement('output'));
    output.setAttribute('aria-live', 'polite');
    const logUrl = new URL(form.dataset.log || 'log/', document.baseURI);
    if (!logUrl.pathname.endsWith('/')) logUrl.pathname += '/';
    // Everything from the network is fetched now, so a file is checked with the page offline.
    const ready = (async () => ({
      op: await parseVkey(form.dataset.vkey || ''),
      policy: await fetchPolicy(logUrl),
    }))();
    ready.catch(() => {}); // reported when a file is checked
    async function check(file) {
      form.dataset.result = 'running';
      output.textContent = T.running;
      try {
        const { op, policy } = await ready;
        const p = parseProofFile(await file.text());
        const cp = await parseCheckpoint(p.note, op);
        const w = policy ? await checkCosignatures(policy, cp) : null;
        if (p.seq >= cp.size) throw new Failure('inclusion', T.notInTree(p.seq, cp.size));
        const root = await rootFromProof(p.seq, cp.size, await leafHash(p.leaf), p.proof);
        if (!root || !equal(root, cp.root)) throw new Failure('inclusion', T.mismatch);
        form.dataset.result = 'valid';
        output.textContent = T.fileOk(describe(p.leaf), p.seq, cp.size,
          w && T.cosigned(w.count, w.total, w.quorum));
      } catch (e) {
        const f = e instanceof Failure ? e : new Failure('file', T.malformed('internal'), String(e));
        form.dataset.result = 'invalid';
        form.dataset.failedStep = f.step;
        output.textContent = T.fileBad(f.step, f.reason);
      }
    }
    const input = form.querySelector('input[type=file]');
    input?.addEventListener('change', () => { if (input.files[0]) check(input.files[0]); });
    form.addEventListener('dragover', (event) => event.preventDefault());
    form.addEventListener('drop', (event) => {
      event.preventDefault();
      const file = event.dataTransfer && event.dataTransfer.files[0];
      if (file) check(file);
    });
    form.addEventListener('submit', (event) => event.preventDefault());
  }

  document.querySelectorAll('form.proof-file').forEach(wireProofFile);
  document.querySelectorAll('section.verify[data-seq]').forEach(run);
  document.addEventListener('sunshine:verify', (event) => {
    if (event.target instanceof Element && event.target.matches('section.verify[data-seq]')) run(event.target);
  });
  document.querySelectorAll('form.receipt-secret[data-secret-hash]').forEach(wireSecretForm);
})();
