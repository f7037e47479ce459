// DOM helpers: h() for HTML, svg() for SVG. Children may be strings, nodes, arrays, null.
// Every element is built with DOM APIs (text via textContent, never HTML strings), so the strict
// Content-Security-Policy holds.
const SVG_NS = 'http://www.w3.org/2000/svg';

export function append(el, kids) {
  for (const k of kids.flat(Infinity)) {
    if (k === null || k === undefined || k === false) continue;
    el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return el;
}
export function h(tag, props, ...kids) {
  const el = document.createElement(tag);
  setProps(el, props);
  return append(el, kids);
}
export function svg(tag, attrs, ...kids) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  }
  return append(el, kids);
}
function setProps(el, props) {
  if (!props) return;
  for (const [k, v] of Object.entries(props)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'data') for (const [dk, dv] of Object.entries(v)) { if (dv !== null && dv !== undefined) el.dataset[dk] = dv; }
    else if (k === 'css') Object.assign(el.style, v); // CSSOM: allowed by style-src 'self'
    else if (['value', 'checked', 'selected', 'disabled', 'hidden', 'required', 'multiple'].includes(k)) el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}
export const $ = (sel, root = document) => root.querySelector(sel);
// Re-renders in place without losing where the user had scrolled (page, lists, the timeline).
export function keepScroll(box, fn) {
  const y = window.scrollY;
  const top = box.scrollTop;
  const old = box.querySelector('.tl-scroll');
  const left = old ? old.scrollLeft : 0;
  fn();
  box.scrollTop = top;
  const fresh = box.querySelector('.tl-scroll');
  if (fresh) fresh.scrollLeft = left;
  window.scrollTo(window.scrollX, y);
}
export const clear = (el) => { while (el.firstChild) el.removeChild(el.firstChild); return el; };

// Runs fn once, ms after the last call under the same name (live updates and resizes come in bursts).
const pending = {};
export function soon(name, fn, ms = 250) {
  clearTimeout(pending[name]);
  pending[name] = setTimeout(fn, ms);
}
