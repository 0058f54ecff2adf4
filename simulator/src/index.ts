// The launch simulator: a demo launch (dimensions), the traffic it plays, and the runner that sends it.
export {
  demoLaunch,
  HEADLINE_CAMPAIGN_ID,
  LAUNCH_LEAD_MS,
  MANAGER_NAMES,
  MANAGERS,
  type DemoLaunchOptions,
  type LaunchFile,
} from './demoLaunch.js';
export {
  claimsOf,
  defaultStartAt,
  LINK_HIT_MODES,
  runSimulation,
  type LinkHitMode,
  type SimStats,
  type SimulationOptions,
  type TypeCounts,
} from './simulate.js';
export {
  crisisIntensity,
  generateMinute,
  planTraffic,
  type Action,
  type PlanOptions,
  type TrafficPlan,
} from './traffic.js';
export { Tallier, type TrafficTally } from './tally.js';
export type { SimClaims } from './claims.js';
