/**
 * Attachments over REST (docs/attachments.md): the chat server's public upload
 * and download routes (members of the group only), and the data service's
 * internal routes that store the bytes (GridFS by default) and serve them back.
 */
import { z } from 'zod';
import { EXACT } from '../records';
import { ATTACHMENT_LIMITS, fileIdField, fileRecordSchema } from '../attachments';
import {
  groupIdField, objectIdField, upField, wholeNumberQuery,
} from '../fields';
import { textField } from '../text';
import { defineRoute } from './route';

const binary = z.string().meta({ type: 'string', format: 'binary' });
const fileParams = z.strictObject({ group: groupIdField, id: fileIdField });
const idParams = z.strictObject({ id: fileIdField });
const MAX_BYTES = Number.MAX_SAFE_INTEGER;

export const fileNameField = textField(1, ATTACHMENT_LIMITS.fileName)
  .meta({ description: 'The file name as the uploader gave it, cleaned.' });

const DOWNLOAD_HEADERS = 'Answers with the type sniffed from the bytes at upload (never the uploader\'s claim; '
  + '`application/octet-stream` when unknown), `X-Content-Type-Options: nosniff`, `Content-Disposition` (`inline` only '
  + 'for PNG, JPEG, GIF and WebP images, `attachment` for everything else) and `Accept-Ranges: bytes`. '
  + 'A `Range: bytes=a-b` header gets 206 with `Content-Range`; a range past the end gets 416.';

const binaryAnswer = (description: string) => ({ description, schema: binary, contentType: 'application/octet-stream' });

export const chatFileRoutes = {
  uploadFile: defineRoute({
    method: 'post',
    path: '/chat/{group}/files',
    summary: 'Upload a file to a group (members only); send the returned id in `chat message` `attachments`',
    description: 'A `multipart/form-data` body with one part named `file` (its filename is kept, cleaned). '
      + 'The bytes stream through to storage, never held whole in memory. A file larger than ATTACHMENT_MAX_BYTES, '
      + 'or one that would take the uploader past ATTACHMENT_DAILY_BYTES in this UTC day, is refused with 413 and '
      + 'nothing is stored. The type is sniffed from the bytes; images get their dimensions and a thumbnail. '
      + 'An upload cut off midway leaves nothing visible.',
    auth: 'bearer',
    params: z.strictObject({ group: groupIdField }),
    body: z.object({ file: binary.meta({ description: 'The file.' }) }),
    bodyContentType: 'multipart/form-data',
    responses: { 201: { description: 'The stored file.', schema: fileRecordSchema } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'],
  }),
  downloadFile: defineRoute({
    method: 'get',
    path: '/chat/{group}/files/{id}',
    summary: "Download a group's file (members only)",
    description: DOWNLOAD_HEADERS,
    auth: 'bearer',
    params: fileParams,
    responses: {
      200: binaryAnswer('The whole file.'),
      206: binaryAnswer('The requested range.'),
      416: { description: 'The range lies past the end of the file (`Content-Range: bytes */size`).' },
    },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'UNAVAILABLE'],
  }),
  downloadThumbnail: defineRoute({
    method: 'get',
    path: '/chat/{group}/files/{id}/thumbnail',
    summary: "An image's thumbnail (members only)",
    description: `A WebP image at most ${ATTACHMENT_LIMITS.thumbnailSide} pixels on its longer side, served inline with `
      + '`nosniff`. 404 for a file without one (`hasThumbnail: false`).',
    auth: 'bearer',
    params: fileParams,
    responses: { 200: binaryAnswer('The thumbnail (image/webp).') },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'UNAVAILABLE'],
  }),
} as const;

export const dataFileRoutes = {
  storeFile: defineRoute({
    method: 'post',
    path: '/file',
    summary: 'Store an uploaded file, streamed as the raw request body',
    description: 'The file is pending while its bytes arrive and becomes visible (readable, attachable) only once they '
      + 'are all stored; a body cut off midway is removed at once, and a pending file left by a stopped process is '
      + 'removed by the sweeper. Over `maxBytes`, or past `dailyBytes` for the uploader in this UTC day: 413 and '
      + 'nothing is kept. The type is sniffed from the first bytes; images get dimensions and a thumbnail.',
    auth: 'internal',
    query: z.strictObject({
      group: objectIdField,
      uploader: upField,
      name: fileNameField,
      maxBytes: wholeNumberQuery(1, MAX_BYTES),
      dailyBytes: wholeNumberQuery(1, MAX_BYTES),
    }),
    body: binary,
    bodyContentType: 'application/octet-stream',
    responses: { 201: { description: 'The stored file.', schema: fileRecordSchema } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'],
  }),
  getFile: defineRoute({
    method: 'get',
    path: '/file/{id}',
    summary: "A file's record (complete files only)",
    auth: 'internal',
    params: idParams,
    responses: { 200: { description: 'The file.', schema: fileRecordSchema } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'NOT_FOUND', 'UNAVAILABLE'],
  }),
  fileContent: defineRoute({
    method: 'get',
    path: '/file/{id}/content',
    summary: "A file's bytes, whole or from `start` to `end` (inclusive)",
    auth: 'internal',
    params: idParams,
    query: z.strictObject({
      start: wholeNumberQuery(0, MAX_BYTES).optional(),
      end: wholeNumberQuery(0, MAX_BYTES).optional(),
    }),
    responses: { 200: binaryAnswer('The bytes asked for.') },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'NOT_FOUND', 'UNAVAILABLE'],
  }),
  fileThumbnail: defineRoute({
    method: 'get',
    path: '/file/{id}/thumbnail',
    summary: "An image file's thumbnail (image/webp)",
    auth: 'internal',
    params: idParams,
    responses: { 200: binaryAnswer('The thumbnail.') },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'NOT_FOUND', 'UNAVAILABLE'],
  }),
  deleteFilesOfMessages: defineRoute({
    method: 'post',
    path: '/file/delete-of-messages',
    summary: 'Delete every file attached to these messages (a message delete calls this)',
    auth: 'internal',
    body: z.strictObject({ messages: z.array(objectIdField).min(1).max(500) }),
    responses: {
      200: {
        description: 'How many files were deleted.',
        schema: z.object({ deleted: z.number().int().min(0) }).meta(EXACT),
      },
    },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'],
  }),
} as const;
