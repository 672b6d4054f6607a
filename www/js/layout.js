// Lesson layout: `embed=1` gives an iframe-friendly page (no header, compact, fits its frame) and
// `hide=` hides the named controls and panels, through classes on <body> that style.css maps to elements.
import { HIDEABLE } from './url.js';

/** Applies `page.embed` and `page.hide` (names already checked against HIDEABLE). */
export function applyLayout(page) {
  document.body.classList.toggle('embed', Boolean(page.embed));
  for (const name of HIDEABLE) document.body.classList.toggle(`hide-${name}`, page.hide.includes(name));
}
