/**
 * Python's `uuid.UUID(string)` reading and its derived fields. Python accepts the 32 hex digits with or without
 * hyphens, in braces, or after "urn:uuid:"; so does this.
 */

export class UuidError extends Error {}

export interface PyUuid {
  /** 32 lower-case hex digits. */
  hex: string;
}

export function parsePyUuid(value: string): PyUuid {
  let hex = value.replace(/^urn:/, "").replace(/^uuid:/, "");
  hex = hex.replace(/^\{+/, "").replace(/\}+$/, "").replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new UuidError("badly formed hexadecimal UUID string");
  return { hex: hex.toLowerCase() };
}

export const standard = (u: PyUuid) => `${u.hex.slice(0, 8)}-${u.hex.slice(8, 12)}-${u.hex.slice(12, 16)}-${u.hex.slice(16, 20)}-${u.hex.slice(20)}`;

/** The UUID as one integer, in decimal (beyond 2^53, so as a string). */
export const integer = (u: PyUuid) => BigInt(`0x${u.hex}`).toString();

/** Python's `UUID.variant` strings. */
export function variant(u: PyUuid): string {
  const byte = parseInt(u.hex.slice(16, 18), 16);
  if ((byte & 0x80) === 0) return "reserved for NCS compatibility";
  if ((byte & 0xc0) === 0x80) return "specified in RFC 4122";
  if ((byte & 0xe0) === 0xc0) return "reserved for Microsoft compatibility";
  return "reserved for future definition";
}

/** Python's `UUID.version`: only RFC 4122 UUIDs have one. */
export function version(u: PyUuid): number | null {
  return variant(u) === "specified in RFC 4122" ? parseInt(u.hex[12], 16) : null;
}
