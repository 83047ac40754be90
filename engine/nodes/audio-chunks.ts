/**
 * nodetool.audio.ChunkToAudio: collects a stream of audio chunks (what TextToSpeech and realtime nodes stream
 * while they speak) into audio references, one per `batch_size` chunks and one for the rest when the stream
 * ends. Semantics are NodeTool's (nodetool-base src/nodetool/nodes/nodetool/audio.py): only chunks whose
 * content_type is "audio" and that carry content count; raw 16-bit PCM is described by content_metadata
 * (`format` or `encoding` "pcm16le", or `dtype` "int16" as TextToSpeech here sends it; `sample_rate` default
 * 44100, `channels` default 1); other content is an encoded file (WAV, MP3, ...).
 *
 * A batch of PCM chunks that agree on rate and channels only needs its bytes joined under a WAV header, which
 * happens here as TextToSpeech does it (no sample is touched). A batch with encoded files, or PCM of different
 * rates, is decoded and joined by the runner's audio kernel (ffmpeg), like nodetool.audio.ConcatList.
 */
import { type MediaInput, runAudioJob } from "../media/av-jobs";
import { concatBytes } from "../media/bytes";
import { base64ToBytes } from "../media/data-uri";
import { outputRef } from "../media/runner-media";
import { pcmToWav } from "../providers/media/wav";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeContext, NodeDecl } from "../registry/types";
import { isRecord } from "../values/coerce";

/** NodeTool's default batch; a batch is also bounded in bytes so a long stream cannot grow one without limit. */
const DEFAULT_BATCH = 50;
const MAX_BATCH = 10_000;
const MAX_BATCH_BYTES = 64 * 1024 * 1024;

interface PcmFormat {
  sampleRate: number;
  channels: number;
}

interface AudioPiece {
  bytes: Uint8Array;
  /** Raw 16-bit little-endian PCM in this format, or null for an encoded file. */
  pcm: PcmFormat | null;
}

function positiveInt(value: unknown, fallback: number, max: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= max ? n : fallback;
}

function pcmFormatOf(meta: Record<string, unknown>): PcmFormat | null {
  const raw = meta.format === "pcm16le" || meta.encoding === "pcm16le" || meta.dtype === "int16";
  if (!raw) return null;
  return { sampleRate: positiveInt(meta.sample_rate, 44100, 384_000), channels: positiveInt(meta.channels, 1, 32) };
}

/** The audio a chunk carries, or null for a chunk that does not count (not audio, or empty: a `done` marker). */
function audioPiece(chunk: unknown, what: string): AudioPiece | null {
  if (!isRecord(chunk) || chunk.content_type !== "audio") return null;
  const content = chunk.content;
  let bytes: Uint8Array;
  if (content instanceof Uint8Array) bytes = content;
  else if (typeof content === "string" && content !== "") {
    try {
      bytes = base64ToBytes(content);
    } catch {
      throw new Error(`${what}: an audio chunk's content is not base64`);
    }
  } else return null;
  if (bytes.length === 0) return null;
  return { bytes, pcm: pcmFormatOf(isRecord(chunk.content_metadata) ? chunk.content_metadata : {}) };
}

function wavOf(bytes: Uint8Array, format: PcmFormat): Uint8Array {
  const frame = 2 * format.channels;
  return pcmToWav(bytes.subarray(0, bytes.length - (bytes.length % frame)), format.sampleRate, format.channels);
}

async function batchToAudio(ctx: NodeContext, pieces: AudioPiece[]): Promise<unknown> {
  const first = pieces[0].pcm;
  const samePcm = first !== null && pieces.every((p) => p.pcm && p.pcm.sampleRate === first.sampleRate && p.pcm.channels === first.channels);
  if (samePcm) {
    const pcm = concatBytes(pieces.map((p) => p.bytes));
    const duration = Math.floor(pcm.length / (2 * first.channels)) / first.sampleRate;
    return outputRef(ctx, { content_type: "audio/wav", data: wavOf(pcm, first) }, "audio", { duration });
  }
  const inputs = pieces.map(
    (p, i): MediaInput => ({ value: { type: "audio", data: p.pcm ? wavOf(p.bytes, p.pcm) : p.bytes }, name: `chunk ${i}`, type: "audio" }),
  );
  return runAudioJob(ctx, inputs, [{ op: "concat" }]);
}

export const audioChunkNodes: NodeDecl[] = [
  defineNode({
    type: "nodetool.audio.ChunkToAudio",
    description: "Aggregates audio chunks from an input stream into AudioRef objects.\n    audio, stream, chunk, aggregate, collect, batch",
    properties: [
      prop(
        "chunk",
        "chunk",
        { type: "chunk", node_id: null, thread_id: null, workflow_id: null, content_type: "text", content: "", content_metadata: {}, done: false, thinking: false },
        { description: "Stream of audio chunks" },
      ),
      prop("batch_size", "int", DEFAULT_BATCH, { description: "Number of chunks to aggregate per output" }),
    ],
    outputs: [out("audio", "audio")],
    run: async (inputs, outputs, ctx) => {
      const batchSize = positiveInt(inputs.value("batch_size"), DEFAULT_BATCH, MAX_BATCH);
      const chunks: AsyncIterable<unknown> | unknown[] = inputs.connected("chunk") ? inputs.stream("chunk") : [inputs.value("chunk")];
      let batch: AudioPiece[] = [];
      let batchBytes = 0;
      let index = 0;
      for await (const chunk of chunks) {
        const piece = audioPiece(chunk, `${ctx.nodeName}: chunk ${index++}`);
        if (!piece) continue;
        batchBytes += piece.bytes.length;
        if (batchBytes > MAX_BATCH_BYTES) {
          throw new RangeError(`${ctx.nodeName}: a batch of audio chunks passed ${MAX_BATCH_BYTES / (1024 * 1024)} MiB; lower batch_size`);
        }
        batch.push(piece);
        if (batch.length >= batchSize) {
          outputs.emit("audio", await batchToAudio(ctx, batch));
          batch = [];
          batchBytes = 0;
        }
      }
      if (batch.length > 0) outputs.emit("audio", await batchToAudio(ctx, batch));
    },
  }),
];
