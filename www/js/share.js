// The link builder for lecturers (issue 15, section 5): a "Share" dialog that takes the current
// configuration (every lane, the page options, the open lesson), lets the lecturer tick the controls to
// hide (`hide=` names) and whether to embed or autostart, shows the link and an <iframe> snippet, opens
// a preview in a new tab and copies either. The link is written by url.js (`toQuery`), the same codec
// the page reads, so it reproduces the configuration.
import { HIDEABLE, toQuery } from './url.js';
import { allBuilt } from './store.js';

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

/** The share link for `state` with `choice` = {hide: [names], embed, autostart}; `base` is the page's address. */
export function shareLink(state, choice, base) {
  const page = { ...state.page, hide: HIDEABLE.filter((n) => choice.hide.includes(n)), embed: choice.embed, autostart: choice.autostart };
  const url = new URL(base);
  url.search = toQuery(state.lanes.map((l) => l.config), page, state.limits);
  url.hash = '';
  return url.href;
}

/** The <iframe> snippet for `link`. */
export function iframeSnippet(link) {
  const escaped = link.replaceAll('&', '&amp;').replaceAll('"', '&quot;');
  return `<iframe src="${escaped}" width="960" height="720" title="GAN playground" loading="lazy"></iframe>`;
}

export function mountShare(store) {
  const { state } = store;
  const open = el('button', { type: 'button', id: 'share', className: 'btn ghost', textContent: 'Share…', disabled: true, title: 'build a link or an <iframe> for students, with controls hidden' });
  document.getElementById('copy-link').after(open);

  const heading = el('h2', { id: 'share-title', textContent: 'Share this configuration' });
  const boxes = HIDEABLE.map((name) => {
    const box = el('input', { type: 'checkbox', value: name, name: 'share-hide' });
    return el('label', { className: 'share-option' }, box, ` ${name}`);
  });
  const hideSet = el('fieldset', { className: 'share-hide' }, el('legend', { textContent: 'hide' }), ...boxes);
  const embed = el('input', { type: 'checkbox', id: 'share-embed' });
  const autostart = el('input', { type: 'checkbox', id: 'share-autostart' });
  const link = el('textarea', { id: 'share-link', readOnly: true, rows: 3 });
  const snippet = el('textarea', { id: 'share-iframe', readOnly: true, rows: 3 });
  const preview = el('a', { id: 'share-preview', className: 'btn', textContent: 'Preview in a new tab', target: '_blank', rel: 'noopener' });
  const copyLink = el('button', { type: 'button', className: 'btn primary', textContent: 'Copy link' });
  const copyFrame = el('button', { type: 'button', className: 'btn', textContent: 'Copy <iframe>' });
  const close = el('button', { type: 'button', className: 'btn', textContent: 'Close' });
  const dialog = el('dialog', { id: 'share-dialog', className: 'dialog share-dialog' },
    heading, hideSet,
    el('p', { className: 'row' }, el('label', {}, embed, ' embed (compact layout for an iframe)'), el('label', {}, autostart, ' start training on load')),
    el('label', { className: 'field', htmlFor: 'share-link' }, 'link'), link,
    el('label', { className: 'field', htmlFor: 'share-iframe' }, '<iframe> snippet'), snippet,
    el('div', { className: 'row end' }, preview, copyFrame, copyLink, close));
  dialog.setAttribute('aria-labelledby', heading.id);
  document.body.append(dialog);

  const choice = () => ({ hide: boxes.map((b) => b.firstChild).filter((b) => b.checked).map((b) => b.value), embed: embed.checked, autostart: autostart.checked });
  function refresh() {
    const href = shareLink(state, choice(), window.location.href);
    link.value = href;
    snippet.value = iframeSnippet(href);
    preview.href = href;
  }
  const copy = (area, button) => async () => {
    const text = button.textContent;
    try {
      await navigator.clipboard.writeText(area.value);
      button.textContent = 'Copied';
    } catch {
      area.select(); // a sandboxed frame may not write the clipboard: the text is selected for Ctrl+C
      button.textContent = 'Selected: press Ctrl+C';
    }
    setTimeout(() => { button.textContent = text; }, 1500);
  };
  dialog.addEventListener('change', refresh);
  copyLink.addEventListener('click', copy(link, copyLink));
  copyFrame.addEventListener('click', copy(snippet, copyFrame));
  close.addEventListener('click', () => dialog.close());
  open.addEventListener('click', () => {
    for (const label of boxes) label.firstChild.checked = state.page.hide.includes(label.firstChild.value);
    embed.checked = Boolean(state.page.embed);
    autostart.checked = Boolean(state.page.autostart);
    refresh();
    dialog.showModal();
  });
  store.subscribe((s) => { open.disabled = !(s.phase === 'ready' && allBuilt(s)); });
}
