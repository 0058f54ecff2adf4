// What every screen gets from the app shell: the token, the API, who the token is, and navigation.
import type { Api } from './api';
import type { CampaignInfo, WhoAmI } from './contract';

export interface Session {
  token: string;
  api: Api;
  me: WhoAmI;
  campaigns: CampaignInfo[];
  navigate: (href: string, opts?: { replace?: boolean }) => void;
  theme: 'light' | 'dark';
  setTheme: (t: 'light' | 'dark') => void;
  signOut: () => void;
}

/**
 * Which screens a role may open. Campaign scope is the server's call (a campaign outside the scope is
 * answered "not found"); this only keeps wall links on the wall, the manager view for managers and setup for admins.
 */
export function canOpen(
  me: WhoAmI,
  screen: 'home' | 'campaign' | 'partner' | 'manager' | 'wall' | 'setup',
  campaignId?: string,
): boolean {
  if (screen === 'setup') return me.role === 'admin';
  if (me.role === 'wall')
    return screen === 'wall' && (!campaignId || me.campaign_ids.length === 0 || me.campaign_ids.includes(campaignId));
  if (screen === 'manager') return me.role === 'manager';
  return true;
}

/** Campaigns in the order people want them: running ones first (newest launch first), then upcoming, then ended. */
export function orderCampaigns<T extends { start: number; end: number }>(list: readonly T[], now: number): T[] {
  const rank = (c: T) => (c.start <= now && now < c.end ? 0 : c.start > now ? 1 : 2);
  return [...list].sort((a, b) => rank(a) - rank(b) || b.start - a.start);
}
