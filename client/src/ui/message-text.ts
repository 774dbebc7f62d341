/** A message's text as DOM: text nodes and plain links, never parsed markup; links open in a new tab, unfetched. */
import { splitLinks } from '../logic/text';
import { h } from './dom';

export function messageText(text: string): HTMLElement {
  const p = h('p', { class: 'text', testid: 'message-text' });
  splitLinks(text).forEach((segment) => {
    if (segment.kind === 'text') p.append(document.createTextNode(segment.text));
    else {
      p.append(h('a', {
        href: segment.href, target: '_blank', rel: 'noopener noreferrer nofollow', referrerpolicy: 'no-referrer',
      }, segment.text));
    }
  });
  return p;
}
