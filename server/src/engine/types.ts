// Re-exports of the shared schema the engine uses, and the slice of DimensionCache it reads (so views can be computed
// from any index of dimensions).
export * from '@pulseroom/schema';
import type { DimensionCache } from '@pulseroom/schema/server';
export type DimensionCacheLike = Pick<
  DimensionCache,
  'campaign' | 'partner' | 'dealFor' | 'dealsOf' | 'partnersOfManager' | 'allCampaigns' | 'allPartners'
>;
