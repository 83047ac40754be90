/**
 * Chat messages in `nodetool.input.*`: MessageInput and MessageListInput are parameters; MessageDeconstructor
 * is a plain node (it lives in the input namespace in NodeTool) that splits a message into its parts.
 */
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { describe, isRecord } from "../values/coerce";
import { inputOutputs, inputProperties } from "./input-common";

/** NodeTool's empty Message. */
const EMPTY_MESSAGE = {
  type: "message",
  id: null,
  workflow_id: null,
  graph: null,
  thread_id: null,
  tools: null,
  tool_call_id: null,
  role: "",
  name: null,
  content: null,
  tool_calls: null,
  collections: null,
  input_files: null,
  created_at: null,
  provider: null,
  model: null,
  agent_mode: null,
  help_mode: null,
  agent_execution_id: null,
  execution_event_type: null,
  workflow_target: null,
  workflow_message_input_name: null,
  workflow_messages_input_name: null,
};

const messageInput = defineNode({
  type: "nodetool.input.MessageInput",
  kind: "input",
  description: "A chat message: `{type: \"message\", role, content, ...}`.",
  properties: inputProperties("message", EMPTY_MESSAGE),
  outputs: [out("output", "message")],
  process: (inputs) => inputOutputs(inputs.value),
});

const messageListInput = defineNode({
  type: "nodetool.input.MessageListInput",
  kind: "input",
  description: "A list of chat messages (a conversation history).",
  properties: inputProperties("list[message]", []),
  outputs: [out("output", "list[message]")],
  process: (inputs) => inputOutputs(inputs.value ?? []),
});

/**
 * Text is the message's string content, or the text of its content parts (`{type: "text"}`); image and audio
 * come from `image_url` and `audio` parts; the model from the message's `provider` and `model`. With several
 * parts of one kind the last one wins, as in NodeTool.
 * NodeTool: packages/base-nodes/src/nodes/input.ts `MessageDeconstructorNode`.
 */
const messageDeconstructor = defineNode({
  type: "nodetool.input.MessageDeconstructor",
  description: "Splits a chat message into its id, thread id, role, text, image, audio and model.",
  properties: [prop("value", "message", EMPTY_MESSAGE, { description: "The message to split" })],
  outputs: [
    out("id", "str"),
    out("thread_id", "str"),
    out("role", "str"),
    out("text", "str"),
    out("image", "image"),
    out("audio", "audio"),
    out("model", "language_model"),
  ],
  process: (inputs, ctx) => {
    const msg = inputs.value ?? {};
    if (!isRecord(msg)) throw new Error(`MessageDeconstructor '${ctx.nodeName}': value must be a message object, got ${describe(msg)}`);
    let text = "";
    let image: unknown = null;
    let audio: unknown = null;
    if (typeof msg.content === "string") text = msg.content;
    else if (Array.isArray(msg.content)) {
      for (const part of msg.content) {
        if (!isRecord(part)) continue;
        if (part.type === "text") text = String(part.text ?? "");
        else if (part.type === "image_url") image = part.image ?? null;
        else if (part.type === "audio") audio = part.audio ?? null;
      }
    }
    const model =
      typeof msg.provider === "string" && typeof msg.model === "string" ? { type: "language_model", provider: msg.provider, id: msg.model } : null;
    return { id: msg.id ?? null, thread_id: msg.thread_id ?? null, role: String(msg.role ?? ""), text, image, audio, model };
  },
});

export const messageInputNodes: NodeDecl[] = [messageInput, messageListInput, messageDeconstructor];
