import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Request, RequestHandler } from 'express';
import { context } from '@opentelemetry/api';
import multer from 'multer';
import { BadRequestError } from '@orderscope/platform';
import { MAX_MODEL_SIDE_MM } from '../catalog.js';
import { InvalidModelError, parseStl, type StlModel } from './stl.js';

export interface StoredModel extends StlModel {
  readonly bytes: number;
  readonly sha256: string;
  readonly path: string;
}

/** Multipart upload of one file in the field `model`, kept in memory up to `maxBytes` (413 beyond). */
export function modelUpload(maxBytes: number): RequestHandler {
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: maxBytes, files: 1, fields: 20 } }).single(
    'model',
  );
  // multer calls back from stream events, outside the request's context: bind it, or the trace
  // of the upload would be lost from there on. A body that is not multipart at all fails in its
  // parser (busboy) with a plain Error: the client's mistake, a 400 like multer's own refusals.
  return (req, res, next) =>
    upload(
      req,
      res,
      context.bind(context.active(), (err?: unknown) =>
        next(err instanceof Error && !(err instanceof multer.MulterError) ? new BadRequestError(`upload rejected: ${err.message}`) : err),
      ),
    );
}

/** Validates the model (400 when it is not one) and stores it as `<dir>/<orderId>.stl`. */
export async function storeModel(dir: string, orderId: string, content: Buffer | undefined): Promise<StoredModel> {
  if (!content || content.length === 0) throw new BadRequestError('a 3D model file is required in the field "model"');
  let model: StlModel;
  try {
    model = parseStl(content);
  } catch (err) {
    if (err instanceof InvalidModelError) throw new BadRequestError(err.message);
    throw err;
  }
  if (model.size.some((side) => side > MAX_MODEL_SIDE_MM)) {
    throw new BadRequestError(`the model measures ${model.size.map((s) => s.toPrecision(4)).join(' × ')} mm: at most ${MAX_MODEL_SIDE_MM} mm per side`);
  }
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${orderId}.stl`);
  await writeFile(path, content);
  return { ...model, bytes: content.length, sha256: createHash('sha256').update(content).digest('hex'), path };
}

/** The bytes of the file that `modelUpload` took, if any. */
export function uploadedModel(req: Request): Buffer | undefined {
  return req.file?.buffer;
}
