import { RunnerFailure, shortMessage } from "../errors";

/**
 * One blob moved between the runner and the edge's `/api/runner/blobs/...` routes (schema/runner.ts
 * BlobInputSchema, OutputUploadSchema), with the runner token. Failures are 502s whose message carries the
 * edge's own (expired URL, wrong signature, missing object, too large), so the node that asked fails saying
 * why. `ConnectFailure` tells the caller the edge could not be reached at all.
 */
export class ConnectFailure extends RunnerFailure {
  constructor(message: string) {
    super("invalid_input", 502, message);
  }
}

const failure = (message: string) => new RunnerFailure("invalid_input", 502, message);

/** The `error.message` of the edge's JSON error body, else the status. */
async function edgeMessage(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: unknown } };
    if (typeof body.error?.message === "string") return `HTTP ${res.status}: ${body.error.message.slice(0, 500)}`;
  } catch {
    // not JSON: the status says enough
  }
  return `HTTP ${res.status}`;
}

async function call(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    if (init.signal?.aborted) throw RunnerFailure.cancelled();
    throw new ConnectFailure(`could not ${what}: ${shortMessage(err, 300)}`);
  }
}

/** Downloads a blob of `size` bytes into one buffer, refusing more or fewer bytes than promised. */
export async function downloadBlob(edgeUrl: string, token: string, blob: { url: string; size: number }, what: string, signal: AbortSignal): Promise<Uint8Array> {
  const res = await call(`${edgeUrl}${blob.url}`, { headers: { Authorization: `Bearer ${token}` }, signal }, `fetch ${what} from the edge`);
  if (!res.ok || !res.body) throw failure(`the edge refused ${what}: ${await edgeMessage(res)}`);
  const bytes = new Uint8Array(blob.size);
  let received = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (received + chunk.byteLength > blob.size) throw failure(`${what} is larger than the ${blob.size} bytes the request declared`);
      bytes.set(chunk, received);
      received += chunk.byteLength;
    }
  } catch (err) {
    if (err instanceof RunnerFailure) throw err;
    if (signal.aborted) throw RunnerFailure.cancelled();
    throw failure(`${what} broke off while downloading: ${shortMessage(err, 300)}`);
  }
  if (received !== blob.size) throw failure(`${what} has ${received} bytes, the request declared ${blob.size}`);
  return bytes;
}

/** Uploads one output to `url`; resolves with the key and size the edge stored. */
export async function uploadBlob(edgeUrl: string, token: string, url: string, bytes: Uint8Array, what: string, signal: AbortSignal): Promise<{ key: string; size: number }> {
  const res = await call(
    `${edgeUrl}${url}`,
    { method: "PUT", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/octet-stream", "Content-Length": String(bytes.byteLength) }, body: bytes, signal },
    `store ${what} on the edge`,
  );
  if (!res.ok) throw failure(`the edge refused ${what}: ${await edgeMessage(res)}`);
  const body = (await res.json().catch(() => null)) as { key?: unknown; size?: unknown } | null;
  if (typeof body?.key !== "string" || body.size !== bytes.byteLength) throw failure(`the edge stored ${what} but answered something unexpected`);
  return { key: body.key, size: bytes.byteLength };
}
