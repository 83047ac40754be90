import { h } from "./dom";

/**
 * The node catalog view: every node type of `GET /api/nodes`, grouped by namespace, filtered in the page (by
 * text, by where it runs, by the media it takes or makes). A node's ports are built when it is first opened,
 * so the ~600 entries cost one summary line each until then.
 */

export interface CatalogPort {
  name: string;
  type: string;
  title?: string;
  description?: string;
  default?: unknown;
  required?: boolean;
}

export interface CatalogEntry {
  type: string;
  title: string;
  description: string;
  namespace: string;
  kind: string;
  properties: CatalogPort[];
  outputs: CatalogPort[];
  is_dynamic: boolean;
  is_streaming_output: boolean;
  runs_on: "edge" | "gpu-runner";
}

export type MediaKind = "image" | "audio" | "video";

/** 16x16 outline icons (SVG paths), drawn in the text colour: no emoji font needed. */
const MEDIA_ICON: Record<MediaKind, string> = {
  image: "M2 3h12v10H2z M2 11l4-4 3 3 2-2 3 3",
  audio: "M2 6h3l4-3v10l-4-3H2z M11 5.5a3.5 3.5 0 0 1 0 5",
  video: "M1.5 4h9v8h-9z M10.5 7l4-2.5v7l-4-2.5",
};

/** The media a port type carries: `image`, `list[image]`, `image|None` do; `audio_chunk` does not. */
export function mediaOf(type: string): MediaKind | null {
  const match = /(?:^|[^A-Za-z0-9_])(image|audio|video)(?![A-Za-z0-9_])/.exec(type);
  return match ? (match[1] as MediaKind) : null;
}

export interface CatalogFilter {
  text: string;
  runsOn: "" | "edge" | "gpu-runner";
  media: "" | MediaKind;
}

/** The same text match as the route's `q`: a case-insensitive substring of the type, title or description. */
export function matches(node: CatalogEntry, filter: CatalogFilter): boolean {
  if (filter.runsOn && node.runs_on !== filter.runsOn) return false;
  if (filter.media && ![...node.properties, ...node.outputs].some((p) => mediaOf(p.type) === filter.media)) return false;
  const text = filter.text.trim().toLowerCase();
  return text === "" || `${node.type}\n${node.title}\n${node.description}`.toLowerCase().includes(text);
}

export interface CatalogElements {
  filter: HTMLInputElement;
  runsOn: HTMLSelectElement;
  media: HTMLSelectElement;
  count: HTMLElement;
  status: HTMLElement;
  error: HTMLElement;
  groups: HTMLElement;
}

interface Group {
  el: HTMLDetailsElement;
  count: HTMLElement;
  rows: { node: CatalogEntry; row: HTMLLIElement }[];
}

export class CatalogView {
  private loading: Promise<void> | null = null;
  private groups: Group[] = [];
  private total = 0;

  constructor(
    private readonly el: CatalogElements,
    private readonly load: () => Promise<CatalogEntry[]>,
  ) {
    const refilter = () => this.applyFilter();
    el.filter.addEventListener("input", refilter);
    el.runsOn.addEventListener("change", refilter);
    el.media.addEventListener("change", refilter);
    el.filter.form?.addEventListener("submit", (ev) => ev.preventDefault());
  }

  /** Loads the catalog the first time it is shown (again after a failure). */
  show(): Promise<void> {
    if (!this.loading) {
      this.loading = this.fetch().catch((err: unknown) => {
        this.loading = null;
        this.el.error.textContent = `Cannot load the node catalog: ${err instanceof Error ? err.message : String(err)}`;
        this.el.error.hidden = false;
        this.el.status.textContent = "";
      });
    }
    return this.loading;
  }

  private async fetch(): Promise<void> {
    this.el.status.textContent = "Loading the node catalog…";
    this.el.error.hidden = true;
    const nodes = await this.load();
    this.total = nodes.length;
    const gpu = nodes.filter((n) => n.runs_on === "gpu-runner").length;
    this.el.count.textContent = `${nodes.length} types · ${gpu} on gpu-runner`;
    const byNamespace = new Map<string, CatalogEntry[]>();
    for (const node of nodes) {
      const list = byNamespace.get(node.namespace) ?? [];
      list.push(node);
      byNamespace.set(node.namespace, list);
    }
    this.groups = [...byNamespace.keys()].sort().map((ns) => this.group(ns, byNamespace.get(ns)!));
    this.el.groups.replaceChildren(...this.groups.map((g) => g.el));
    this.applyFilter();
  }

  private group(namespace: string, nodes: CatalogEntry[]): Group {
    const count = h("span", { class: "badge" }, nodes.length);
    const rows = nodes
      .slice()
      .sort((a, b) => a.title.localeCompare(b.title))
      .map((node) => ({ node, row: nodeRow(node) }));
    const el = h(
      "details",
      { class: "catalog-group", "data-namespace": namespace },
      h("summary", {}, h("span", { class: "catalog-namespace" }, namespace || "(no namespace)"), " ", count),
      h("ul", { class: "catalog-nodes" }, ...rows.map((r) => r.row)),
    );
    return { el, count, rows };
  }

