import * as ort from "onnxruntime-node";
import type { ExecutionProvider } from "../config";
import { shortMessage } from "../errors";

/**
 * A 69-byte ONNX model, `y = Identity(x)` on float32[1] (opset 13), made once with onnx-proto. Creating a
 * session on it tells whether the requested providers load, before any real model is touched: asking for
 * ["cuda", "cpu"] on a host without CUDA throws at session creation.
 */
const PROBE_MODEL = Buffer.from("CAc6OwoQCgF4EgF5IghJZGVudGl0eRIFcHJvYmVaDwoBeBIKCggIARIECgIIAWIPCgF5EgoKCAgBEgQKAggBQgQKABAN", "base64");

export interface ProviderChoice {
  /** What sessions are created with from now on. */
  providers: ExecutionProvider[];
  /** Why the requested providers were given up for CPU; absent when they loaded. */
  fallbackReason?: string;
}

/** Tries the requested providers on the probe model; falls back to CPU alone when they cannot load. */
export async function chooseProviders(requested: ExecutionProvider[]): Promise<ProviderChoice> {
  if (requested.length === 1 && requested[0] === "cpu") return { providers: ["cpu"] };
  try {
    const session = await ort.InferenceSession.create(PROBE_MODEL, { executionProviders: requested });
    await session.release();
    return { providers: requested };
  } catch (err) {
    return { providers: ["cpu"], fallbackReason: shortMessage(err, 300) };
  }
}
