/**
 * Attachments in the page: the composer's tray (files picked or dropped,
 * each uploading with a progress bar, then ready to send), and the files a
 * message carries (images as thumbnails that open the full image, other
 * files as a chip with name and size that downloads it).
 */
import type { AttachmentRef, FileRecord } from '@chat/contract';
import { ATTACHMENT_LIMITS, toAttachmentRef } from '@chat/contract';
import { describeError } from '../api/describe-error';
import { fetchFile, formatSize, uploadFile } from '../api/files';
import type { ChatApp } from '../app/chat-app';
import { h } from './dom';
import { icon } from './icons';

interface Upload {
  file: File;
  element: HTMLElement;
  record: FileRecord | null;
}

export interface AttachmentTray {
  /** The list of files being uploaded or ready. */
  element: HTMLElement;
  /** The paperclip button that opens the file picker. */
  picker: HTMLElement;
  add(files: Iterable<File>): void;
  /** The uploaded files, ready to go with the next message. */
  ready(): AttachmentRef[];
  /** True while a file is still uploading. */
  busy(): boolean;
  clear(): void;
}

export function createAttachmentTray(app: ChatApp, room: () => string | null, changed: () => void): AttachmentTray {
  const element = h('ul', { class: 'attachment-tray', testid: 'attachment-tray', hidden: true });
  const input = h('input', {
    type: 'file', multiple: true, class: 'visually-hidden', testid: 'attachment-input', tabindex: -1,
  });
  const picker = h('button', {
    type: 'button',
    class: 'attach',
    testid: 'attach-button',
    'aria-label': 'Attach files',
    title: 'Attach files',
    on: { click: () => input.click() },
  }, icon('attach'), input);
  let uploads: Upload[] = [];

  const refresh = () => {
    element.hidden = uploads.length === 0;
    changed();
  };
  const remove = (upload: Upload) => {
    uploads = uploads.filter((u) => u !== upload);
    upload.element.remove();
    refresh();
  };

  const start = (file: File, group: string) => {
    const bar = h('progress', { max: 1, value: 0, testid: 'upload-progress' });
    const close = h('button', {
      type: 'button', class: 'icon-button', 'aria-label': `Remove ${file.name}`, title: 'Remove',
    }, icon('close', 14));
    const item = h(
      'li',
      { class: 'upload', testid: 'upload' },
      h('span', { class: 'upload-name', text: file.name }),
      h('span', { class: 'upload-size', text: formatSize(file.size) }),
      bar,
      close,
    );
    const upload: Upload = { file, element: item, record: null };
    close.addEventListener('click', () => remove(upload));
    uploads.push(upload);
    element.append(item);
    refresh();
    uploadFile(app.fileAccess(), group, file, (fraction) => { bar.value = fraction; })
      .then((record) => {
        upload.record = record;
        bar.value = 1;
        item.classList.add('done');
        item.dataset.state = 'ready';
        refresh();
      })
      .catch((err: unknown) => {
        remove(upload);
        app.toastError(`“${file.name}” was not uploaded. ${describeError(err)}`);
      });
  };

  const tray: AttachmentTray = {
    element,
    picker,
    add(files) {
      const group = room();
      if (!group) return;
      [...files].forEach((file) => {
        if (uploads.length >= ATTACHMENT_LIMITS.perMessage) {
          app.toastError(`At most ${ATTACHMENT_LIMITS.perMessage} files go with one message.`);
          return;
        }
        start(file, group);
      });
    },
    ready: () => uploads.flatMap((u) => (u.record ? [toAttachmentRef(u.record)] : [])),
    busy: () => uploads.some((u) => u.record === null),
    clear() {
      uploads = [];
      element.replaceChildren();
      refresh();
    },
  };
  input.addEventListener('change', () => {
    if (input.files) tray.add([...input.files]);
    input.value = '';
  });
  return tray;
}

/** Opens a blob in a new tab (the browser shows an image, or saves another file under its name). */
function open(blob: Blob, name: string, download: boolean): void {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, target: '_blank', rel: 'noopener' });
  if (download) link.setAttribute('download', name);
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Thumbnails already fetched, by file id: the list is drawn again on every change. */
const thumbnails = new Map<string, Promise<string>>();

/** The files one message carries. */
export function attachmentList(app: ChatApp, group: string, refs: readonly AttachmentRef[]): HTMLElement | null {
  if (refs.length === 0) return null;
  const fail = (ref: AttachmentRef) => (err: unknown) => (
    app.toastError(`Could not open “${ref.name}”. ${describeError(err)}`));
  const show = (ref: AttachmentRef, download: boolean) => () => {
    fetchFile(app.fileAccess(), group, ref.id).then((blob) => open(blob, ref.name, download), fail(ref));
  };
  return h('div', { class: 'attachments', testid: 'attachments' }, ...refs.map((ref) => {
    if (ref.hasThumbnail) {
      const img = h('img', {
        alt: ref.name,
        testid: 'attachment-image',
        width: Math.min(ATTACHMENT_LIMITS.thumbnailSide, ref.width ?? ATTACHMENT_LIMITS.thumbnailSide),
      });
      let url = thumbnails.get(ref.id);
      if (!url) {
        url = fetchFile(app.fileAccess(), group, ref.id, true).then((blob) => URL.createObjectURL(blob));
        thumbnails.set(ref.id, url);
        url.catch(() => thumbnails.delete(ref.id));
      }
      url.then((src) => { img.src = src; }, () => { img.alt = `${ref.name} (not available)`; });
      return h('button', {
        type: 'button',
        class: 'attachment-image',
        title: `${ref.name} — ${ref.width}×${ref.height}, ${formatSize(ref.size)}`,
        on: { click: show(ref, false) },
      }, img);
    }
    return h('button', {
      type: 'button',
      class: 'attachment-chip',
      testid: 'attachment-chip',
      title: `Download ${ref.name}`,
      on: { click: show(ref, true) },
    }, icon('attach', 14), h('span', { class: 'chip-name', text: ref.name }), h('span', {
      class: 'chip-size', text: formatSize(ref.size),
    }));
  }));
}
