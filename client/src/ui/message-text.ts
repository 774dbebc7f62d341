/**
 * A message's text as DOM: text nodes, plain links (open in a new tab, never fetched) and
 * highlighted `@` mentions of members (more strongly of the person), never parsed markup.
 */
import type { MentionTarget } from '../logic/mentions';
import { splitMentions } from '../logic/mentions';
import { splitLinks } from '../logic/text';
import { h } from './dom';

export function messageText(text: string, classify?: (name: string) => MentionTarget | null): HTMLElement {
  const p = h('p', { class: 'text', testid: 'message-text' });
  splitLinks(text).forEach((segment) => {
    if (segment.kind === 'link') {
      p.append(h('a', {
        href: segment.href, target: '_blank', rel: 'noopener noreferrer nofollow', referrerpolicy: 'no-referrer',
      }, segment.text));
      return;
    }
    if (!classify) {
      p.append(document.createTextNode(segment.text));
      return;
    }
    splitMentions(segment.text, classify).forEach((part) => {
      if (part.kind === 'text') p.append(document.createTextNode(part.text));
      else {
        p.append(h('span', {
          class: `mention mention-${part.target}`, testid: 'mention', 'data-target': part.target,
        }, part.text));
      }
    });
  });
  return p;
}