  private current(): CatalogFilter {
    return {
      text: this.el.filter.value,
      runsOn: this.el.runsOn.value as CatalogFilter["runsOn"],
      media: this.el.media.value as CatalogFilter["media"],
    };
  }

  private applyFilter(): void {
    if (this.groups.length === 0 && this.total === 0) return;
    const filter = this.current();
    const filtering = filter.text.trim() !== "" || filter.runsOn !== "" || filter.media !== "";
    let shown = 0;
    for (const group of this.groups) {
      let inGroup = 0;
      for (const { node, row } of group.rows) {
        const match = matches(node, filter);
        row.hidden = !match;
        if (match) inGroup++;
      }
      shown += inGroup;
      group.el.hidden = inGroup === 0;
      group.count.textContent = filtering ? `${inGroup} of ${group.rows.length}` : String(group.rows.length);
      // A filtered list is short enough to show open; the full one starts folded by namespace.
      group.el.open = filtering && inGroup > 0;
    }
    this.el.status.textContent = filtering ? `${shown} of ${this.total} node types match.` : `${this.total} node types in ${this.groups.length} namespaces.`;
  }
}

function nodeRow(node: CatalogEntry): HTMLLIElement {
  const details = h(
    "details",
    {},
    h(
      "summary",
      {},
      h("strong", {}, node.title),
      " ",
      h("code", { class: "catalog-type" }, node.type),
      node.runs_on === "gpu-runner" && h("span", { class: "badge runs-on", "data-runs-on": "gpu-runner", title: "Runs on the gpu-runner pool" }, "gpu-runner"),
      node.kind !== "node" && h("span", { class: "badge", "data-kind": node.kind }, node.kind),
    ),
  );
  // Ports are built on first open: most entries are never opened.
  details.addEventListener("toggle", () => {
    if (details.open && details.childElementCount === 1) details.append(nodeBody(node));
  });
  return h("li", { class: "catalog-node", "data-node-type": node.type, "data-runs-on": node.runs_on }, details);
}

function nodeBody(node: CatalogEntry): HTMLElement {
  const notes = [
    node.runs_on === "gpu-runner" ? "Runs on the gpu-runner pool." : "Runs in the Worker.",
    node.is_dynamic && "Accepts extra inputs of any name (dynamic).",
    node.is_streaming_output && "Streams its outputs.",
  ].filter(Boolean);
  return h(
    "div",
    { class: "catalog-body" },
    ...describe(node.description),
    h("p", { class: "hint" }, notes.join(" ")),
    portTable("Inputs", "inputs", node.properties, true),
    portTable("Outputs", "outputs", node.outputs, false),
  );
}

function portTable(caption: string, role: string, ports: CatalogPort[], withDefaults: boolean): HTMLElement {
  if (ports.length === 0) return h("p", { class: "hint", "data-ports": role }, `${caption}: none.`);
  const head = h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Type"), withDefaults && h("th", { scope: "col" }, "Default"));
  const rows = ports.map((port) => {
    const media = mediaOf(port.type);
    return h(
      "tr",
      { "data-port": port.name, "data-port-type": port.type, "data-media": media },
      h("th", { scope: "row", title: port.description || null }, port.name, port.required && h("span", { class: "required", title: "required" }, h("span", { "aria-hidden": "true" }, " *"), h("span", { class: "visually-hidden" }, " (required)"))),
      h("td", {}, h("code", {}, port.type), media && mediaTag(media)),
      withDefaults && h("td", {}, port.default === undefined ? "" : h("code", { class: "catalog-default" }, shortJson(port.default))),
    );
  });
  return h("table", { class: "catalog-ports", "data-ports": role }, h("caption", {}, caption), h("thead", {}, head), h("tbody", {}, ...rows));
}

function mediaTag(media: MediaKind): HTMLElement {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", MEDIA_ICON[media]);
  svg.append(path);
  return h("span", { class: "media-tag", "data-media": media }, svg, media);
}

/** NodeTool's descriptions: a summary line, a line of keywords, then (after a blank line) any notes. */
function describe(description: string): HTMLElement[] {
  const lines = description.split("\n").map((l) => l.trim());
  const summary = lines[0] ?? "";
  if (summary === "") return [h("p", { class: "hint" }, "No description.")];
  const keywords = lines.length > 1 && lines[1] !== "" && !/[.:]$/.test(lines[1]) ? lines[1] : null;
  const notes = lines
    .slice(keywords === null ? 1 : 2)
    .join("\n")
    .trim();
  return [
    h("p", { class: "catalog-description" }, summary),
    keywords && h("p", { class: "catalog-keywords hint" }, `Keywords: ${keywords}`),
    notes && h("p", { class: "catalog-description" }, notes),
  ].filter((el): el is HTMLParagraphElement => el instanceof HTMLElement);
}

function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
