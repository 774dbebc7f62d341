/**
 * The public attachment routes (docs/attachments.md): a member uploads a file
 * to a group as multipart, streamed through to the data service (busboy; the
 * file is never held whole), and members download it with a strict type,
 * `nosniff`, a Content-Disposition and byte ranges.
 */
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { create as contentDisposition } from 'content-disposition';
import { Router } from 'express';
import type { Request, Response } from 'express';
import {
  ATTACHMENT_LIMITS, AppError, isInlineImageType, restContract,
} from '@chat/contract';
import type { FileRecord } from '@chat/contract';
import { expressPath, validate } from '@chat/shared';
import { currentUser, requireUser } from '../auth/require-user';
import type { ChatContext } from '../context';
import { createFileClient } from './data-files';
import type { FileClient } from './data-files';
import { parseRange } from './range';

const routes = restContract.chatServer;
/** What a multipart body may carry besides the file itself (boundaries, part headers). */
const MULTIPART_OVERHEAD = 64 * 1024;
/** A refused upload's remaining bytes are read and dropped up to this, so the client reads the answer; then cut. */
const DRAIN_LIMIT = 64 * 1024 * 1024;
// eslint-disable-next-line no-control-regex
const UNSAFE_NAME = /[\u0000-\u001f\u007f/\\]/gu;

/** The name as shown and sent back: no path, no control characters, at most the contract's length. */
export function cleanFileName(raw: string | undefined): string {
  const cleaned = [...(raw ?? '').replace(UNSAFE_NAME, '_').trim()].slice(0, ATTACHMENT_LIMITS.fileName).join('');
  return cleaned.length > 0 ? cleaned : 'file';
}

/** Only a type sniffed as a raster image or a non-text type is served as itself; nothing can become a page. */
export function servedType(type: string): string {
  return /^(text\/|application\/(xhtml|xml)|image\/svg)/i.test(type) || !/^[\w.+-]+\/[\w.+-]+$/.test(type)
    ? 'application/octet-stream' : type;
}

/** Reads and drops the rest of a refused request (bounded), so the answer is read instead of a reset. */
function drain(req: Request): void {
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DRAIN_LIMIT) req.destroy();
  });
  req.resume();
}

function receive(req: Request, files: FileClient, query: Omit<Parameters<FileClient['upload']>[1], 'name'>) {
  return new Promise<FileRecord>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        // One byte more than allowed reaches the data service, which refuses it too.
        limits: {
          files: 1, fields: 0, parts: 2, fileSize: query.maxBytes + 1,
        },
      });
    } catch {
      reject(new AppError('VALIDATION_FAILED', 'expected a multipart/form-data body')); return;
    }
    let upload: ReturnType<FileClient['upload']> | undefined;
    let failed = false;
    const fail = (err: AppError) => {
      if (failed) return;
      failed = true;
      upload?.abort();
      req.unpipe(parser);
      drain(req);
      reject(err);
    };
    parser.on('file', (field: string, stream: Readable, info: busboy.FileInfo) => {
      if (field !== 'file' || upload) {
        stream.resume();
        fail(new AppError('VALIDATION_FAILED', 'send the file in one part named "file"'));
        return;
      }
      // Past the limit busboy stops the file one byte over it: the data service refuses that (413) once it has
      // removed what it wrote, so the answer below comes when nothing is left.
      stream.on('limit', () => { drain(req); });
      upload = files.upload(stream, { ...query, name: cleanFileName(info.filename) });
      upload.done.then(resolve, (err: unknown) => fail(err instanceof AppError ? err : new AppError('UNAVAILABLE', 'upload failed')));
    });
    parser.on('fieldsLimit', () => fail(new AppError('VALIDATION_FAILED', 'send only the file, in a part named "file"')));
    parser.on('partsLimit', () => fail(new AppError('VALIDATION_FAILED', 'send one part, named "file"')));
    parser.on('filesLimit', () => fail(new AppError('VALIDATION_FAILED', 'send one file per upload')));
    parser.on('error', () => fail(new AppError('VALIDATION_FAILED', 'the multipart body is malformed or cut off')));
    parser.on('close', () => {
      if (!upload) fail(new AppError('VALIDATION_FAILED', 'the body has no part named "file"'));
    });
    // A client that goes away midway: the data service is cut off too and keeps nothing.
    req.on('close', () => {
      if (req.complete || failed) return;
      failed = true;
      upload?.abort();
      reject(new AppError('VALIDATION_FAILED', 'the upload was cut off'));
    });
    req.pipe(parser);
  });
}

