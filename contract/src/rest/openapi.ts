/**
 * The OpenAPI 3.1 document, generated from the route declarations: for one
 * service (what its `/docs` serves, with its own URL) or for all of them
 * (the repository's swagger.yaml).
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { ResponseConfig, RouteConfig } from '@asteasolutions/zod-to-openapi';
import { ERROR_STATUS, errorBodySchema } from '../errors';
import type { ErrorCode } from '../errors';
import { notificationDigestSchema } from './notifications';
import { operationRoutes } from './operations';
import type { RouteAuth, RouteContract } from './route';
import { REST_SERVICES } from './services';
import type { RestService } from './services';

export interface ServerEntry {
  url: string;
  description: string;
}

export interface OpenApiOptions {
  services: readonly RestService[];
  servers: readonly ServerEntry[];
}

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

const ERROR_DESCRIPTIONS: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'The request is malformed, has unknown fields, or a value is out of range.',
  UNAUTHORIZED: 'Missing or invalid credentials.',
  FORBIDDEN: 'Authenticated, but not allowed.',
  NOT_FOUND: 'No such resource.',
  CONFLICT: 'The resource already exists.',
  PAYLOAD_TOO_LARGE: 'The request body is larger than allowed.',
  WRONG_SERVER: 'This chat server does not serve that user.',
  RATE_LIMITED: 'Too many requests; slow down.',
  INTERNAL: 'An unexpected failure.',
  UNAVAILABLE: 'A dependency (database, data service, Redis, chat servers) is unreachable; retry later.',
};

const SECURITY: Record<RouteAuth, RouteConfig['security']> = {
  none: [],
  internal: [{ internalToken: [] }],
  bearer: [{ bearerAuth: [] }],
};

const OPERATION_PATHS = new Set(Object.values(operationRoutes).map((r) => `${r.method} ${r.path}`));

function responsesOf(route: RouteContract): Record<string, ResponseConfig> {
  const responses: Record<string, ResponseConfig> = {};
  Object.entries(route.responses).forEach(([status, response]) => {
    responses[status] = {
      description: response.description,
      ...(response.schema
        ? { content: { [response.contentType ?? 'application/json']: { schema: response.schema } } }
        : {}),
    };
  });
  route.errors.forEach((code) => {
    responses[String(ERROR_STATUS[code])] ??= {
      description: `\`${code}\`: ${ERROR_DESCRIPTIONS[code]}`,
      content: { 'application/json': { schema: errorBodySchema } },
    };
  });
  return responses;
}

function toRouteConfig(route: RouteContract, operationId: string, tags: string[]): RouteConfig {
  const request: NonNullable<RouteConfig['request']> = {};
  if (route.params) request.params = route.params as NonNullable<typeof request.params>;
  if (route.query) request.query = route.query as NonNullable<typeof request.query>;
  if (route.body) request.body = { required: true, content: { [route.bodyContentType ?? 'application/json']: { schema: route.body } } };
  return {
    method: route.method,
    path: route.path,
    operationId,
    tags,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    security: SECURITY[route.auth],
    request,
    responses: responsesOf(route),
  };
}

const describeServices = (services: readonly RestService[]): string => [
  services.length > 1 ? 'Every REST route of every service.' : `The REST routes of the ${REST_SERVICES[services[0] ?? 'chatServer'].title.toLowerCase()}.`,
  'Generated from the contract package (`contract/src/rest`); each service serves its own routes at `/docs`.',
  '',
  ...services.map((s) => `- **${REST_SERVICES[s].title}** (tag \`${REST_SERVICES[s].tag}\`): ${REST_SERVICES[s].description}`),
  '',
  'Every error, everywhere, has the shape `{"error": {"code", "message"}}` with a stable code. Request bodies refuse unknown fields. Text lengths count Unicode code points.',
  'A browser call (one with an `Origin` header) from a page whose origin is not in CORS_ORIGINS is refused with 403 `FORBIDDEN` before the route runs, on the chat server and on `GET /chat/location`; calls without an `Origin` (apps, servers, curl) are not affected.',
].join('\n');

/** What the data service POSTs to NOTIFY_URL (docs/notifications.md). */
const digestWebhook: RouteConfig = {
  method: 'post',
  path: 'notificationDigest',
  operationId: 'notificationDigest',
  tags: ['data service'],
  summary: 'A digest of notifications for one offline user, sent to the notifications component (NOTIFY_URL)',
  description: [
    'Sent by the data service, at most one new digest per user per NOTIFY_DIGEST_S, never during the user\'s quiet hours.',
    'Headers: `X-Chat-Signature: sha256=<hex HMAC-SHA256 of the raw body, key NOTIFY_SECRET>`, `X-Chat-Delivery: <digest id>` (equal to the body\'s `id`), `X-Chat-Timestamp: <unix seconds of this attempt>`.',
    'Any 2xx answer settles it; anything else (or no answer) is retried with exponential back-off and jitter, with the same id and the same body.',
    'Delivery is at least once with an idempotency key: a crash between the answer and the record of it resends the same digest, so the receiver de-duplicates by `X-Chat-Delivery`. No item is ever in two digests with different ids.',
  ].join(' '),
  request: { body: { required: true, content: { 'application/json': { schema: notificationDigestSchema } } } },
  responses: { 200: { description: 'Any 2xx: received; the digest is not sent again.' } },
};

/** The document for `services`, reached at `servers`. */
export function openApiDocument({ services, servers }: OpenApiOptions): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'internalToken', {
    type: 'apiKey',
    in: 'header',
    name: 'x-internal-token',
    description: 'Shared secret between the backend services (INTERNAL_TOKEN).',
  });
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'The token from `POST /auth/register` or `POST /auth/login`.',
  });

  // A route several services answer (health, `/chat/location`) is one operation, tagged with each.
  const operations = new Map<string, { route: RouteContract; name: string; tags: string[] }>();
  services.forEach((service) => {
    const { tag, routes } = REST_SERVICES[service];
    Object.entries(routes).forEach(([name, route]) => {
      const key = `${route.method} ${route.path}`;
      const routeTag = OPERATION_PATHS.has(key) ? 'operations' : tag;
      const known = operations.get(key);
      if (!known) operations.set(key, { route, name, tags: [routeTag] });
      else if (!known.tags.includes(routeTag)) known.tags.push(routeTag);
    });
  });
  operations.forEach(({ route, name, tags }) => registry.registerPath(toRouteConfig(route, name, tags)));
  if (services.includes('dataService')) registry.registerWebhook(digestWebhook);

  const generator = new OpenApiGeneratorV31(registry.definitions);
  return generator.generateDocument({
    openapi: '3.1.0',
    info: {
      title: services.length > 1 ? 'Group chat backend' : `Group chat backend: ${REST_SERVICES[services[0] ?? 'chatServer'].title}`,
      version: '0.1.0',
      description: describeServices(services),
    },
    servers: servers.map(({ url, description }) => ({ url, description })),
    tags: [
      ...services.map((s) => ({ name: REST_SERVICES[s].tag, description: REST_SERVICES[s].title })),
      { name: 'operations', description: 'Health, readiness and metrics, on every service.' },
    ],
  });
}
