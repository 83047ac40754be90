import { describe, expect, it } from "vitest";
import { graph, run, runNode } from "./helpers";

/**
 * AudioToNumpy, ConvertToArray and NumpyToAudio on WAVs written here byte by byte: samples as pydub reports them
 * (8-bit signed by a -128 bias, 24-bit widened to 32-bit), and arrays written back as their dtype's bytes.
 */

function wav(bits: number, channels: number, sampleRate: number, data: number[]): Uint8Array {
  const width = bits / 8;
  const b = Buffer.alloc(44 + data.length * width);
  b.write("RIFF", 0);
  b.writeUInt32LE(36 + data.length * width, 4);
  b.write("WAVEfmt ", 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(channels, 22);
  b.writeUInt32LE(sampleRate, 24);
  b.writeUInt32LE(sampleRate * channels * width, 28);
  b.writeUInt16LE(channels * width, 32);
  b.writeUInt16LE(bits, 34);
  b.write("data", 36);
  b.writeUInt32LE(data.length * width, 40);
  data.forEach((v, i) => {
    if (width === 1) b.writeUInt8(v, 44 + i);
    else if (width === 2) b.writeInt16LE(v, 44 + i * 2);
    else if (width === 3) b.writeIntLE(v, 44 + i * 3, 3);
    else b.writeInt32LE(v, 44 + i * 4);
  });
  return new Uint8Array(b);
}
const audioRef = (bytes: Uint8Array) => ({ type: "audio", uri: `data:audio/wav;base64,${Buffer.from(bytes).toString("base64")}` });
const bytesOf = (ref: unknown) => Buffer.from((ref as { data: Uint8Array }).data);

describe("audio arrays", () => {
  it("ConvertToArray gives pydub's interleaved samples as an int64 np_array", async () => {
    expect(await runNode("nodetool.audio.ConvertToArray", { audio: audioRef(wav(16, 2, 8000, [1, -2, 300, -32768, 32767, 0])) })).toEqual({
      type: "np_array",
      value: [1, -2, 300, -32768, 32767, 0],
      dtype: "<i8",
      shape: [6],
    });
    expect(((await runNode("nodetool.audio.ConvertToArray", { audio: audioRef(wav(8, 1, 8000, [0, 128, 255])) })) as { value: number[] }).value).toEqual([-128, 0, 127]);
    expect(((await runNode("nodetool.audio.ConvertToArray", { audio: audioRef(wav(24, 1, 8000, [1, -1, 8388607])) })) as { value: number[] }).value).toEqual([256, -256, 8388607 * 256]);
  });

  it("AudioToNumpy resamples to 32 kHz by linear interpolation, averages stereo to mono and scales to [-1, 1)", async () => {
    const toNumpy = async (audio: Uint8Array) => {
      const g = graph(
        [
          { id: "n", type: "nodetool.audio.AudioToNumpy", data: { audio: audioRef(audio) } },
          { id: "a", type: "nodetool.output.Output", data: { name: "a" } },
          { id: "r", type: "nodetool.output.Output", data: { name: "r" } },
          { id: "c", type: "nodetool.output.Output", data: { name: "c" } },
        ],
        [
          ["n", "array", "a", "value"],
          ["n", "sample_rate", "r", "value"],
          ["n", "channels", "c", "value"],
        ],
      );
      const r = await run(g);
      expect(r.status, r.error).toBe("completed");
      return { array: r.result.a as { value: number[]; dtype: string }, rate: r.result.r, channels: r.result.c };
    };
    // 16 kHz to 32 kHz: each sample, then the floor of its mean with the next one (audioop.ratecv, in 32-bit).
    const s = [1000, 2001, -3000, 32767, -32768];
    const up = await toNumpy(wav(16, 1, 16000, s));
    const halfway = (a: number, b: number) => Math.floor((a + b) / 2);
    const expected = [s[0], halfway(s[0], s[1]), s[1], halfway(s[1], s[2]), s[2], halfway(s[2], s[3]), s[3], halfway(s[3], s[4]), s[4]];
    expect(up.rate).toBe(32000);
    expect(up.channels).toBe(1);
    expect(up.array.dtype).toBe("float32");
    expect(up.array.value).toEqual(expected.map((v) => Math.fround(v / 32768)));
    // Already 32 kHz, stereo: left and right averaged (floored), nothing resampled.
    const stereo = await toNumpy(wav(16, 2, 32000, [100, 301, -5, -6]));
    expect(stereo.array.value).toEqual([200, -6].map((v) => Math.fround(v / 32768)));
  });

  it("NumpyToAudio writes the array's bytes with its item size as the sample width", async () => {
    const out = bytesOf(await runNode("nodetool.audio.NumpyToAudio", { array: { type: "np_array", value: [[1, -1], [1000.9, -32768]], dtype: "<i2" }, sample_rate: 16000, channels: 2 }));
    expect([out.readUInt16LE(22), out.readUInt32LE(24), out.readUInt16LE(34)]).toEqual([2, 16000, 16]);
    expect([0, 1, 2, 3].map((i) => out.readInt16LE(44 + 2 * i))).toEqual([1, -1, 1000, -32768]);
    // No dtype: NodeTool's default is int16; int32 keeps 4 bytes a sample.
    const plain = bytesOf(await runNode("nodetool.audio.NumpyToAudio", { array: { type: "np_array", value: [5, 6], dtype: null } }));
    expect([plain.readUInt16LE(34), plain.readUInt32LE(24), plain.readInt16LE(46)]).toEqual([16, 44100, 6]);
    const wide = bytesOf(await runNode("nodetool.audio.NumpyToAudio", { array: { type: "np_array", value: [70000], dtype: "int32" } }));
    expect([wide.readUInt16LE(34), wide.readInt32LE(44)]).toEqual([32, 70000]);
    // And back: ConvertToArray reads what NumpyToAudio wrote.
    const back = await runNode("nodetool.audio.ConvertToArray", { audio: audioRef(new Uint8Array(wide)) });
    expect((back as { value: number[] }).value).toEqual([70000]);
  });

  it("NumpyToAudio fails as NodeTool does on int64 (the default np_array dtype), odd lengths and out-of-range values", async () => {
    await expect(runNode("nodetool.audio.NumpyToAudio", { array: { type: "np_array", value: [1, 2], dtype: "<i8" } })).rejects.toThrow(/bad sample width/);
    await expect(runNode("nodetool.audio.NumpyToAudio", { array: { type: "np_array", value: [1, 2, 3], dtype: "<i2" }, channels: 2 })).rejects.toThrow(/multiple of/);
    await expect(runNode("nodetool.audio.NumpyToAudio", { array: { type: "np_array", value: [40000], dtype: "<i2" } })).rejects.toThrow(/out of bounds/);
    await expect(runNode("nodetool.audio.NumpyToAudio", {})).rejects.toThrow(/no values/);
  });
});
