/** The HTTP side of the page: the workflows, examples and assets APIs, with the caller's token, on the typed client (client/). */

import { type ApiClient, APIError, createApiClient, type Schemas, unwrap } from "../../client/index";
import type { CatalogEntry } from "./catalog";

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

/** A workflow as the contract has it; its input and output schemas (JSON objects there) read as JSON Schema. */
export type Workflow = Pick<Schemas["Workflow"], "id" | "name" | "description"> & {
  input_schema?: JsonSchema | null;
  output_schema?: JsonSchema | null;
};

export type ExampleSummary = Schemas["ExampleSummary"];

export type Asset = Schemas["Asset"];

/** A job message of the stream endpoints and the WebSocket, as the contract types it. */
export type { StreamMessage } from "../../client/index";

/** An error answer of the API (`{error: {message, type, code}}`), or a network failure (status 0). */
export { APIError as ApiError };

export class Api {
  /** The bearer token, or null when the server needs none (AUTH_PROVIDER none/local). */
  token: string | null = null;

  /** The page's own origin: the API is served next to it. */
  private readonly client: ApiClient = createApiClient(location.origin, () => this.token);

  /** Every workflow of the caller (all pages); `token` tries another token than the current one. */
  async workflows(token: string | null = this.token): Promise<Workflow[]> {
    const client = token === this.token ? this.client : createApiClient(location.origin, token);
    const all: Workflow[] = [];
    let cursor: string | undefined;
    do {
      const page = unwrap(await client.GET("/api/workflows", { params: { query: { limit: 500, ...(cursor ? { cursor } : {}) } } }));
      all.push(...(page.workflows as Workflow[]));
      cursor = page.next ?? undefined;
    } while (cursor);
    return all;
  }

  async examples(): Promise<ExampleSummary[]> {
    return unwrap(await this.client.GET("/api/examples/list")).examples;
  }

  async copyExample(name: string): Promise<Workflow> {
    return unwrap(await this.client.POST("/api/examples/{name}/copy", { params: { path: { name } }, body: {} })) as Workflow;
  }

  /** Uploads a file as an asset of the caller (`POST /api/assets`, multipart). */
  async uploadAsset(file: File, workflowId: string | null): Promise<Asset> {
    const json = JSON.stringify({ name: file.name, ...(workflowId ? { workflow_id: workflowId } : {}) });
    const form = new FormData();
    // Metadata first: the server reads the form as a stream.
    form.append("json", json);
    form.append("file", file, file.name);
    // `body` is the contract's multipart fields, type-checked; the form above is what goes out.
    return unwrap(await this.client.POST("/api/assets", { body: { json, file }, bodySerializer: () => form }));
  }

  async asset(id: string): Promise<Asset> {
    return unwrap(await this.client.GET("/api/assets/{id}", { params: { path: { id } } }));
  }

  /** The node catalog (`GET /api/nodes`): every node type the caller can use, in one answer (not paged). */
  async nodes(): Promise<CatalogEntry[]> {
    return unwrap(await this.client.GET("/api/nodes")).nodes;
  }
}
