/**
 * A destructive action asked twice, inline: no blocking `confirm()` dialog
 * (it steals focus and browser automation dismisses it).
 */
import { h } from './dom';

export function confirmButton(
  label: string,
  /** Asked each time: the question names things as they are called now (a group renamed meanwhile). */
  question: () => string,
  testid: string,
  action: () => Promise<void>,
): HTMLElement {
  const start = h('button', { type: 'button', class: 'danger-outline', testid }, label);
  const yes = h('button', { type: 'button', class: 'danger', testid: `${testid}-confirm` }, label);
  const no = h('button', { type: 'button', class: 'secondary', testid: `${testid}-cancel` }, 'Cancel');
  const text = h('p');
  const ask = h('div', { class: 'confirm', hidden: true, role: 'group' }, text, h('div', { class: 'form-actions' }, no, yes));
  const wrap = h('div', { class: 'confirm-wrap' }, start, ask);
  const set = (asking: boolean) => {
    if (asking) text.textContent = question();
    start.hidden = asking;
    ask.hidden = !asking;
    (asking ? no : start).focus();
  };
  start.addEventListener('click', () => set(true));
  no.addEventListener('click', () => set(false));
  yes.addEventListener('click', () => {
    yes.disabled = true;
    action().finally(() => {
      yes.disabled = false;
      if (wrap.isConnected) set(false);
    });
  });
  return wrap;
}
