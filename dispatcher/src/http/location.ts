/** `GET /chat/location`: which chat server the calling user connects to. */
import { Router } from 'express';
import cors from 'cors';
import {
  AppError, bearerToken, createTokens, placeUser, restContract, route,
} from '@chat/shared';
import type { PlacementMap } from '@chat/shared';
import { originAllowed } from '../config';
import type { DispatcherConfig } from '../config';

export function locationRouter(config: DispatcherConfig, currentMap: () => PlacementMap): Router {
  const router = Router();
  const tokens = createTokens(config.jwtSecret);
  router.use('/chat/location', cors({
    origin: (origin, done) => done(null, originAllowed(config, origin)),
    methods: ['GET'],
    allowedHeaders: ['Authorization'],
    maxAge: 600,
  }));
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
