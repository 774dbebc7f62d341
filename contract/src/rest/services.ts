/** Every REST route of the three services, grouped per service. */
import { chatServerRoutes } from './chat-server';
import { dataServiceRoutes } from './data-service';
import { dispatcherRoutes } from './dispatcher';
import type { ServiceRoutes } from './route';

export const restContract = {
  dataService: dataServiceRoutes,
  chatServer: chatServerRoutes,
  dispatcher: dispatcherRoutes,
} as const;

export type RestService = keyof typeof restContract;

export interface ServiceDescription {
  title: string;
  /** The tag its own routes carry in the documents. */
  tag: string;
  description: string;
  routes: ServiceRoutes;
}

export const REST_SERVICES: Record<RestService, ServiceDescription> = {
  dataService: {
    title: 'Data service (mongo-chat-server)',
    tag: 'data service',
    description: 'Internal only: loopback or the internal network; every route but the operations ones needs the `x-internal-token` header.',
    routes: dataServiceRoutes,
  },
  chatServer: {
    title: 'Chat server',
    tag: 'chat server',
    description: 'Public: accounts and tokens (`/auth`) and the chat API (`/chat`); every `/chat` route needs a user\'s bearer token. Socket.IO is served on the same URL.',
    routes: chatServerRoutes,
  },
  dispatcher: {
    title: 'Dispatcher',
    tag: 'dispatcher',
    description: '`GET /chat/location` places a user on a chat server; the registry routes (internal token) are for chat servers and operators.',
    routes: dispatcherRoutes,
  },
};
