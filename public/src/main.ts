import { Api, ApiError, type Asset, type ExampleSummary, type Workflow } from "./api";
import { CatalogView } from "./catalog";
import { byId, h, show } from "./dom";
import { ParamsForm } from "./form";
import { OutputRenderer, toJson } from "./render";
import { applyMessage, clearRun, isTerminal, loadRun, newRun, noChange, saveRun, type Change, type RunState } from "./run-state";
import { JobSocket, type ServerFrame } from "./socket";
import { Tabs } from "./tabs";

/**
 * The runner page: sign in (or not, when the server needs no token), pick a workflow, fill in its inputs,
 * run it over the WebSocket (`/ws`, MessagePack) and watch its nodes and outputs. The job shown is saved in
 * sessionStorage with the last `job_seq` seen, so a reload reconnects to it (`reconnect_job`) and goes on.
 */

const TOKEN_KEY = "nodetool-edge.token";
const WORKFLOW_KEY = "nodetool-edge.workflow";
const SAVE_DELAY_MS = 200;
const MAX_RECONNECT_DELAY_MS = 8000;

const STATUS_TEXT: Record<string, string> = {
  starting: "starting",
  queued: "queued",
  running: "running",
  completed: "completed",
  failed: "failed",
  cancelled: "cancelled",
  timed_out: "timed out",
};

const el = {
  boot: byId("boot"),
  fatal: byId("fatal"),
  authStatus: byId("auth-status"),
  tokenPanel: byId("token-panel"),
  tokenForm: byId<HTMLFormElement>("token-form"),
  tokenInput: byId<HTMLInputElement>("token-input"),
  tokenError: byId("token-error"),
  workflowPanel: byId("workflow-panel"),
  workflowSelect: byId<HTMLSelectElement>("workflow-select"),
  workflowRefresh: byId<HTMLButtonElement>("workflow-refresh"),
  workflowDescription: byId("workflow-description"),
  examples: byId<HTMLDetailsElement>("examples"),
  examplesEmpty: byId("examples-empty"),
  exampleList: byId("example-list"),
  examplesError: byId("examples-error"),
  formPanel: byId("form-panel"),
  runForm: byId<HTMLFormElement>("run-form"),
  runButton: byId<HTMLButtonElement>("run-button"),
  cancelButton: byId<HTMLButtonElement>("cancel-button"),
  runError: byId("run-error"),
  runPanel: byId("run-panel"),
  jobStatus: byId("job-status"),
  jobInfo: byId("job-info"),
  runNotice: byId("run-notice"),
  runWarning: byId("run-warning"),
  nodes: byId("nodes"),
  outputs: byId("outputs"),
  logPanel: byId("log-panel"),
  log: byId("log"),
};

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function setText(target: HTMLElement, text: string | null): void {
  target.textContent = text ?? "";
  show(target, Boolean(text));
}

class App {
  private readonly api = new Api();
  private readonly form = new ParamsForm(byId("fields"));
  private readonly renderer = new OutputRenderer((id) => this.assetUrl(id));
  private readonly socket = new JobSocket(() => this.socketUrl(), {
    message: (frame) => this.onFrame(frame),
    closed: (code, reason) => this.onClosed(code, reason),
  });
  private readonly catalog = new CatalogView(
    {
      filter: byId<HTMLInputElement>("catalog-filter"),
      runsOn: byId<HTMLSelectElement>("catalog-runs-on"),
      media: byId<HTMLSelectElement>("catalog-media"),
      count: byId("catalog-count"),
      status: byId("catalog-status"),
      error: byId("catalog-error"),
      groups: byId("catalog-groups"),
    },
    () => this.api.nodes(),
  );
  private readonly tabs = new Tabs(byId("views"), (view) => {
    if (view === "nodes") void this.catalog.show();
  });
  private workflows: Workflow[] = [];
  private selected: Workflow | null = null;
  private examplesLoaded = false;

  /** The job on show, and the run_job sent whose reply has not come yet. */
  private run: RunState | null = null;
  private starting: { workflowId: string; params: Record<string, unknown>; sinks: string[] } | null = null;
  private cancelling = false;
  private resumedFrom: number | null = null;
  private reconnectTimer: number | null = null;
  private reconnectAttempts = 0;

  private pending: Change = noChange();
  private renderQueued = false;
  private saveTimer: number | null = null;
  private readonly nodeRows = new Map<string, HTMLLIElement>();
  private readonly outputBoxes = new Map<string, { box: HTMLElement; urls: string[] }>();
  private readonly assetUrls = new Map<string, Promise<string | null>>();
  private readonly uploads = new WeakMap<File, Promise<Asset>>();

