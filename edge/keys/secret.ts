/**
 * API key secrets: `ntk_` and 43 base64url characters (256 random bits). Only their SHA-256 is stored: with
 * that much entropy a fast hash is as safe as a slow one, and it keeps authentication to one D1 lookup.
 */
export const KEY_PREFIX = "ntk_";
/** How much of a secret is kept, and shown, to recognise the key by. */
const DISPLAY_CHARS = 12;

function base64url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export function newKeySecret(): string {
  return `${KEY_PREFIX}${randomToken()}`;
}

export function isKeySecret(token: string): boolean {
  return token.startsWith(KEY_PREFIX);
}

export function displayPrefix(secret: string): string {
  return secret.slice(0, DISPLAY_CHARS);
}

export async function hashSecret(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
