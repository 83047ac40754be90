/** WebSocket close codes this protocol uses (RFC 6455 section 7.4.1). */
export const CLOSE_NORMAL = 1000;
/** The socket was refused: no or a wrong token. Browsers only see a close event, so the reason says why. */
export const CLOSE_POLICY_VIOLATION = 1008;
/** The server cannot serve the socket (e.g. authentication is not configured). */
export const CLOSE_INTERNAL_ERROR = 1011;

// A close frame's reason is at most 123 bytes of UTF-8; a longer one makes close() throw.
const MAX_REASON_BYTES = 123;

/** The reason cut to what fits in a close frame, on a character boundary. */
export function closeReason(text: string): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= MAX_REASON_BYTES) return text;
  let cut = "";
  for (const char of text) {
    if (encoder.encode(`${cut}${char}...`).length > MAX_REASON_BYTES) break;
    cut += char;
  }
  return `${cut}...`;
}

/**
 * Closes a socket without throwing. 1005 (no status), 1006 (abnormal) and 1015 (TLS) only describe a close
 * that was received; sending them throws, so a peer's such close is answered with 1000 (docs/architecture.md#11-toolchain-facts).
 */
export function closeSafely(ws: WebSocket, code: number, reason = ""): void {
  const sendable = code === 1005 || code === 1006 || code === 1015 || code < 1000 || code > 4999 ? CLOSE_NORMAL : code;
  try {
    ws.close(sendable, closeReason(reason));
  } catch {
    // Already closed: nothing left to say.
  }
}
