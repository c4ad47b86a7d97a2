// A few lines instead of a UI library: h() builds an element from a tag,
// attributes (on* = listeners) and children; s() the same in the SVG
// namespace. Pages rebuild their content from data on every update; the
// `data-keep` attribute carries an element's state (an input's value and
// caret, a <details>' open state) over a rebuild, so live refreshes do not
// disturb what a person is doing.

export type Child = Node | string | number | null | undefined | false | Child[];

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

function setAttrs(el: Element, attrs: Record<string, unknown> | null | undefined): void {
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, unknown> | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

export function s(tag: string, attrs?: Record<string, unknown> | null, ...children: Child[]): SVGElement {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** Replaces root's content with next, carrying the state of `data-keep` elements over. */
export function replaceKeeping(root: Element, next: Node): void {
  const state = new Map<string, { value?: string; open?: boolean; focus?: boolean; start?: number | null; end?: number | null }>();
  for (const el of root.querySelectorAll<HTMLElement>('[data-keep]')) {
    const key = el.dataset.keep!;
    if (el instanceof HTMLInputElement) state.set(key, { value: el.type === 'checkbox' ? String(el.checked) : el.value, focus: document.activeElement === el, start: el.selectionStart, end: el.selectionEnd });
    else if (el instanceof HTMLDetailsElement) state.set(key, { open: el.open });
  }
  const scroll = window.scrollY;
  root.replaceChildren(next);
  for (const el of root.querySelectorAll<HTMLElement>('[data-keep]')) {
    const st = state.get(el.dataset.keep!);
    if (!st) continue;
    if (el instanceof HTMLInputElement) {
      if (el.type === 'checkbox') el.checked = st.value === 'true';
      else el.value = st.value ?? '';
      if (st.focus) {
        el.focus();
        if (el.type !== 'checkbox' && st.start != null) el.setSelectionRange(st.start, st.end ?? st.start);
      }
    } else if (el instanceof HTMLDetailsElement && st.open !== undefined) el.open = st.open;
  }
  window.scrollTo(0, scroll);
}
