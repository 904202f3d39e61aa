// ajar dashboard: progressive enhancement only (every page works without it). Served from
// /static (CSP script-src 'self'); no inline scripts anywhere.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Filter forms submit on change.
  for (const sel of document.querySelectorAll("form.filters select")) {
    sel.addEventListener("change", () => sel.form.submit());
  }
  // Times as "x ago" next to the UTC value.
  for (const el of document.querySelectorAll("time[datetime]")) {
    const t = Date.parse(el.getAttribute("datetime"));
    if (Number.isNaN(t)) continue;
    const d = (Date.now() - t) / 1000;
    const s = Math.abs(d);
    const span = s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min`
      : s < 129600 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86400)} days`;
    el.title = el.textContent;
    el.textContent = d >= -1 ? `${span} ago` : `in ${span}`;
  }
});
