/** The HTTP side of the page: the workflows, examples and assets APIs, with the caller's token. */

export type JsonSchema = Record<string, unknown> & {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  default?: unknown;
  label?: string;
  description?: string;
  const?: unknown;
};

export interface Workflow {
  id: string;
  name: string;
  description?: string | null;
  input_schema?: JsonSchema | null;
  output_schema?: JsonSchema | null;
}

export interface ExampleSummary {
  name: string;
  title: string;
  description: string;
  tags: string[];
}

export interface Asset {
  id: string;
  uri: string | null;
  get_url: string | null;
  content_type: string;
}

/** An error answer of the API: `{error: {message, type, code}}`, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = "",
  ) {
    super(message);
  }
}

export class Api {
  /** The bearer token, or null when the server needs none (AUTH_PROVIDER none/local). */
  token: string | null = null;

  async request<T>(method: string, path: string, body?: unknown, token: string | null = this.token): Promise<T> {
    const headers: Record<string, string> = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await fetch(path, { method, headers, body: payload });
    } catch (err) {
      throw new ApiError(0, `Cannot reach the server (${(err as Error).message})`, "network");
    }
    const text = await res.text();
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: reported below when the status is an error.
    }
    if (!res.ok) {
      const error = (data as { error?: { message?: unknown; type?: unknown } } | null)?.error;
      const message = typeof error?.message === "string" ? error.message : text.slice(0, 200) || res.statusText;
      throw new ApiError(res.status, message, typeof error?.type === "string" ? error.type : "");
    }
    return data as T;
  }

  /** Every workflow of the caller (all pages). */
  async workflows(token: string | null = this.token): Promise<Workflow[]> {
    const all: Workflow[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page: { workflows: Workflow[]; next: string | null } = await this.request("GET", `/api/workflows?limit=500${query}`, undefined, token);
      all.push(...page.workflows);
      cursor = page.next;
    } while (cursor);
    return all;
  }

  async examples(): Promise<ExampleSummary[]> {
    return (await this.request<{ examples: ExampleSummary[] }>("GET", "/api/examples/list")).examples;
  }

  copyExample(name: string): Promise<Workflow> {
    return this.request("POST", `/api/examples/${encodeURIComponent(name)}/copy`, {});
  }

  /** Uploads a file as an asset of the caller (`POST /api/assets`, multipart). */
  uploadAsset(file: File, workflowId: string | null): Promise<Asset> {
    const form = new FormData();
    // Metadata first: the server reads the form as a stream.
    form.append("json", JSON.stringify({ name: file.name, ...(workflowId ? { workflow_id: workflowId } : {}) }));
    form.append("file", file, file.name);
    return this.request("POST", "/api/assets", form);
  }

  asset(id: string): Promise<Asset> {
    return this.request("GET", `/api/assets/${encodeURIComponent(id)}`);
  }
}
