/**
 * One REST route as the contract declares it: method, path (OpenAPI style,
 * `/group/{id}`), what it reads (params, query, body) and every answer it gives
 * (its own responses by status, and the errors it may answer in the shared shape).
 * The services register handlers from these, and the documents are generated from them.
 */
import type { z } from 'zod';
import type { ErrorCode } from '../errors';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call: anyone, a chat server or other service (`x-internal-token`), or a signed-in user. */
export type RouteAuth = 'none' | 'internal' | 'bearer';

export interface ResponseContract {
  description: string;
  /** The JSON body; none for an empty answer (204). */
  schema?: z.ZodType;
  /** Only for answers that are not JSON (the metrics text, a file's bytes). */
  contentType?: string;
}

export interface RouteContract {
  method: HttpMethod;
  path: string;
  summary: string;
  description?: string;
  auth: RouteAuth;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The body's media type when it is not JSON (a multipart upload, a raw byte stream). */
  bodyContentType?: string;
  responses: Record<number, ResponseContract>;
  /** The errors this route may answer, each with its status, in the shared error shape. */
  errors: readonly ErrorCode[];
}

/** Keeps the literal types of a declaration (statuses, schemas) for the typed registration. */
export const defineRoute = <const R extends RouteContract>(route: R): R => route;

/** A service's routes, by name. */
export type ServiceRoutes = Record<string, RouteContract>;

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler receives: params, query and body, parsed by the route's schemas. */
export interface RouteInput<R extends RouteContract> {
  params: Parsed<R['params']>;
  query: Parsed<R['query']>;
  body: Parsed<R['body']>;
}

/** What a handler must answer: one of the route's declared responses, status and body together. */
export type RouteReply<R extends RouteContract> = {
  [S in keyof R['responses'] & number]: R['responses'][S] extends { schema: infer B extends z.ZodType }
    ? { status: S; body: z.input<B> }
    : { status: S; body?: undefined };
}[keyof R['responses'] & number];
