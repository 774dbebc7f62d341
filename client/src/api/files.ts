/**
 * Attachments over REST: an upload through XMLHttpRequest (for its upload
 * progress events), and downloads fetched with the token into blobs (an
 * `<img src>` cannot carry an Authorization header).
 */
import type { FileRecord } from '@chat/contract';
import { ApiError, errorFromBody } from './api-error';

export interface FileAccess { baseUrl: string; token: string }

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** Uploads `file` to `group`; `onProgress` gets the fraction sent (0..1). */
export function uploadFile(
  access: FileAccess,
  group: string,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<FileRecord> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${access.baseUrl}/chat/${encodeURIComponent(group)}/files`);
    xhr.setRequestHeader('authorization', `Bearer ${access.token}`);
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => {
      const body = parse(xhr.responseText);
      if (xhr.status === 201) resolve(body as FileRecord);
      else reject(errorFromBody(xhr.status, body));
    });
    xhr.addEventListener('error', () => reject(new ApiError('NETWORK', `cannot reach ${access.baseUrl}`)));
    xhr.addEventListener('abort', () => reject(new ApiError('NETWORK', 'upload cancelled')));
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

/** A file (or its thumbnail) of `group` as a blob. */
export async function fetchFile(access: FileAccess, group: string, id: string, thumbnail = false): Promise<Blob> {
  const path = `/chat/${encodeURIComponent(group)}/files/${encodeURIComponent(id)}${thumbnail ? '/thumbnail' : ''}`;
  let res: Response;
  try {
    res = await fetch(`${access.baseUrl}${path}`, { headers: { authorization: `Bearer ${access.token}` } });
  } catch {
    throw new ApiError('NETWORK', `cannot reach ${access.baseUrl}`);
  }
  if (!res.ok) throw errorFromBody(res.status, parse(await res.text()));
  return res.blob();
}

/** 1234567 → "1.2 MB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
