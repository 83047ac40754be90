import { z } from "zod";

/**
 * The audio and video kernels' operations (schema/runner.ts, `kernel: "audio"` and `kernel: "video"`), shared by
 * the engine's nodetool.audio / nodetool.video nodes and the gpu-runner's kernels (gpu-runner/src/kernels/audio,
 * gpu-runner/src/kernels/video). Inputs travel as encoded bytes (any container ffmpeg reads); operations are
 * typed here and turned into ffmpeg argument arrays on the runner only, so no caller ever hands ffmpeg a
 * command line. Every size, count and duration a user controls is bounded here.
 */

/** Longest media a request may ask for or produce, in seconds (silence, repeats, frame assembly). */
export const MAX_MEDIA_SECONDS = 3 * 3600;
/** Most frames one ForEachFrame / FrameIterator request extracts, and one FrameToVideo assembles. */
export const MAX_FRAMES = 2000;
/** Most subtitle chunks AddSubtitles draws. */
export const MAX_SUBTITLE_CHUNKS = 2000;

const seconds = z.number().finite().min(-MAX_MEDIA_SECONDS).max(MAX_MEDIA_SECONDS);
const inputIndex = z.number().int().min(0).max(63);

export const AudioOpSchema = z.discriminatedUnion("op", [
  /** All inputs end to end (pydub `a + b`), synced to the largest rate and channel count. */
  z.object({ op: z.literal("concat") }),
  /** pydub `audio[start*1000 : end*1000]`: negative positions count from the end, both clipped to the length. */
  z.object({ op: z.literal("slice"), start: seconds, end: seconds }),
  z.object({ op: z.literal("fade_in"), duration: z.number().finite().min(0).max(MAX_MEDIA_SECONDS) }),
  z.object({ op: z.literal("fade_out"), duration: z.number().finite().min(0).max(MAX_MEDIA_SECONDS) }),
  /** Peak normalisation to full scale. */
  z.object({ op: z.literal("normalize") }),
  z.object({ op: z.literal("reverse") }),
  /** NodeTool's RemoveSilence (pydub detect_nonsilent, gaps shortened, pieces joined with a crossfade); ms and dBFS. */
  z.object({
    op: z.literal("remove_silence"),
    min_length: z.number().int().min(0).max(10_000),
    threshold: z.number().int().min(-60).max(0),
    reduction_factor: z.number().finite().min(0).max(1),
    crossfade: z.number().int().min(0).max(50),
    min_silence_between_parts: z.number().int().min(0).max(500),
  }),
  z.object({ op: z.literal("repeat"), loops: z.number().int().min(1).max(100) }),
  z.object({ op: z.literal("mono_to_stereo") }),
  z.object({ op: z.literal("stereo_to_mono"), method: z.enum(["average", "left", "right"]) }),
  /** pydub overlay: input `input` (after apply_gain(gain_db)) summed onto the current audio (saturating), which keeps its own length. */
  z.object({ op: z.literal("overlay"), input: inputIndex, gain_db: z.number().finite().min(-120).max(60).default(0) }),
  /** pydub apply_gain(db). */
  z.object({ op: z.literal("gain"), db: z.number().finite().min(-120).max(60) }),
  /** lib.pedalboard.Reverb: 32 kHz mono, Freeverb with JUCE's parameter mapping (gpu-runner kernels/audio/freeverb.ts). */
  z.object({ op: z.literal("reverb"), room_size: z.number().finite().min(0).max(1), damping: z.number().finite().min(0).max(1), wet_level: z.number().finite().min(0).max(1), dry_level: z.number().finite().min(0).max(1) }),
]);
export type AudioOp = z.infer<typeof AudioOpSchema>;

/** Where an audio pipeline starts: input 0 (decoded), or generated silence. */
export const AudioSourceSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("input") }),
  /** pydub AudioSegment.silent(duration_ms): 11025 Hz, mono, 16-bit. */
  z.object({ kind: z.literal("silence"), duration: z.number().finite().min(0).max(MAX_MEDIA_SECONDS) }),
]);

const HexColor = z.string().regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/, "expected a #rrggbb colour");

export const SubtitleChunkSchema = z.object({
  text: z.string().max(2000),
  start: z.number().finite(),
  end: z.number().finite(),
});

/**
 * NodeTool's one-filter video nodes (nodetool-base src/nodetool/nodes/nodetool/video.py): each runs one ffmpeg
 * filter on input 0's video (input 1 too for overlay) and keeps its audio, as NodeTool's filter graphs do.
 */
