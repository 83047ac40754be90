import * as ort from "onnxruntime-node";
import { BUILTIN_MODELS } from "../../../gpu-runner/src/kernels/builtin-models";
import { CancelledError, type KernelContext } from "../../../gpu-runner/src/kernels/types";

/**
 * A KernelContext for kernel tests: onnxruntime CPU sessions created straight from BUILTIN_MODELS (shared by all
 * tests of a file), without the runner's worker pool or session cache.
 */
const sessions = new Map<string, Promise<ort.InferenceSession>>();

function session(builtinId: string): Promise<ort.InferenceSession> {
  const model = BUILTIN_MODELS[builtinId];
  if (!model) return Promise.reject(new Error(`unknown builtin model ${builtinId}`));
  let created = sessions.get(builtinId);
  if (!created) {
    created = ort.InferenceSession.create(model.path, { executionProviders: ["cpu"] });
    sessions.set(builtinId, created);
  }
  return created;
}

export interface TestContext extends KernelContext {
  /** Every progress report, in order. */
  readonly progressReports: Array<[progress: number, total: number]>;
  /** How many times the kernel called checkCancelled. */
  readonly cancellationChecks: number;
  /** Builtin ids the kernel asked a session for. */
  readonly sessionsRequested: string[];
}

/** `cancelAfterChecks`: checkCancelled passes that many times, then throws CancelledError. */
export function testContext(options: { cancelAfterChecks?: number } = {}): TestContext {
  const progressReports: Array<[number, number]> = [];
  const sessionsRequested: string[] = [];
  let checks = 0;
  return {
    progressReports,
    sessionsRequested,
    get cancellationChecks() {
      return checks;
    },
    session(builtinId) {
      sessionsRequested.push(builtinId);
      return session(builtinId);
    },
    progress(progress, total) {
      progressReports.push([progress, total]);
    },
    checkCancelled() {
      checks++;
      if (options.cancelAfterChecks !== undefined && checks > options.cancelAfterChecks) throw new CancelledError();
    },
  };
}