  async start(): Promise<void> {
    el.boot.hidden = true;
    el.tokenForm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.useToken(el.tokenInput.value.trim(), false);
    });
    el.workflowSelect.addEventListener("change", () => this.select(el.workflowSelect.value));
    el.workflowRefresh.addEventListener("click", () => void this.refreshWorkflows());
    el.examples.addEventListener("toggle", () => {
      if (el.examples.open) void this.loadExamples();
    });
    el.runForm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.startRun();
    });
    el.cancelButton.addEventListener("click", () => this.cancel());
    // The saved run must be current when the page goes away (a reload mid-run).
    window.addEventListener("pagehide", () => this.saveNow());
    await this.signIn();
  }

  // ---- auth ---------------------------------------------------------------------------------------------

  /** Without a token first: a server with AUTH_PROVIDER none/local answers, and the token field stays hidden. */
  private async signIn(): Promise<void> {
    try {
      const workflows = await this.api.workflows(null);
      this.api.token = null;
      el.authStatus.replaceChildren("No token needed");
      el.authStatus.dataset.auth = "open";
      return this.ready(workflows);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) return this.fatal(`Cannot list workflows: ${message(err)}`);
    }
    const saved = localStorage.getItem(TOKEN_KEY);
    if (saved && (await this.useToken(saved, true))) return;
    this.askForToken(null);
  }

  private askForToken(problem: string | null): void {
    el.authStatus.replaceChildren("Not signed in");
    el.authStatus.dataset.auth = "token";
    show(el.tokenPanel, true);
    setText(el.tokenError, problem);
    el.tokenInput.focus();
  }

  /** Tries a token; on success it is kept in localStorage and the workflows load. */
  private async useToken(token: string, saved: boolean): Promise<boolean> {
    if (!token) {
      this.askForToken("Enter a token.");
      return false;
    }
    let workflows: Workflow[];
    try {
      workflows = await this.api.workflows(token);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        if (saved) localStorage.removeItem(TOKEN_KEY);
        this.askForToken(saved ? `The saved token was refused (${err.message}); enter it again.` : `Token refused: ${err.message}`);
      } else {
        this.askForToken(`Cannot check the token: ${message(err)}`);
      }
      return false;
    }
    this.api.token = token;
    localStorage.setItem(TOKEN_KEY, token);
    el.tokenInput.value = "";
    show(el.tokenPanel, false);
    const signOut = h("button", { type: "button", class: "link", id: "sign-out" }, "Sign out");
    signOut.addEventListener("click", () => {
      localStorage.removeItem(TOKEN_KEY);
      clearRun();
      this.socket.close();
      location.reload();
    });
    el.authStatus.replaceChildren("Signed in with a token · ", signOut);
    el.authStatus.dataset.auth = "token";
    await this.ready(workflows);
    return true;
  }

  private socketUrl(): string {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const query = this.api.token ? `?api_key=${encodeURIComponent(this.api.token)}` : "";
    return `${proto}//${location.host}/ws${query}`;
  }

  private fatal(text: string): void {
    setText(el.fatal, text);
  }

  // ---- workflows ----------------------------------------------------------------------------------------

  private async ready(workflows: Workflow[]): Promise<void> {
    // The views need the caller's token (the catalog is per caller: their presets and custom nodes join it).
    show(byId("views"), true);
    this.tabs.fromHash();
    this.showWorkflows(workflows);
    const saved = loadRun();
    if (saved) {
      this.run = saved;
      if (saved.workflow_id && this.workflows.some((w) => w.id === saved.workflow_id)) this.select(saved.workflow_id, saved.params);
      this.renderAll();
      if (!isTerminal(saved.status)) void this.reconnect();
    }
  }

  private showWorkflows(workflows: Workflow[], prefer?: string): void {
    this.workflows = workflows;
    show(el.workflowPanel, true);
    el.workflowSelect.replaceChildren(...workflows.map((w) => h("option", { value: w.id }, w.name ? `${w.name} (${w.id})` : w.id)));
    const none = workflows.length === 0;
    el.workflowSelect.disabled = none;
    show(el.examplesEmpty, none);
    if (none) {
      el.workflowSelect.append(h("option", { value: "" }, "no workflows yet"));
      el.examples.open = true;
      void this.loadExamples();
      this.selected = null;
      show(el.formPanel, false);
      setText(el.workflowDescription, null);
      return;
    }
    const want = [prefer, this.selected?.id, localStorage.getItem(WORKFLOW_KEY)].find((id) => id && workflows.some((w) => w.id === id));
    this.select(want ?? workflows[0].id);
  }

  private select(id: string, values?: Record<string, unknown>): void {
    const workflow = this.workflows.find((w) => w.id === id);
    if (!workflow) return;
    const changed = this.selected?.id !== id;
    this.selected = workflow;
    el.workflowSelect.value = id;
    localStorage.setItem(WORKFLOW_KEY, id);
    setText(el.workflowDescription, workflow.description || null);
    if (changed || values) this.form.build(workflow.input_schema, values);
    show(el.formPanel, true);
    this.renderButtons();
  }

  private async refreshWorkflows(prefer?: string): Promise<void> {
    try {
      this.showWorkflows(await this.api.workflows(), prefer);
    } catch (err) {
      this.fatal(`Cannot list workflows: ${message(err)}`);
    }
  }

  private async loadExamples(): Promise<void> {
    if (this.examplesLoaded) return;
    this.examplesLoaded = true;
    let examples: ExampleSummary[];
    try {
      examples = await this.api.examples();
    } catch (err) {
      this.examplesLoaded = false;
      setText(el.examplesError, `Cannot list the examples: ${message(err)}`);
      return;
    }
    setText(el.examplesError, null);
    el.exampleList.replaceChildren(
      ...examples.map((example) => {
        const button = h("button", { type: "button", class: "secondary" }, "Copy");
        button.addEventListener("click", () => void this.copyExample(example.name, button));
        return h(
          "li",
          { "data-example": example.name },
          h("div", {}, h("strong", {}, example.title || example.name), " ", h("small", { class: "hint" }, example.description)),
          button,
        );
      }),
    );
  }

  private async copyExample(name: string, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      const copy = await this.api.copyExample(name);
      el.examples.open = false;
      await this.refreshWorkflows(copy.id);
    } catch (err) {
      setText(el.examplesError, `Cannot copy '${name}': ${message(err)}`);
    } finally {
      button.disabled = false;
    }
  }

  // ---- running ------------------------------------------------------------------------------------------

  private get running(): boolean {
    return this.starting !== null || (this.run !== null && !isTerminal(this.run.status));
  }

  private upload(file: File): Promise<Asset> {
    let pending = this.uploads.get(file);
    if (!pending) {
      pending = this.api.uploadAsset(file, this.selected?.id ?? null);
      pending.catch(() => this.uploads.delete(file));
      this.uploads.set(file, pending);
    }
    return pending;
  }

  private async startRun(): Promise<void> {
    const workflow = this.selected;
    if (!workflow || this.running) return;
    setText(el.runError, null);
    if (!el.runForm.reportValidity()) return;
    el.runButton.disabled = true;
    try {
      el.runButton.textContent = "Uploading…";
      const params = await this.form.read((file) => this.upload(file));
      el.runButton.textContent = "Starting…";
      await this.socket.connect();
      this.starting = { workflowId: workflow.id, params, sinks: Object.keys(workflow.output_schema?.properties ?? {}) };
      this.socket.send("run_job", { type: "run_job_request", workflow_id: workflow.id, params });
    } catch (err) {
      this.starting = null;
      setText(el.runError, `Cannot run: ${message(err)}`);
    }
    this.renderButtons();
  }

  private cancel(): void {
    if (!this.run || isTerminal(this.run.status)) return;
    this.cancelling = true;
    this.renderButtons();
    try {
      this.socket.send("cancel_job", { job_id: this.run.job_id });
      setText(el.runNotice, "Cancelling…");
    } catch (err) {
      this.cancelling = false;
      setText(el.runNotice, `Cannot cancel now: ${message(err)}`);
      this.renderButtons();
    }
  }

  /** Follows the saved job again after a reload or a lost connection: only what came after `last_seq`. */
  private async reconnect(): Promise<void> {
    const run = this.run;
    if (!run || isTerminal(run.status)) return;
    setText(el.runNotice, `Reconnecting to job ${run.job_id} after message ${run.last_seq}…`);
    try {
      await this.socket.connect();
      this.socket.send("reconnect_job", { job_id: run.job_id, last_seq: run.last_seq });
    } catch {
      // The close that failed the connection schedules the next try (onClosed).
    }
  }

  private onClosed(code: number, reason: string): void {
    if (code === 1008) {
      // The token was refused on the socket (it may have been changed on the server).
      localStorage.removeItem(TOKEN_KEY);
      this.starting = null;
      this.askForToken(`The server refused the connection: ${reason || "invalid token"}`);
      this.renderButtons();
      return;
    }
    if (this.starting) {
      this.starting = null;
      setText(el.runError, `The connection closed before the job started (${reason || code}); try again.`);
      this.renderButtons();
    }
    if (!this.run || isTerminal(this.run.status) || this.reconnectTimer !== null) return;
    const delay = Math.min(MAX_RECONNECT_DELAY_MS, 250 * 2 ** this.reconnectAttempts++);
    setText(el.runNotice, `Connection lost; reconnecting…`);
    this.reconnectTimer = window.setTimeout(() => {
      this.reconnectTimer = null;
      void this.reconnect();
    }, delay);
  }

  private onFrame(frame: ServerFrame): void {
    if (typeof frame.command === "string" || (typeof frame.error === "string" && frame.job_seq === undefined)) {
      this.onReply(frame);
      return;
    }
    if (this.run && applyMessage(this.run, frame, this.pending)) {
      if (isTerminal(this.run.status)) {
        this.cancelling = false;
        this.saveNow();
      } else this.saveSoon();
      this.queueRender();
    }
  }

  private onReply(reply: ServerFrame): void {
    const error = typeof reply.error === "string" ? reply.error : null;
    switch (reply.command) {
      case "run_job": {
        const start = this.starting;
        this.starting = null;
        if (error || !start) {
          const details = Array.isArray(reply.details) && reply.details.length > 1 ? ` (${reply.details.length} problems)` : "";
          setText(el.runError, `Cannot run: ${error ?? "unexpected reply"}${details}`);
          break;
        }
        this.run = newRun(String(reply.job_id), start.workflowId, start.params, start.sinks, String(reply.status ?? "queued"));
        this.resumedFrom = null;
        this.reconnectAttempts = 0;
        setText(el.runNotice, null);
        this.saveNow();
        this.renderAll();
        break;
      }
      case "reconnect_job": {
        if (error) {
          if (reply.error_type === "not_found") {
            clearRun();
            this.run = null;
            this.renderAll();
            setText(el.runError, `The job shown before is gone: ${error}`);
          } else setText(el.runNotice, `Cannot reconnect: ${error}`);
          break;
        }
        this.reconnectAttempts = 0;
        this.resumedFrom = typeof reply.last_seq === "number" ? reply.last_seq : 0;
        el.jobInfo.dataset.resumedStatus = String(reply.status);
        setText(el.runNotice, `Reconnected to job ${String(reply.job_id)} (${String(reply.status)}); resumed after message ${this.resumedFrom}.`);
        this.queueRender();
        break;
      }
      case "cancel_job":
        this.cancelling = false;
        setText(el.runNotice, error ? `Cannot cancel: ${error}` : `Cancel: ${String(reply.message ?? reply.status)}`);
        break;
      default:
        // The feed of a followed job broke off: ask for the rest.
        if (error && this.run && reply.job_id === this.run.job_id) void this.reconnect();
        else if (error) setText(el.runNotice, error);
    }
    this.renderButtons();
  }

  private saveSoon(): void {
    if (this.saveTimer !== null) return;
    this.saveTimer = window.setTimeout(() => this.saveNow(), SAVE_DELAY_MS);
  }

  private saveNow(): void {
    if (this.saveTimer !== null) window.clearTimeout(this.saveTimer);
    this.saveTimer = null;
    if (this.run) saveRun(this.run);
  }

  private assetUrl(id: string): Promise<string | null> {
    let url = this.assetUrls.get(id);
    if (!url) {
      url = this.api.asset(id).then((a) => a.get_url);
      this.assetUrls.set(id, url);
    }
    return url;
  }

  // ---- rendering ----------------------------------------------------------------------------------------

  private queueRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      const change = this.pending;
      this.pending = noChange();
      this.renderChange(change);
    });
  }

  /** Everything from scratch (a new run, or the saved one after a reload). */
  private renderAll(): void {
    this.nodeRows.clear();
    for (const { urls } of this.outputBoxes.values()) urls.forEach((u) => URL.revokeObjectURL(u));
    this.outputBoxes.clear();
    el.nodes.replaceChildren();
    el.outputs.replaceChildren(h("p", { class: "hint" }, "No outputs yet."));
    el.log.replaceChildren();
    const run = this.run;
    show(el.runPanel, run !== null);
    if (!run) {
      this.renderButtons();
      return;
    }
    this.renderChange({ nodes: new Set(Object.keys(run.nodes)), outputs: new Set(Object.keys(run.outputs)), job: true, log: true });
  }

  private renderChange(change: Change): void {
    const run = this.run;
    if (!run) return;
    for (const id of change.nodes) this.renderNode(id);
    for (const name of change.outputs) this.renderOutput(name);
    if (change.log) {
      el.log.replaceChildren(...run.log.map((e) => h("li", { class: `log-${e.severity}` }, e.text)));
      show(el.logPanel, run.log.length > 0);
    }
    if (change.job) this.renderJob();
    this.renderButtons();
  }

  private renderJob(): void {
    const run = this.run!;
    const status = run.status;
    el.jobStatus.dataset.status = status;
    let text = STATUS_TEXT[status] ?? status;
    if (status === "queued" && run.queue_position !== undefined) text += ` (position ${run.queue_position})`;
    if (isTerminal(status) && run.duration !== undefined) text += ` in ${run.duration.toFixed(2)} s`;
    el.jobStatus.textContent = text;
    el.jobInfo.textContent = `job ${run.job_id} · message ${run.last_seq}`;
    el.jobInfo.dataset.jobId = run.job_id;
    el.jobInfo.dataset.lastSeq = String(run.last_seq);
    if (this.resumedFrom !== null) el.jobInfo.dataset.resumedFrom = String(this.resumedFrom);
    else {
      delete el.jobInfo.dataset.resumedFrom;
      delete el.jobInfo.dataset.resumedStatus;
    }
    setText(
      el.runWarning,
      run.missed > 0 ? `${run.missed} message(s) of this job were no longer available (its log expired); the final result is complete.` : null,
    );
    if (status === "failed" || status === "timed_out") setText(el.runError, run.error ? `The job ${STATUS_TEXT[status]}: ${run.error}` : null);
  }

  private renderNode(id: string): void {
    const node = this.run!.nodes[id];
    if (!node) return;
    let row = this.nodeRows.get(id);
    if (!row) {
      row = h("li", { class: "node", "data-node-id": id });
      this.nodeRows.set(id, row);
      el.nodes.append(row);
    }
    row.dataset.status = node.status;
    const parts: (HTMLElement | string)[] = [
      h("div", { class: "node-head" }, h("strong", {}, node.name), h("small", { class: "hint" }, node.type), h("span", { class: "badge", "data-status": node.status }, node.status)),
    ];
    if (node.total !== undefined && node.total > 0) {
      const bar = h("progress", { max: node.total, value: node.progress ?? 0 });
      parts.push(h("div", { class: "progress" }, bar, h("small", { class: "progress-text" }, `${node.progress ?? 0} / ${node.total}`)));
    }
    if (node.text) parts.push(h("pre", { class: "node-text" }, node.text));
    if (node.error) parts.push(h("p", { class: "error" }, node.error));
    row.replaceChildren(...parts);
  }

  private renderOutput(name: string): void {
    const out = this.run!.outputs[name];
    if (!out) return;
    let entry = this.outputBoxes.get(name);
    if (!entry) {
      if (this.outputBoxes.size === 0) el.outputs.replaceChildren();
      entry = { box: h("div", { class: "output", "data-output": name }), urls: [] };
      this.outputBoxes.set(name, entry);
      el.outputs.append(entry.box);
    }
    entry.urls.forEach((u) => URL.revokeObjectURL(u));
    entry.urls = [];
    const value = out.values.length === 1 ? out.values[0] : out.values;
    const body = this.renderer.render(value, entry.urls);
    body.classList.add("value");
    entry.box.title = toJson(value).slice(0, 500);
    entry.box.replaceChildren(h("div", { class: "output-head" }, h("strong", {}, name), h("small", { class: "hint" }, out.type)), body);
  }

  private renderButtons(): void {
    const busy = this.running;
    el.runButton.disabled = busy || !this.selected;
    el.runButton.textContent = this.starting ? "Starting…" : busy ? "Running…" : "Run";
    el.cancelButton.disabled = !(this.run && !isTerminal(this.run.status)) || this.cancelling;
  }
}

new App().start().catch((err: unknown) => {
  const fatal = document.getElementById("fatal");
  if (fatal) {
    fatal.textContent = `The page failed to start: ${message(err)}`;
    fatal.hidden = false;
  }
  console.error(err);
});
