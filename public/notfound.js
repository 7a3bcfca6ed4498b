// Sunshine Ledger's static 404 page (404.html at the site root): a static host serves that one
// file for any missing address, at any depth, so its relative links would point nowhere. The
// page loads this script by a ladder of relative paths (static/notfound.js, ../static/…,
// ../../static/…); only the one that resolves to the site's own static/ directory loads (the
// others are the host's 404 answer, which is not a script), and from where it was loaded it
// knows the site's root: it points the stylesheet and the links there. Without script the links
// keep their root-absolute fallbacks (right when the site is at the host's root).
'use strict';

(() => {
  const script = document.currentScript;
  if (window.sunshineRoot || !script || !script.src) return; // an earlier rung already ran
  const root = new URL('../', script.src);
  window.sunshineRoot = root.href;
  const css = new URL('static/site.css', root).href;
  if (![...document.querySelectorAll('link[rel="stylesheet"]')].some((l) => l.href === css)) {
    document.head.append(Object.assign(document.createElement('link'), { rel: 'stylesheet', href: css }));
  }
  for (const a of document.querySelectorAll('a[data-to]')) {
    a.href = new URL(a.dataset.to, root).href;
  }
  // A reader who was on the English pages reads English first.
  if (location.href.startsWith(new URL('en/', root).href)) {
    const en = document.querySelector('section[lang="en"]');
    if (en && en.parentNode) en.parentNode.prepend(en);
    document.documentElement.lang = 'en';
  }
})();
