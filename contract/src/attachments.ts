/**
 * Attachments (docs/attachments.md): the file record the data service keeps
 * for each uploaded file, the reference a message carries to it (never the
 * bytes), and the limits of both.
 */
import { z } from 'zod';
import { OBJECT_ID_PATTERN, objectIdField } from './fields';

export const ATTACHMENT_LIMITS = {
  /** Attachments on one message. */
  perMessage: 10,
  /** A file name, in code points, after cleaning (control characters and path separators replaced). */
  fileName: 200,
  /** The longest side of a thumbnail, in pixels. */
  thumbnailSide: 320,
} as const;

/** Image types that are shown inline (`Content-Disposition: inline`); every other type is a download. */
export const INLINE_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export const isInlineImageType = (type: string): boolean => (INLINE_IMAGE_TYPES as readonly string[]).includes(type);

/** What a message carries for each of its files: enough to show it without fetching it. */
export const attachmentRefSchema = z.object({
  id: z.string().regex(OBJECT_ID_PATTERN),
  name: z.string(),
  /** Bytes. */
  size: z.number().int().min(0),
  /** The type sniffed from the bytes (`application/octet-stream` when unknown), never the uploader's claim. */
  type: z.string(),
  /** Pixels, for images; null otherwise. */
  width: z.number().int().min(1).nullable(),
  height: z.number().int().min(1).nullable(),
  /** `GET /chat/{group}/files/{id}/thumbnail` answers (images only). */
  hasThumbnail: z.boolean(),
}).meta({ id: 'AttachmentRef', additionalProperties: false });
export type AttachmentRef = z.infer<typeof attachmentRefSchema>;

/** An uploaded file as the data service keeps it: visible only once its bytes are all stored. */
export const fileRecordSchema = attachmentRefSchema.extend({
  group: z.string(),
  /** The uploader's user number. */
  uploader: z.string(),
  /** ISO time the upload completed. */
  createdAt: z.string(),
}).meta({ id: 'FileRecord', additionalProperties: false });
export type FileRecord = z.infer<typeof fileRecordSchema>;

export const fileIdField = objectIdField.meta({ description: 'A file id (24 hex characters), from the upload.' });

/** What a send may name: files uploaded by the sender to the same group, each on one message only. */
export const attachmentIdsField = z.array(fileIdField).max(ATTACHMENT_LIMITS.perMessage).meta({
  description: `Up to ${ATTACHMENT_LIMITS.perMessage} file ids from \`POST /chat/{group}/files\`: each uploaded by the `
    + 'sender to this group and not attached to another message; the message carries a reference to each.',
});

export const toAttachmentRef = (file: AttachmentRef): AttachmentRef => ({
  id: file.id,
  name: file.name,
  size: file.size,
  type: file.type,
  width: file.width,
  height: file.height,
  hasThumbnail: file.hasThumbnail,
});
