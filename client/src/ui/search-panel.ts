/**
 * The search box and its results (docs/search.md): each result shows its
 * group, author, time and a snippet whose matches are <mark> elements holding
 * text; choosing one opens the group at that message. "This group only"
 * limits a search to the group open when it is submitted.
 */
import { searchQueryField } from '@chat/contract';
import type { ChatSearchHit, ChatSearchPage } from '@chat/contract';
import { describeError } from '../api/describe-error';
import type { ChatApp } from '../app/chat-app';
import { snippetParts } from '../logic/search-snippet';
import { formatTime } from '../logic/text';
import { append, fill, h } from './dom';

export function createSearchPanel(app: ChatApp): HTMLElement {
  const { store } = app;
  const input = h('input', {
    type: 'search', testid: 'search-input', placeholder: 'Search messages', 'aria-label': 'Search messages', autocomplete: 'off',
  });
  const submit = h('button', { type: 'submit', class: 'secondary small', testid: 'search-submit' }, 'Search');
  const onlyOpen = h('input', { type: 'checkbox', testid: 'search-this-group' });
  const scope = h('label', { class: 'search-scope', title: 'Search only the open group' }, onlyOpen, 'This group only');
  const form = h(
    'form',
    { class: 'search-form', role: 'search', testid: 'search-form' },
    h('div', { class: 'search-row' }, input, submit),
    scope,
  );
  const syncScope = () => {
    onlyOpen.disabled = store.openGroup === null;
    scope.classList.toggle('disabled', onlyOpen.disabled);
  };
  store.on('open', syncScope);
  syncScope();
  const summary = h('p', { class: 'search-summary', testid: 'search-summary', 'aria-live': 'polite' });
  const list = h('ol', { class: 'search-list', testid: 'search-list' });
  const more = h('button', {
    type: 'button', class: 'link-button', testid: 'search-more', hidden: true,
  }, 'More results');
  const close = h('button', {
    type: 'button', class: 'link-button', testid: 'search-close',
  }, 'Close');
  const results = h(
    'section',
    {
      class: 'search-results', testid: 'search-results', hidden: true, 'aria-label': 'Search results',
    },
    h('div', { class: 'search-results-head' }, summary, close),
    list,
    more,
  );
  let query = '';
  /** The group the shown search is limited to, if any. */
  let onlyGroup: string | undefined;
  let cursor: string | null = null;
  let shown = 0;
  let busy = false;

  const resultItem = (hit: ChatSearchHit) => {
    const group = store.groups.get(hit.room)?.group.name ?? 'A group';
    const snippet = h('p', { class: 'search-snippet', testid: 'search-snippet' });
    snippetParts(hit.snippet).forEach((part) => append(snippet, part.marked ? h('mark', {}, part.text) : part.text));
    const button = h(
      'button',
      {
        type: 'button', class: 'search-result', testid: 'search-result', 'data-room': hit.room, 'data-seq': hit.seq,
      },
      h(
        'span',
        { class: 'search-result-head' },
        h('span', { class: 'search-group', testid: 'search-group' }, group),
        h('time', { datetime: hit.timestamp, title: new Date(hit.timestamp).toLocaleString() }, formatTime(hit.timestamp)),
      ),
      h('span', { class: 'search-author' }, `${store.displayName(hit.up)} · #${hit.seq}`),
      snippet,
    );
    button.addEventListener('click', () => { void app.search.jumpTo(hit); });
    return h('li', {}, button);
  };

  const describe = (page: ChatSearchPage) => {
    const count = shown === 0 ? 'No messages found' : `${shown}${page.nextCursor ? '+' : ''} result${shown === 1 ? '' : 's'}`;
    const engine = page.engine === 'text' ? 'text index' : 'scan of recent messages';
    const where = onlyGroup ? ` in ${store.groups.get(onlyGroup)?.group.name ?? 'this group'}` : '';
    summary.textContent = `${count} for “${query}”${where} (${engine})${page.truncated ? '. Older messages were not searched.' : ''}`;
    summary.dataset.engine = page.engine;
  };

  const load = async (fresh: boolean) => {
    if (busy) return;
    busy = true;
    submit.disabled = true;
    more.disabled = true;
    try {
      const page = await app.search.find(query, {
        ...(onlyGroup ? { group: onlyGroup } : {}), ...(fresh || !cursor ? {} : { cursor }),
      });
      if (fresh) {
        fill(list);
        shown = 0;
      }
      page.items.forEach((hit) => list.append(resultItem(hit)));
      shown += page.items.length;
      cursor = page.nextCursor;
      more.hidden = cursor === null;
      describe(page);
      results.hidden = false;
    } catch (err) {
      summary.textContent = `Search failed. ${describeError(err)}`;
      results.hidden = false;
    } finally {
      busy = false;
      submit.disabled = false;
      more.disabled = false;
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const checked = searchQueryField.safeParse(input.value);
    if (!checked.success) {
      fill(list);
      more.hidden = true;
      summary.textContent = `The search ${checked.error.issues[0]?.message ?? 'is not valid'}.`;
      results.hidden = false;
      return;
    }
    query = input.value;
    onlyGroup = onlyOpen.checked && store.openGroup ? store.openGroup : undefined;
    cursor = null;
    void load(true);
  });
  more.addEventListener('click', () => { void load(false); });
  close.addEventListener('click', () => {
    results.hidden = true;
    fill(list);
    input.value = '';
    input.focus();
  });

  return h('div', { class: 'search' }, form, results);
}
