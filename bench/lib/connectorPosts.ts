// The connector benchmark's 2,000 posts, made the same way in the fixture process and the connector process: which
// platform, which connector (creator) and which ids each has.
import type { ConnectorPlatform } from '@pulseroom/schema';

export interface BenchPost {
  platform: ConnectorPlatform;
  /** Index of its connector among the platform's connectors. */
  connector: number;
  id: string;
  shortcode?: string;
  url: string;
}

/** 800 YouTube videos (one API key), 800 TikTok videos (8 creators), 400 Instagram posts (8 creators). */
export const BENCH_MIX: { platform: ConnectorPlatform; posts: number; connectors: number }[] = [
  { platform: 'youtube', posts: 800, connectors: 1 },
  { platform: 'tiktok', posts: 800, connectors: 8 },
  { platform: 'instagram', posts: 400, connectors: 8 },
];

export const igAccount = (connector: number) => `1784140000000${String(1000 + connector)}`;
export const benchCredential = (platform: ConnectorPlatform, connector: number) =>
  platform === 'youtube' ? 'AIzaBenchKey000000001' : `${platform}-bench-token-${connector}`;

export function benchPosts(): BenchPost[] {
  const out: BenchPost[] = [];
  for (const m of BENCH_MIX)
    for (let i = 0; i < m.posts; i++) {
      const connector = i % m.connectors;
      if (m.platform === 'youtube') {
        const id = `bench${String(i).padStart(6, '0')}`;
        out.push({ platform: 'youtube', connector, id, url: `https://www.youtube.com/watch?v=${id}` });
      } else if (m.platform === 'tiktok') {
        const id = `7300000000000${String(100000 + i)}`;
        out.push({ platform: 'tiktok', connector, id, url: `https://www.tiktok.com/@creator${connector}/video/${id}` });
      } else {
        const id = `1790000000${String(1000000 + i)}`;
        const shortcode = `Bench${String(i).padStart(6, '0')}`;
        out.push({ platform: 'instagram', connector, id, shortcode, url: `https://www.instagram.com/p/${shortcode}/` });
      }
    }
  return out;
}
