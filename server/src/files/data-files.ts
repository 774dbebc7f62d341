/**
 * The data service's /file routes as the chat server calls them: a record,
 * the bytes (whole or a range) as a stream, and an upload streamed through
 * without holding the file.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import {
  AppError, errorBodySchema, errorCodeForStatus, fileRecordSchema, isErrorCode, restContract,
} from '@chat/contract';
import type { FileRecord } from '@chat/contract';
import { createDataRequest } from '../data/http';
import type { ByteRange } from './range';

export interface UploadQuery {
  group: string;
  uploader: string;
  name: string;
  maxBytes: number;
  dailyBytes: number;
}

const routes = restContract.dataService;
const enc = encodeURIComponent;
const unavailable = () => new AppError('UNAVAILABLE', 'the data service is unreachable; retry later');

function errorOf(status: number, body: unknown): AppError {
  const parsed = errorBodySchema.safeParse(body);
  const code = parsed.success && isErrorCode(parsed.data.error.code)
    ? parsed.data.error.code : errorCodeForStatus(status);
  if (code === 'INTERNAL' || code === 'UNAUTHORIZED') return new AppError('UNAVAILABLE', 'the data service failed; retry later');
  return new AppError(code, parsed.success ? parsed.data.error.message : `data service answered ${status}`);
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

export function createFileClient(baseUrl: string, internalToken: string) {
  const request = createDataRequest({ baseUrl, internalToken });
  const headers = { 'x-internal-token': internalToken };

  const stream = async (path: string): Promise<Readable> => {
    let res: Response;
    try {
      res = await fetch(`${baseUrl}${path}`, { headers });
    } catch {
      throw unavailable();
    }
    if (!res.ok || !res.body) throw errorOf(res.status, parseJson(await res.text().catch(() => '')));
    return Readable.fromWeb(res.body as ReadableStream<Uint8Array>);
  };

  return {
    get: (id: string): Promise<FileRecord> => request('GET', `/file/${enc(id)}`, routes.getFile.responses[200].schema),

    content: (id: string, range?: ByteRange): Promise<Readable> => stream(
      `/file/${enc(id)}/content${range ? `?start=${range.start}&end=${range.end}` : ''}`,
    ),

    thumbnail: (id: string): Promise<Readable> => stream(`/file/${enc(id)}/thumbnail`),

    /**
     * Streams `body` to the data service. When the data service answers before
     * the end (a limit), the rest of `body` is drained, not sent. `abort()` cuts
     * the upload off: the data service then keeps nothing of it.
     */
    upload(body: Readable, query: UploadQuery): { done: Promise<FileRecord>; abort: () => void } {
      const url = new URL(`${baseUrl}/file`);
      Object.entries(query).forEach(([key, value]) => url.searchParams.set(key, String(value)));
      const client = url.protocol === 'https:' ? https : http;
      const req = client.request(url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
      });
      const done = new Promise<FileRecord>((resolve, reject) => {
        req.on('error', () => reject(unavailable()));
        req.on('response', (res) => {
          body.unpipe(req);
          body.resume();
          req.end();
          const parts: Buffer[] = [];
          res.on('data', (part: Buffer) => parts.push(part));
          res.on('error', () => reject(unavailable()));
          res.on('end', () => {
            const answer = parseJson(Buffer.concat(parts).toString('utf8'));
            if (res.statusCode !== 201) { reject(errorOf(res.statusCode ?? 500, answer)); return; }
            const file = fileRecordSchema.safeParse(answer);
            if (file.success) resolve(file.data);
            else reject(new AppError('INTERNAL', 'the data service answered an upload unexpectedly'));
          });
        });
      });
      body.pipe(req);
      return { done, abort: () => { body.unpipe(req); req.destroy(); } };
    },
  };
}

export type FileClient = ReturnType<typeof createFileClient>;
