/** The data service's /file routes: store a streamed upload, serve a file's record, bytes and thumbnail, delete by message. */
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import { Router } from 'express';
import type { Request, Response } from 'express';
import {
  expressPath, restContract, route, validate,
} from '@chat/shared';
import type { FileService } from './file-service';

const routes = restContract.dataService;

/**
 * The request body as a stream that errors when the caller goes away midway
 * (a chat server killed during an upload), so the store removes what it wrote.
 */
function bodyOf(req: Request): Readable {
  const body = new PassThrough();
  // The store reads the error when it reads the body; before that (or after a refusal) nobody else needs it.
  body.on('error', () => undefined);
  req.pipe(body);
  req.on('close', () => {
    if (!req.complete) body.destroy(new Error('the upload was cut off'));
  });
  return body;
}

/** Sends a stored stream; a failure after the headers went out can only cut the answer short. */
function send(res: Response, stream: Readable, type: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    stream.once('error', (err) => {
      if (res.headersSent) { res.destroy(); resolve(); } else reject(err);
    });
    res.once('close', () => { stream.destroy(); resolve(); });
    res.status(200).type(type);
    stream.pipe(res);
  });
}

export function fileRoutes(files: FileService): Router {
  const router = Router();

  router.post(expressPath(routes.storeFile.path), async (req, res) => {
    const query = validate(routes.storeFile.query, { ...req.query });
    try {
      const file = await files.store(bodyOf(req), query);
      res.status(201).json(file);
    } catch (err) {
      // Answer now and let the rest of the body drain, so the caller reads the refusal.
      req.unpipe();
      req.resume();
      throw err;
    }
  });

  route(router, routes.getFile)(async ({ params }) => ({ status: 200, body: await files.get(params.id) }));

  router.get(expressPath(routes.fileContent.path), async (req, res) => {
    const { id } = validate(routes.fileContent.params, { ...req.params });
    const range = validate(routes.fileContent.query, { ...req.query });
    const { file, stream } = await files.content(id, range);
    await send(res, stream, file.type);
  });

  router.get(expressPath(routes.fileThumbnail.path), async (req, res) => {
    const { id } = validate(routes.fileThumbnail.params, { ...req.params });
    await send(res, await files.thumbnail(id), 'image/webp');
  });

  route(router, routes.deleteFilesOfMessages)(async ({ body }) => (
    { status: 200, body: { deleted: await files.deleteFilesOf(body.messages) } }));

  return router;
}
