// Orders: what a shopper buys (items and amount) in the order's currency, from a small catalogue per campaign.
import type { Rng } from './random.js';

interface Product {
  name: string;
  /** Price by currency. */
  price: Record<string, number>;
  main: boolean;
}

const LAUNCH: Product[] = [
  { name: 'Halo Buds Pro', price: { EUR: 179, USD: 189, GBP: 159 }, main: true },
  { name: 'Halo Buds', price: { EUR: 129, USD: 139, GBP: 115 }, main: true },
  { name: 'Wireless charging case', price: { EUR: 49, USD: 49, GBP: 45 }, main: false },
  { name: 'Foam ear tips', price: { EUR: 19, USD: 19, GBP: 17 }, main: false },
];

const SHOP: Product[] = [
  { name: 'Arc Headphones', price: { EUR: 249, USD: 269, GBP: 229 }, main: true },
  { name: 'Halo Buds', price: { EUR: 129, USD: 139, GBP: 115 }, main: true },
  { name: 'Pulse Speaker', price: { EUR: 89, USD: 99, GBP: 79 }, main: true },
  { name: 'Travel case', price: { EUR: 29, USD: 29, GBP: 25 }, main: false },
];

const GIFTS: Product[] = [
  { name: 'Pulse Speaker gift box', price: { EUR: 99, USD: 109, GBP: 85 }, main: true },
  { name: 'Halo Buds gift set', price: { EUR: 139, USD: 149, GBP: 119 }, main: true },
  { name: 'Stocking filler cable kit', price: { EUR: 25, USD: 25, GBP: 19 }, main: false },
];

export function catalogueFor(campaignId: string, index: number): Product[] {
  if (index === 0) return LAUNCH;
  return campaignId.includes('gift') || campaignId.includes('holiday') ? GIFTS : SHOP;
}

export interface Basket {
  amount: number;
  items: number;
}

/** One order: a main product, sometimes a second one (a gift) and an accessory; a promo code takes its discount off. */
export function basket(rng: Rng, catalogue: Product[], currency: string, discountPercent: number): Basket {
  const mains = catalogue.filter((p) => p.main);
  const extras = catalogue.filter((p) => !p.main);
  const price = (p: Product) => p.price[currency] ?? p.price.USD;
  let total = price(rng.weighted(mains.map((p, i) => [p, i === 0 ? 0.55 : 0.45 / (mains.length - 1)] as const)));
  let items = 1;
  if (rng.chance(0.08)) {
    total += price(rng.pick(mains));
    items++;
  }
  if (extras.length && rng.chance(0.25)) {
    total += price(rng.pick(extras));
    items++;
  }
  const amount = Math.round(total * (1 - discountPercent / 100) * 100) / 100;
  return { amount, items };
}

/** The discount a promo code gives, read from its digits ("MIA15" → 15). */
export function promoDiscount(code: string | undefined): number {
  const m = code ? /(\d{1,2})$/.exec(code) : null;
  const d = m ? Number(m[1]) : 0;
  return d > 0 && d <= 30 ? d : 0;
}
