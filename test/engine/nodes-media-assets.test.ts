import { describe, expect, it } from "vitest";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { MemoryBlobStore } from "../../engine/media/memory-blob-store";
import { graph, registry } from "./helpers";

/** Load{Image,Audio,Video}Assets: one reference and name per media asset of a folder, nothing else. */
function fixture() {
  const store = new MemoryBlobStore();
  const media = store.addFolder("media");
  const inner = store.addFolder("inner", media);
  const bytes = (n: number) => new Uint8Array([n, n, n]);
  const ids = {
    b: store.add(bytes(1), "image/png", undefined, { name: "b.png", parentId: media }),
    a: store.add(bytes(2), "image/jpeg", undefined, { name: "a.jpg", parentId: media }),
    song: store.add(bytes(3), "audio/wav", undefined, { name: "song.wav", parentId: media }),
    clip: store.add(bytes(4), "video/mp4", undefined, { name: "clip.mp4", parentId: media }),
  };
  store.add(bytes(5), "text/plain", undefined, { name: "notes.txt", parentId: media });
  store.add(bytes(6), "image/png", undefined, { name: "deep.png", parentId: inner });
  return { store, media, ids };
}

async function load(store: MemoryBlobStore, type: string, media: string, folder: unknown) {
  const g = graph(
    [
      { id: "n", type, data: { folder } },
      { id: "a", type: "nodetool.output.Output", data: { name: "ref" } },
      { id: "b", type: "nodetool.output.Output", data: { name: "name" } },
    ],
    [
      ["n", media, "a", "value"],
      ["n", "name", "b", "value"],
    ],
  );
  return runWorkflow(g, {}, { registry, emit: () => {}, services: { blobs: store } });
}

const folderRef = (id: string | null) => ({ type: "folder", uri: "", asset_id: id, data: null, metadata: null });

describe("Load*Assets media nodes", () => {
  it("streams the folder's images by name (not sub-folders, not other types) as readable references", async () => {
    const { store, media } = fixture();
    const result = await load(store, "nodetool.image.LoadImageAssets", "image", folderRef(media));
    expect(result.status).toBe("completed");
    expect(result.result.name).toEqual(["a.jpg", "b.png"]);
    const refs = result.result.ref as Array<{ type: string; uri: string }>;
    expect(refs.map((r) => r.type)).toEqual(["image", "image"]);
    expect(Array.from((await store.read(refs[0].uri)).bytes)).toEqual([2, 2, 2]);
    expect(Array.from((await store.read(refs[1].uri)).bytes)).toEqual([1, 1, 1]);
  });

  it("picks audio and video by content type", async () => {
    const { store, media } = fixture();
    const audio = await load(store, "nodetool.audio.LoadAudioAssets", "audio", folderRef(media));
    expect(audio.result.name).toBe("song.wav");
    expect((audio.result.ref as { type: string }).type).toBe("audio");
    const video = await load(store, "nodetool.video.LoadVideoAssets", "video", folderRef(media));
    expect(video.result.name).toBe("clip.mp4");
    expect(Array.from((await store.read((video.result.ref as { uri: string }).uri)).bytes)).toEqual([4, 4, 4]);
  });

  it("fails with NodeTool's message when no folder is chosen", async () => {
    const { store } = fixture();
    const result = await load(store, "nodetool.image.LoadImageAssets", "image", folderRef(null));
    expect(result.status).toBe("failed");
    expect(result.error).toMatch(/Please select an asset folder/);
  });
});
