// The dashboard token: taken once from ?token=, kept in this browser's storage, and removed from the visible URL.
export const TOKEN_KEY = 'pulseroom.token';

export interface TokenStore {
  getItem(k: string): string | null;
  setItem(k: string, v: string): void;
  removeItem(k: string): void;
}

/**
 * Returns the token to use and the URL to show instead (null when unchanged). A token in the URL wins
 * over a stored one, so opening a new link switches tokens.
 */
export function takeToken(href: string, store: TokenStore | null): { token: string | null; cleanUrl: string | null } {
  const url = new URL(href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      store?.setItem(TOKEN_KEY, fromUrl);
    } catch {
      /* storage may be disabled: the token still works for this page */
    }
    url.searchParams.delete('token');
    return { token: fromUrl, cleanUrl: url.pathname + url.search.replace(/%2C/gi, ',') + url.hash };
  }
  let stored: string | null = null;
  try {
    stored = store?.getItem(TOKEN_KEY) ?? null;
  } catch {
    stored = null;
  }
  return { token: stored, cleanUrl: null };
}

export function forgetToken(store: TokenStore | null): void {
  try {
    store?.removeItem(TOKEN_KEY);
  } catch {
    /* ignore */
  }
}
