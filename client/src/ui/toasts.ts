/** Short notices in a corner: errors stay until dismissed or replaced, information fades. */
import type { ToastKind } from '../app/context';
import { h } from './dom';
import { icon } from './icons';

const INFO_MS = 5000;
const ERROR_MS = 12000;
const MAX_SHOWN = 4;

export function createToasts(): { element: HTMLElement; show(message: string, kind?: ToastKind): void } {
  const region = h('div', { class: 'toasts', testid: 'toasts', 'aria-live': 'polite' });
  const show = (message: string, kind: ToastKind = 'error') => {
    const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss' }, icon('close', 16));
    const toast = h(
      'div',
      { class: `toast ${kind}`, testid: 'toast', role: kind === 'error' ? 'alert' : 'status' },
      h('p', {}, message),
      close,
    );
    const remove = () => toast.remove();
    close.addEventListener('click', remove);
    setTimeout(remove, kind === 'error' ? ERROR_MS : INFO_MS);
    region.append(toast);
    while (region.children.length > MAX_SHOWN) region.firstElementChild?.remove();
  };
  return { element: region, show };
}
