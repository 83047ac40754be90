import { ApiError } from "../errors/api-error";

/**
 * Keyset cursors over `(created_at, id)`, newest first: stable under inserts, unlike offsets. Encoded as
 * base64url JSON so clients treat them as opaque.
 */
export interface Cursor {
  created_at: string;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return btoa(JSON.stringify([c.created_at, c.id])).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor(raw: string): Cursor {
  try {
    const json = atob(raw.replace(/-/g, "+").replace(/_/g, "/"));
    const [created_at, id] = JSON.parse(json) as unknown[];
    if (typeof created_at === "string" && typeof id === "string") return { created_at, id };
  } catch {
    // fall through to the error below
  }
  throw new ApiError("invalid_request", "Invalid cursor: pass the `next` value of a previous page unchanged");
}
