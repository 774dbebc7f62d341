/** POST /message/search: the data service's side of search (docs/search.md). */
import { Router } from 'express';
import { restContract, route } from '@chat/shared';
import type { SearchService } from './search-service';

export function searchRoutes(search: SearchService): Router {
  const router = Router();
  route(router, restContract.dataService.searchMessages)(async ({ body }) => (
    { status: 200, body: await search.search(body) }));
  return router;
}
