/** `GET /chat/location`: which chat server the calling user connects to. */
import { Router } from 'express';
import {
  AppError, bearerToken, corsFor, createTokens, placeUser, restContract, route,
} from '@chat/shared';
import type { PlacementMap } from '@chat/shared';
import type { DispatcherConfig } from '../config';

export function locationRouter(config: DispatcherConfig, currentMap: () => PlacementMap): Router {
  const router = Router();
  const tokens = createTokens(config.jwtSecret);
  router.use('/chat/location', corsFor(config, { methods: ['GET'], allowedHeaders: ['Authorization'] }));
  route(router, restContract.dispatcher.location)((_input, req, res) => {
    const { up } = tokens.verify(bearerToken(req.get('authorization')));
    const map = currentMap();
    const placement = placeUser(map, up);
    if (!placement) throw new AppError('UNAVAILABLE', 'no chat server is available; retry shortly');
    res.set('Cache-Control', 'no-store');
    return { status: 200, body: { url: placement.url, serverId: placement.serverId, mapVersion: map.version } };
  });
  return router;
}
