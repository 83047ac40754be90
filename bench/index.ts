// `npm run bench`: every figure is a ratio against a baseline measured in the same run, since these
// machines are noisy. Select parts with `npm run bench -- engine`, `-- http`, `-- jobs`, `-- chat`, `-- storage`,
// `-- runner` or `-- media`; `-- chat-streams` is only the chat stream share (a quick look, not in the default run).
import { benchChat, benchChatStreams } from "./chat";
import { benchEngine } from "./engine";
import { benchHttp } from "./http";
import { benchJobs } from "./jobs";

const suites: Record<string, () => Promise<string[]>> = { engine: benchEngine, http: benchHttp, jobs: benchJobs, chat: benchChat };
suites.storage = async () => (await import("./storage")).benchStorage();
// Loaded on demand: onnxruntime and the runner process are only needed when this suite runs.
suites.runner = async () => (await import("./runner")).benchRunner();
suites.media = async () => (await import("./media")).benchMedia();
const defaults = Object.keys(suites);
suites["chat-streams"] = benchChatStreams;
const wanted = process.argv.slice(2).filter((a) => a in suites);

for (const name of wanted.length ? wanted : defaults) {
  const lines = await suites[name]();
  for (const line of lines) console.log(line);
}
