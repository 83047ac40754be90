import { exports } from "cloudflare:workers";
import { SignJWT } from "jose";

const SECRET = new TextEncoder().encode("test-secret-for-the-workerd-suite-000000");

/** A Supabase-style HS256 access token for `sub`. */
export async function tokenFor(sub: string, opts: { expiresIn?: string; secret?: Uint8Array } = {}): Promise<string> {
  return new SignJWT({ role: "authenticated" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? "1h")
    .sign(opts.secret ?? SECRET);
}

export const worker = () => (exports as unknown as { default: Fetcher }).default;

/** Calls the Worker as `user` (or with no token when user is null). */
export async function call(user: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const h: Record<string, string> = { ...headers };
  if (user !== null) h.Authorization = `Bearer ${await tokenFor(user)}`;
  let payload: BodyInit | undefined;
  if (typeof body === "string") payload = body;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    h["Content-Type"] ??= "application/json";
  }
  return worker().fetch(`https://edge.test${path}`, { method, headers: h, body: payload });
}

export async function errorOf(res: Response): Promise<{ message: string; type: string; code: number; details?: unknown[] }> {
  const body = (await res.json()) as { error: { message: string; type: string; code: number; details?: unknown[] } };
  return body.error;
}

/** A small valid workflow: a string input (name with a space) straight into an output. */
export function echoWorkflow(name = "echo") {
  return {
    name,
    graph: {
      nodes: [
        { id: "in", type: "nodetool.input.StringInput", data: { name: "first name", value: "Ada" } },
        { id: "out", type: "nodetool.output.Output", data: { name: "greeting" } },
      ],
      edges: [{ id: "e1", source: "in", sourceHandle: "output", target: "out", targetHandle: "value" }],
    },
  };
}
