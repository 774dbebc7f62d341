/**
 * What a file is, from its bytes (file-type, an ES module loaded once), and
 * what an image measures, with its thumbnail (sharp). The uploader's claimed
 * type is never used.
 */
import sharp from 'sharp';
import type { fileTypeFromBuffer } from 'file-type';
import { ATTACHMENT_LIMITS, isInlineImageType } from '@chat/contract';

/** Bytes file-type needs to recognise every type it knows. */
export const SNIFF_BYTES = 4100;
export const UNKNOWN_TYPE = 'application/octet-stream';

interface FileTypeModule {
  fileTypeFromBuffer: typeof fileTypeFromBuffer;
}
let fileTypeModule: Promise<FileTypeModule> | undefined;

/** The MIME type the first bytes of a file show, or `application/octet-stream`. */
export async function sniffType(head: Buffer): Promise<string> {
  fileTypeModule ??= import('file-type');
  const found = await (await fileTypeModule).fileTypeFromBuffer(head);
  return found?.mime ?? UNKNOWN_TYPE;
}

export interface ImageFacts {
  width: number;
  height: number;
  /** A WebP image at most ATTACHMENT_LIMITS.thumbnailSide on its longer side. */
  thumbnail: Buffer;
}

/** Dimensions and a thumbnail of a raster image; undefined when the bytes do not decode. */
export async function imageFacts(type: string, bytes: Buffer): Promise<ImageFacts | undefined> {
  if (!isInlineImageType(type)) return undefined;
  try {
    const { width, height, orientation } = await sharp(bytes).metadata();
    if (!width || !height) return undefined;
    // EXIF orientations 5-8 turn the picture a quarter: its displayed sides swap.
    const turned = (orientation ?? 1) >= 5;
    const side = ATTACHMENT_LIMITS.thumbnailSide;
    const thumbnail = await sharp(bytes).rotate()
      .resize(side, side, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
    return { width: turned ? height : width, height: turned ? width : height, thumbnail };
  } catch {
    return undefined;
  }
}