function fileHeaders(res: Response, file: FileRecord): void {
  const type = servedType(file.type);
  res.set({
    'Content-Type': type,
    'X-Content-Type-Options': 'nosniff',
    'Content-Disposition': contentDisposition(file.name, { type: isInlineImageType(type) ? 'inline' : 'attachment' }),
    // Opened directly, a file can run nothing and load nothing.
    'Content-Security-Policy': "default-src 'none'; img-src 'self'; sandbox",
    'Cache-Control': 'private, max-age=300',
  });
}

async function pipeOut(res: Response, stream: Readable): Promise<void> {
  await new Promise<void>((resolve) => {
    stream.once('error', () => { res.destroy(); resolve(); });
    res.once('close', () => { stream.destroy(); resolve(); });
    stream.pipe(res);
  });
}

export function fileRoutes(ctx: ChatContext): Router {
  const files = createFileClient(ctx.config.dataServiceUrl, ctx.config.internalToken);
  const router = Router();
  router.use('/chat', requireUser(ctx));

  /** The file, if `up` is a member of `group` (403 otherwise) and the file is that group's (404 otherwise). */
  const fileOfGroup = async (req: Request, contract: typeof routes.downloadFile | typeof routes.downloadThumbnail) => {
    const { group, id } = validate(contract.params, { ...req.params });
    await ctx.membership.require(group, currentUser(req).up);
    const file = await files.get(id);
    if (file.group !== group) throw new AppError('NOT_FOUND', 'no such file');
    return file;
  };

  router.post(expressPath(routes.uploadFile.path), async (req, res) => {
    const { group } = validate(routes.uploadFile.params, { ...req.params });
    try {
      await ctx.membership.require(group, currentUser(req).up);
      if (!req.is('multipart/form-data')) throw new AppError('VALIDATION_FAILED', 'expected a multipart/form-data body');
      const declared = Number(req.get('content-length') ?? 0);
      if (declared > ctx.config.attachmentMaxBytes + MULTIPART_OVERHEAD) {
        throw new AppError('PAYLOAD_TOO_LARGE', `a file may be at most ${ctx.config.attachmentMaxBytes} bytes`);
      }
    } catch (err) {
      drain(req);
      throw err;
    }
    const file = await receive(req, files, {
      group,
      uploader: currentUser(req).up,
      maxBytes: ctx.config.attachmentMaxBytes,
      dailyBytes: ctx.config.attachmentDailyBytes,
    });
    res.status(201).json(file);
  });

  router.get(expressPath(routes.downloadFile.path), async (req, res) => {
    const file = await fileOfGroup(req, routes.downloadFile);
    const range = parseRange(req.get('range'), file.size);
    fileHeaders(res, file);
    res.set('Accept-Ranges', 'bytes');
    if (range === 'unsatisfiable') {
      res.status(416).set('Content-Range', `bytes */${file.size}`).end();
      return;
    }
    const stream = await files.content(file.id, range);
    if (range) {
      res.status(206).set({
        'Content-Range': `bytes ${range.start}-${range.end}/${file.size}`,
        'Content-Length': String(range.end - range.start + 1),
      });
    } else {
      res.status(200).set('Content-Length', String(file.size));
    }
    await pipeOut(res, stream);
  });

  router.get(expressPath(routes.downloadThumbnail.path), async (req, res) => {
    const file = await fileOfGroup(req, routes.downloadThumbnail);
    if (!file.hasThumbnail) throw new AppError('NOT_FOUND', 'this file has no thumbnail');
    const stream = await files.thumbnail(file.id);
    res.status(200).set({
      'Content-Type': 'image/webp',
      'X-Content-Type-Options': 'nosniff',
      'Content-Disposition': contentDisposition(`thumbnail-${file.id}.webp`, { type: 'inline' }),
      'Cache-Control': 'private, max-age=300',
    });
    await pipeOut(res, stream);
  });

  return router;
}
