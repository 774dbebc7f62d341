/**
 * Security headers (helmet) on every service's HTTP answers. The policy is
 * helmet's strict default, loosened only where a page the services serve needs
 * it: swagger-ui at /docs loads its own scripts and styles (same origin, inline
 * styles) and its "try it out" calls the servers its document lists, which may
 * be other origins. The services speak plain HTTP behind a proxy or on
 * localhost, so requests are not upgraded to HTTPS. API answers are read
 * cross-origin by the test client page (a CORS read, governed by the origin
 * allow-list), so the resource policy does not restrict them further.
 */
import helmet from 'helmet';
import type { RequestHandler } from 'express';

export const CONTENT_SECURITY_POLICY = {
  useDefaults: true,
  directives: {
    'connect-src': ["'self'", 'http:', 'https:', 'ws:', 'wss:'],
    'upgrade-insecure-requests': null,
  },
};

export const securityHeaders = (): RequestHandler => helmet({
  contentSecurityPolicy: CONTENT_SECURITY_POLICY,
  crossOriginResourcePolicy: { policy: 'cross-origin' },
});