export const VIDEO_FILTER_OPS = [
  /** boxblur=luma_radius=strength (the chroma radius follows the luma one). */
  z.object({ op: z.literal("blur"), strength: z.number().finite().min(0).max(20) }),
  /** colorbalance rs/gs/bs = adjust - 1 (the shadows' red, green and blue). */
  z.object({ op: z.literal("color_balance"), red: z.number().finite().min(0).max(2), green: z.number().finite().min(0).max(2), blue: z.number().finite().min(0).max(2) }),
  /** nlmeans=s=strength (ffmpeg takes 1 to 30). */
  z.object({ op: z.literal("denoise"), strength: z.number().finite().min(1).max(20) }),
  /** rotate=radians(angle): clockwise, same frame size, corners filled black. */
  z.object({ op: z.literal("rotate"), angle: z.number().finite().min(-360).max(360) }),
  /** eq=saturation=saturation. */
  z.object({ op: z.literal("saturation"), saturation: z.number().finite().min(0).max(3) }),
  /** unsharp with 5x5 luma and chroma matrices. */
  z.object({ op: z.literal("sharpness"), luma: z.number().finite().min(0).max(3), chroma: z.number().finite().min(0).max(3) }),
  /** chromakey=color:similarity:blend, then H.264 (which has no alpha plane) without the audio, as NodeTool does. */
  z.object({ op: z.literal("chroma_key"), color: HexColor, similarity: z.number().finite().min(0.01).max(1), blend: z.number().finite().min(0).max(1) }),
  /** setpts=PTS/speed on the video, a chain of atempo (each 0.5..2) on the audio. */
  z.object({ op: z.literal("set_speed"), speed: z.number().finite().min(0.01).max(100) }),
  /**
   * Two-pass libvidstab (vidstabdetect, then vidstabtransform with `smoothing` frames); crop_black zooms in just
   * enough to hide the borders the motion leaves, else they stay black.
   */
  z.object({ op: z.literal("stabilize"), smoothing: z.number().int().min(1).max(100), crop_black: z.boolean() }),
  /** Input 1 scaled by `scale` and drawn over input 0 at (x, y); audio mixed with input 1's at `volume`. */
  z.object({
    op: z.literal("overlay"),
    x: z.number().int().min(-8192).max(8192),
    y: z.number().int().min(-8192).max(8192),
    scale: z.number().finite().min(0.01).max(10),
    volume: z.number().finite().min(0).max(1),
  }),
] as const;

export const VideoOpSchema = z.discriminatedUnion("op", [
  /** Decodes frames `start`..`end` (inclusive, -1: to the last) of input 0 as PNGs, plus the stream's fps. */
  z.object({ op: z.literal("frames"), start: z.number().int().min(0).max(10_000_000), end: z.number().int().min(-1).max(10_000_000) }),
  /** Encodes the inputs (images, in order) as H.264 yuv420p MP4 at `fps`. */
  z.object({ op: z.literal("from_frames"), fps: z.number().finite().min(0.01).max(1000) }),
  /** Input 1's audio put on input 0's video: replacing its audio, or mixed into it. */
  z.object({ op: z.literal("add_audio"), volume: z.number().finite().min(0).max(10), mix: z.boolean() }),
  /** Input 0's audio track as 16-bit PCM WAV. */
  z.object({ op: z.literal("extract_audio") }),
  /** Duration, size, fps, frame count, codec and audio presence of input 0. */
  z.object({ op: z.literal("info") }),
  /** The frame shown at `time` seconds, as PNG. */
  z.object({ op: z.literal("extract_frame"), time: z.number().finite().min(0).max(MAX_MEDIA_SECONDS) }),
  /** Input 0 from `start` to `end` seconds (-1: to the end), re-encoded so cuts are frame exact. */
  z.object({ op: z.literal("trim"), start: z.number().finite().min(0).max(MAX_MEDIA_SECONDS), end: z.number().finite().min(-1).max(MAX_MEDIA_SECONDS) }),
  /** ffmpeg scale=width:height (-1 keeps the aspect ratio). */
  z.object({ op: z.literal("resize"), width: z.number().int().min(-1).max(8192), height: z.number().int().min(-1).max(8192) }),
  z.object({ op: z.literal("reverse") }),
  /** Every input end to end, normalised to the first one's size and frame rate. */
  z.object({ op: z.literal("concat") }),
  /**
   * Subtitles burnt into input 0: for each frame, the first chunk whose [start, end] holds the frame's time is
   * drawn (wrapped to 80% of the width, centred, 1.2 x font size apart, 20 px from the top or bottom edge).
   */
  z.object({
    op: z.literal("subtitles"),
    chunks: z.array(SubtitleChunkSchema).max(MAX_SUBTITLE_CHUNKS),
    font: z.string().max(200),
    font_size: z.number().int().min(1).max(512),
    color: HexColor,
    align: z.enum(["top", "center", "bottom"]),
  }),
  ...VIDEO_FILTER_OPS,
]);
export type VideoOp = z.infer<typeof VideoOpSchema>;

/** One encoded output of the audio or video kernel, with what is known about it. */
export const AvOutputSchema = z.object({
  content_type: z.string(),
  data: z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: "expected bytes" }),
  /** Seconds, when known. */
  duration: z.number().optional(),
  sample_rate: z.number().int().optional(),
  channels: z.number().int().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
});
export type AvOutput = z.infer<typeof AvOutputSchema>;

export const VideoInfoSchema = z.object({
  duration: z.number(),
  width: z.number().int(),
  height: z.number().int(),
  fps: z.number(),
  frame_count: z.number().int(),
  codec: z.string(),
  has_audio: z.boolean(),
});
export type VideoInfo = z.infer<typeof VideoInfoSchema>;
