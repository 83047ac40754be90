import { createHash } from "node:crypto";
import type { ModelRef } from "../../../schema/runner";

// The models themselves are built in test/fixtures/onnx-models.ts (shared with the workerd and e2e tests).
export * from "../../fixtures/onnx-models";

export const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** The ModelRef the edge would send for these bytes. */
export function modelRef(bytes: Uint8Array, name: string, key = `user-1/${name}`): ModelRef {
  return { key, name, size: bytes.byteLength, sha256: sha256(bytes) };
}
