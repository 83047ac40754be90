import { createHash, timingSafeEqual } from "node:crypto";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * A check of `Authorization: Bearer <token>` in constant time: both sides are hashed first, so neither the
 * comparison nor an early length mismatch tells an attacker how much of a guess was right. The token's own
 * digest is computed once.
 */
export function bearerChecker(token: string): (header: string | undefined) => boolean {
  const expected = digest(token);
  return (header) => {
    const match = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? "");
    return timingSafeEqual(digest(match?.[1].trim() ?? ""), expected);
  };
}
