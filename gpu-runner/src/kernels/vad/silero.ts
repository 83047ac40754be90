import * as ort from "onnxruntime-node";

/** Silero VAD v5 at 16 kHz looks at 512 new samples per call (32 ms)... */
export const SILERO_SAMPLE_RATE = 16000;
export const SILERO_WINDOW = 512;
/** ...preceded by the last 64 samples of the previous window, which the model expects as context. */
export const SILERO_CONTEXT = 64;
const STATE_SIZE = 2 * 1 * 128;

/**
 * One audio stream through the Silero model. The recurrent state and the 64-sample context are carried from
 * window to window, so windows must be fed in order, each exactly once; a new stream starts from zeros.
 */
export class SileroStream {
  private state: Float32Array = new Float32Array(STATE_SIZE);
  private readonly input = new Float32Array(SILERO_CONTEXT + SILERO_WINDOW);
  private readonly sampleRate = new ort.Tensor("int64", BigInt64Array.of(BigInt(SILERO_SAMPLE_RATE)), []);

  constructor(private readonly session: ort.InferenceSession) {}

  /** Speech probability of the next window (shorter windows, i.e. the file's tail, are zero-padded). */
  async next(window: Float32Array): Promise<number> {
    if (window.length > SILERO_WINDOW) throw new RangeError(`window of ${window.length} samples; at most ${SILERO_WINDOW}`);
    // input = [context | window]; the previous call left its last 64 samples at the front.
    this.input.fill(0, SILERO_CONTEXT);
    this.input.set(window, SILERO_CONTEXT);
    const outputs = await this.session.run({
      input: new ort.Tensor("float32", this.input, [1, this.input.length]),
      state: new ort.Tensor("float32", this.state, [2, 1, 128]),
      sr: this.sampleRate,
    });
    // Copy rather than keep a view: the output buffers belong to onnxruntime.
    this.state = Float32Array.from(outputs.stateN.data as Float32Array);
    this.input.copyWithin(0, this.input.length - SILERO_CONTEXT);
    return (outputs.output.data as Float32Array)[0];
  }
}
