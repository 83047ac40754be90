/**
 * Input nodes whose output is a stream fed while the job runs: NodeTool's runner keeps their outgoing edges
 * open after the run's param and hands on whatever the client pushes with `stream_input`, until
 * `end_input_stream` (NodeTool: packages/kernel/src/runner.ts `_dispatchInputs`, `pushInputValue`). The node
 * itself does nothing to the items. Here the executor feeds them (engine/executor/input-feed.ts) when the host
 * gives the run a feed (a job started over the WebSocket); without one, the node hands on its param once.
 */
import { defineNode, out } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { isEmptyRef } from "../executor/input-feed";
import { inputProperties } from "./input-common";

const realtimeAudioInput = defineNode({
  type: "nodetool.input.RealtimeAudioInput",
  title: "Realtime Audio Input",
  kind: "input",
  description:
    "Accepts streaming audio data for workflows: each item a client sends with stream_input (usually an audio chunk) goes out on `chunk` until end_input_stream.",
  properties: inputProperties("audio", { type: "audio", uri: "", asset_id: null, data: null, metadata: null }),
  outputs: [out("chunk", "chunk")],
  // Unfed (a run over HTTP): NodeTool pushes a runtime param but never the stored default.
  *gen(inputs) {
    if (!isEmptyRef(inputs.value)) yield { chunk: inputs.value };
  },
});

export const streamingInputNodes: NodeDecl[] = [realtimeAudioInput];
