import type { Inputs, NodeInputs } from "../registry/types";
import { EMPTY, type Inbox } from "./inbox";
import type { PlannedNode } from "./plan";

/**
 * The view a streaming-input node (`run`) has of its inbox: the latest value per handle, and its handles'
 * items as streams. `breathe` gives timers and I/O a turn now and then, as the run's own activations do.
 */
export function streamingInputs(p: PlannedNode, inbox: Inbox, run: { breathe(): Promise<void> | undefined }): NodeInputs {
  const latest: Inputs = {};
  return {
    value: (handle) => (handle in latest ? latest[handle] : p.base[handle]),
    connected: (handle) => p.incoming.has(handle),
    async *stream(handle) {
      const slot = p.handles.findIndex((h) => h.name === handle);
      for (;;) {
        const pause = run.breathe();
        if (pause) await pause;
        const v = await inbox.nextOf(slot); // EMPTY at once for an unconnected handle (slot -1)
        if (v === EMPTY) return;
        latest[handle] = v;
        yield v;
      }
    },
    async *any() {
      for (;;) {
        const pause = run.breathe();
        if (pause) await pause;
        const arrival = await inbox.nextAny();
        if (arrival === null) return;
        for (const [slot, value] of arrival) {
          const handle = p.handles[slot].name;
          latest[handle] = value;
          yield [handle, value] as [string, unknown];
        }
      }
    },
  };
}
