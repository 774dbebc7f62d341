/** /message routes: the seed's listing, one message, storing one or a batch. */
import { Router } from 'express';
import { z } from 'zod';
import { AppError, LIMITS, validate } from '@chat/shared';
import type { MessageService, NewMessage } from '../messages/message-service';
import {
  idParamsSchema, objectIdSchema, offsetQuerySchema, upSchema,
} from '../params';

const newMessageSchema = z.strictObject({
  group: objectIdSchema,
  from: upSchema,
  message: z.string().min(1).max(LIMITS.messageLength),
  clientId: z.string().min(1).max(LIMITS.clientId).optional(),
});

const batchBody = z.strictObject({ messages: z.array(z.unknown()).min(1).max(LIMITS.pageSize) });

/** A batch item that does not parse fails alone, as its own result. */
const parseItem = (item: unknown): NewMessage | AppError => {
  try {
    return validate(newMessageSchema, item);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
};

export function messageRoutes(messages: MessageService): Router {
  const router = Router();

  router.get('/message', async (req, res) => {
    res.json(await messages.list(validate(offsetQuerySchema, req.query)));
  });

  router.post('/message', async (req, res) => {
    const { message, created } = await messages.store(validate(newMessageSchema, req.body));
    res.status(created ? 201 : 200).json(message);
  });

  router.post('/message/batch', async (req, res) => {
    const { messages: items } = validate(batchBody, req.body);
    res.json({ results: await messages.storeMany(items.map(parseItem)) });
  });

  router.get('/message/:id', async (req, res) => {
    const { id } = validate(idParamsSchema, req.params);
    res.json(await messages.get(id));
  });

  return router;
}
