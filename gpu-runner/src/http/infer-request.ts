import { Decoder } from "@msgpack/msgpack";
import { InferWireRequestSchema, type InferWireRequest } from "../../../schema/runner";
import { RunnerFailure } from "../errors";

const decoder = new Decoder();

/** A POST /v1/infer body as an InferRequest (media maybe by reference); 400 when it is not msgpack or not an InferRequest. */
export function parseInferRequest(body: Uint8Array): InferWireRequest {
  let decoded: unknown;
  try {
    decoded = decoder.decode(body);
  } catch (err) {
    throw RunnerFailure.invalidRequest(`body is not valid MessagePack: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = InferWireRequestSchema.safeParse(decoded);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`);
    throw RunnerFailure.invalidRequest(`body is not an InferRequest: ${issues.join("; ")}`);
  }
  return parsed.data;
}

/** The fields an infer log line names the request by. */
export const describeInfer = (r: InferWireRequest) => (r.kernel === "tensor" ? { kernel: r.kernel, model: r.model.name, job_id: r.job_id } : { kernel: r.kernel, job_id: r.job_id });
