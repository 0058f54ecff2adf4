// Maps a location path to one of the app's screens; no framework router, just the URL.
export type Route =
  | { name: 'home' }
  | { name: 'campaign'; campaignId: string }
  | { name: 'partner'; partnerId: string }
  | { name: 'manager' }
  | { name: 'wall'; campaignId: string }
  | { name: 'setup' }
  | { name: 'notFound'; path: string };

export function parseRoute(pathname: string): Route {
  const parts = pathname
    .split('/')
    .filter(Boolean)
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  if (parts.length === 0) return { name: 'home' };
  if (parts[0] === 'campaigns' && parts.length === 2) return { name: 'campaign', campaignId: parts[1] };
  if (parts[0] === 'campaigns' && parts.length === 1) return { name: 'home' };
  if (parts[0] === 'partners' && parts.length === 2) return { name: 'partner', partnerId: parts[1] };
  if (parts[0] === 'me' && parts.length === 1) return { name: 'manager' };
  if (parts[0] === 'setup' && parts.length === 1) return { name: 'setup' };
  if (parts[0] === 'wall' && parts.length === 2) return { name: 'wall', campaignId: parts[1] };
  return { name: 'notFound', path: pathname };
}

export const paths = {
  campaign: (id: string, query = '') => `/campaigns/${encodeURIComponent(id)}${query}`,
  partner: (id: string, campaignId: string) =>
    `/partners/${encodeURIComponent(id)}?campaign=${encodeURIComponent(campaignId)}`,
  wall: (id: string) => `/wall/${encodeURIComponent(id)}`,
  manager: () => '/me',
  setup: () => '/setup',
};
