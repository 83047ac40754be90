import { MODEL_NAME_MAX_BYTES } from "../../schema/models";
import { ApiError } from "../errors/api-error";
import { checkKey, decodePathOnce, keyFromPath, keyProblem, ownerSegment } from "../storage/keys";

/**
 * Where models live in the `STORAGE` bucket. A model is two objects, so that a file of any size can carry
 * its SHA-256 (only known once the last byte streamed past, while R2 fixes an object's metadata when its
 * upload starts) and so that a name switches to a new file in one atomic write:
 *
 *     models/<owner>/<name>               the manifest: a small JSON object whose customMetadata holds
 *                                         sha256, size, content_type and the file's key
 *     model-files/<owner>/<upload id>     the bytes, one object per upload, never overwritten
 *
 * Names may be nested (`team/v1/net.onnx`); they obey the storage key rules (edge/storage/keys.ts: no empty,
 * `.` or `..` segment, no leading `/`, backslash, NUL or control character, no percent-encoding left after
 * decoding once). Neither prefix is reachable through /storage or /admin/storage. The ModelRef key a runner
 * fetches (`GET /api/runner/models/{key}`) is `<owner>/<name>`: the manifest key without its prefix.
 */
export const MANIFEST_PREFIX = "models/";
export const FILE_PREFIX = "model-files/";

/** Why a model name is unusable, or null. */
export function modelNameProblem(name: string): string | null {
  const problem = keyProblem(name);
  if (problem) return problem.replace(/^the key/, "the name");
  if (new TextEncoder().encode(name).length > MODEL_NAME_MAX_BYTES) return `the name is longer than ${MODEL_NAME_MAX_BYTES} bytes`;
  return null;
}

/** Checks a model name (already decoded); a 400 naming the problem otherwise. */
export function checkModelName(name: string): string {
  const problem = modelNameProblem(name);
  if (problem) throw new ApiError("invalid_request", `Invalid model name: ${problem}`);
  return name;
}

/** A model name taken from a URL path: percent-decoded exactly once, then checked. */
export function modelNameFromPath(raw: string): string {
  return checkModelName(decodePathOnce(raw, "model name"));
}

/** `<owner>/<name>`: the key a ModelRef carries and the runner route takes. */
export function runnerKey(userId: string, name: string): string {
  return checkKey(`${ownerSegment(userId)}/${checkModelName(name)}`);
}

/** The manifest of the user's model `name`. */
export function manifestKey(userId: string, name: string): string {
  return `${MANIFEST_PREFIX}${runnerKey(userId, name)}`;
}

/** Where a user's models are listed from. */
export function manifestPrefix(userId: string): string {
  return `${MANIFEST_PREFIX}${ownerSegment(userId)}/`;
}

/** A fresh key for the bytes of one upload. */
export function newFileKey(userId: string): string {
  return `${FILE_PREFIX}${checkKey(`${ownerSegment(userId)}/${crypto.randomUUID().replace(/-/g, "")}`)}`;
}

/**
 * The manifest key of a runner route key (`<owner>/<name>`, still percent-encoded as it came): decoded once
 * and checked like every key; it must have an owner segment and a name.
 */
export function manifestKeyFromRunnerPath(raw: string): string {
  const key = keyFromPath(raw);
  const slash = key.indexOf("/");
  if (slash <= 0) throw new ApiError("invalid_request", "Invalid model key: expected <owner>/<model name>");
  checkModelName(key.slice(slash + 1));
  return `${MANIFEST_PREFIX}${key}`;
}
