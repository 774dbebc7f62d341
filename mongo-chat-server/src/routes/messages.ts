/** /message routes: the seed's listing, one message, storing one or a batch. */
import { Router } from 'express';
import {
  AppError, newMessageSchema, restContract, route, validate,
} from '@chat/shared';
import type { NewMessage } from '@chat/shared';
import type { MessageService } from '../messages/message-service';

const routes = restContract.dataService;

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

  route(router, routes.listMessages)(async ({ query }) => ({ status: 200, body: await messages.list(query) }));

  route(router, routes.storeMessage)(async ({ body }) => {
    const { message, created } = await messages.store(body);
    return { status: created ? 201 : 200, body: message };
  });

  route(router, routes.storeMessages)(async ({ body }) => (
    { status: 200, body: { results: await messages.storeMany(body.messages.map(parseItem)) } }));

  route(router, routes.getMessage)(async ({ params }) => ({ status: 200, body: await messages.get(params.id) }));

  return router;
}
