/**
 * A tiny element builder. Strings always become text nodes: user data can
 * never turn into markup here (there is no innerHTML anywhere in the client).
 */
export type Child = Node | string | number | null | undefined | false;

type Handlers = Partial<{ [K in keyof HTMLElementEventMap]: (event: HTMLElementEventMap[K]) => void }>;

export interface Props {
  class?: string;
  testid?: string;
  text?: string;
  on?: Handlers;
  /** Attributes; `false`/null/undefined leave one out, `true` sets it empty. */
  [attribute: string]: string | number | boolean | null | undefined | Handlers;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  Object.entries(props).forEach(([name, value]) => {
    if (name === 'on') {
      Object.entries(value as Handlers).forEach(([event, handler]) => {
        el.addEventListener(event, handler as EventListener);
      });
    } else if (name === 'class') el.className = String(value);
    else if (name === 'testid') el.dataset.testid = String(value);
    else if (name === 'text') el.textContent = String(value);
    else if (value === true) el.setAttribute(name, '');
    else if (value !== false && value !== null && value !== undefined) el.setAttribute(name, String(value));
  });
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  children.forEach((child) => {
    if (child === null || child === undefined || child === false) return;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  });
}

/** Replaces all children. */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/**
 * Makes `parent`'s children the elements for `items`, in order, reusing the
 * element of each key (so focus, selection and scroll anchors survive a redraw).
 * `update` runs for every item and may skip work when nothing changed.
 */
export function reconcile<T>(
  parent: Element,
  items: readonly T[],
  keyOf: (item: T) => string,
  create: (item: T) => HTMLElement,
  update: (el: HTMLElement, item: T) => void,
  cache: Map<string, HTMLElement>,
): void {
  const keep = new Set<string>();
  let cursor = parent.firstElementChild;
  items.forEach((item) => {
    const key = keyOf(item);
    keep.add(key);
    let el = cache.get(key);
    if (!el) {
      el = create(item);
      cache.set(key, el);
    }
    update(el, item);
    if (el === cursor) cursor = cursor.nextElementSibling;
    else parent.insertBefore(el, cursor);
  });
  [...cache.entries()].forEach(([key, el]) => {
    if (keep.has(key)) return;
    el.remove();
    cache.delete(key);
  });
}

let idCounter = 0;
/** A unique id for label/aria wiring. */
export const uid = (prefix: string): string => {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
};
