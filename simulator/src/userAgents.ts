// Real-looking user agents: one per visitor (ingest hashes IP + UA, and all simulated traffic comes
// from one IP, so the UA is what tells visitors apart), plus the crawlers and scripts that hit links.
import type { Rng } from './random.js';

export type Device = 'mobile' | 'desktop' | 'tablet' | 'bot';

const IOS = ['17_6_1', '18_1', '18_1_1', '18_2', '18_3_2'];
const ANDROID_MODELS = ['SM-S921B', 'SM-A546B', 'Pixel 8', 'Pixel 9 Pro', '2312DRA50G', 'CPH2581', 'SM-G991B'];
const IN_APP = [
  'Instagram 356.0.0.41.91',
  'musical_ly_37.2.4 JsSdk/1.0 NetType/WIFI',
  'FBAN/FBIOS;FBAV/489.0.0.45.107',
  '',
];

/** The UA of one visitor: version numbers vary so different visitors rarely share one. */
export function visitorUserAgent(rng: Rng): { ua: string; device: Device } {
  const kind = rng.weighted([
    ['iphone', 0.38],
    ['android', 0.3],
    ['windows', 0.16],
    ['mac', 0.1],
    ['ipad', 0.06],
  ] as const);
  const chrome = `${rng.int(128, 131)}.0.${rng.int(6500, 6800)}.${rng.int(50, 210)}`;
  if (kind === 'iphone' || kind === 'ipad') {
    const os = rng.pick(IOS);
    const app = rng.pick(IN_APP);
    const device = kind === 'iphone' ? 'iPhone; CPU iPhone OS' : 'iPad; CPU OS';
    const build = `15E${rng.int(100, 999)}`;
    const tail = app
      ? ` Mobile/${build} ${app}`
      : ` Version/${os.split('_')[0]}.${os.split('_')[1] ?? '0'} Mobile/${build} Safari/604.1`;
    return {
      ua: `Mozilla/5.0 (${device} ${os} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)${tail}`,
      device: kind === 'iphone' ? 'mobile' : 'tablet',
    };
  }
  if (kind === 'android') {
    return {
      ua: `Mozilla/5.0 (Linux; Android ${rng.int(12, 15)}; ${rng.pick(ANDROID_MODELS)}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chrome} Mobile Safari/537.36`,
      device: 'mobile',
    };
  }
  if (kind === 'windows') {
    return rng.chance(0.3)
      ? {
          ua: `Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:${rng.int(128, 133)}.0) Gecko/20100101 Firefox/${rng.int(128, 133)}.0`,
          device: 'desktop',
        }
      : {
          ua: `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chrome} Safari/537.36 Edg/${chrome}`,
          device: 'desktop',
        };
  }
  return {
    ua: `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_${rng.int(5, 7)}) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${rng.int(17, 18)}.${rng.int(0, 4)} Safari/605.1.15`,
    device: 'desktop',
  };
}

export const BOT_USER_AGENTS = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
  'Twitterbot/1.0',
  'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)',
  'python-requests/2.32.3',
  'curl/8.7.1',
  'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
];

export function botUserAgent(rng: Rng): string {
  return rng.pick(BOT_USER_AGENTS);
}

/** Where a click comes from, by the platform the link was posted on. */
export function referrerFor(platform: string, rng: Rng): string | undefined {
  switch (platform) {
    case 'instagram':
      return 'https://l.instagram.com/';
    case 'tiktok':
      return rng.chance(0.5) ? 'https://www.tiktok.com/' : undefined;
    case 'youtube':
      return 'https://www.youtube.com/';
    case 'facebook':
      return 'https://l.facebook.com/';
    case 'x':
      return 'https://t.co/';
    case 'threads':
      return 'https://l.threads.net/';
    case 'pinterest':
      return 'https://www.pinterest.com/';
    case 'newsletter':
      return undefined; // mail clients send none
    default:
      return rng.chance(0.7) ? 'https://www.google.com/' : undefined;
  }
}
