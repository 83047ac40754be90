const encoder = new TextEncoder();

/**
 * Compares two tokens in time independent of where they differ and of the expected token's length: a given
 * token of another length is not compared at all, `expected` is compared with itself instead, so the work is
 * the same. Synchronous and hash-free on purpose: it runs on every authenticated request, and hashing both
 * sides (crypto.subtle's promises, or node:crypto's Buffer layer) cost more than the rest of auth.
 */
export function tokensEqual(given: string, expected: string): boolean {
  const want = encoder.encode(expected);
  const got = encoder.encode(given);
  const sameLength = got.length === want.length;
  const equal = crypto.subtle.timingSafeEqual(sameLength ? got : want, want);
  return sameLength && equal;
}
