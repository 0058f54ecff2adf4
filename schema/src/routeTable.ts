// Routes registered through one table: a known path answers another method with 405 and `Allow`, and the table is
// the app's own list of routes (what the route contract test walks, so a route added later is covered).
import { methodNotAllowed } from './httpErrors.js';

export const ROUTE_METHODS = ['get', 'post', 'put', 'delete'] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];

export interface RouteEntry {
  method: Uppercase<RouteMethod>;
  /** The full path as the router matches it, with `:params` (e.g. `/api/campaigns/:id/summary`). */
  path: string;
  /** Who may call it: a dashboard token (and which role), a source key, or anyone. */
  auth: 'dashboard' | 'admin' | 'source' | 'public';
}

// Structural types of an Express router, so this module needs no Express of its own; callers name their handler type.
type Next = (err?: unknown) => void;
type AnyHandler = (...args: any[]) => unknown;
interface RouterLike {
  route(path: string): any;
}
interface ReqLike {
  method: string;
  originalUrl?: string;
  url?: string;
}
interface ResLike {
  setHeader(name: string, value: string): unknown;
  status(code: number): { end(): unknown };
}

export class RouteTable<H extends AnyHandler = AnyHandler> {
  readonly entries: RouteEntry[] = [];

  constructor(
    private readonly prefix: string,
    private readonly auth: RouteEntry['auth'],
  ) {}

  /** Registers `path` with a handler chain per method; any other method on it answers 405 (OPTIONS: 204) with Allow. */
  add(
    router: RouterLike,
    path: string,
    methods: Partial<Record<RouteMethod, H[]>>,
    auth: RouteEntry['auth'] = this.auth,
  ): void {
    const route = router.route(path) as Record<RouteMethod | 'all', (...h: AnyHandler[]) => unknown>;
    const allow: string[] = [];
    for (const m of ROUTE_METHODS) {
      const chain = methods[m];
      if (!chain) continue;
      route[m](...chain);
      allow.push(m.toUpperCase());
      if (m === 'get') allow.push('HEAD');
      this.entries.push({ method: m.toUpperCase() as RouteEntry['method'], path: this.prefix + path, auth });
    }
    allow.push('OPTIONS');
    const other = (req: ReqLike, res: ResLike, next: Next) => {
      if (req.method === 'OPTIONS') {
        res.setHeader('Allow', allow.join(', '));
        res.status(204).end();
        return;
      }
      next(methodNotAllowed(req.method, (req.originalUrl ?? req.url ?? '').split('?')[0], allow));
    };
    route.all(other);
  }
}
