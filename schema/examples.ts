import { z } from "zod";
import { JsonSchemaObject } from "./workflow";

/**
 * Example workflows shipped with the project (examples/*.json, embedded in the Worker at build time):
 * `GET /api/examples/list`, `GET /api/examples/load?name=`, `POST /api/examples/{name}/copy`, and NodeTool's
 * `GET /api/workflows/examples`.
 */

/** An example's name: its file name without `.json`, also its `id`. */
export const ExampleNameSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "example names use lower-case letters, digits, '.', '_' and '-'");

export const ExampleSummarySchema = z
  .object({
    name: z.string().meta({ example: "hello-world" }),
    title: z.string().meta({ example: "Hello, world" }),
    description: z.string(),
    tags: z.array(z.string()),
    node_types: z.array(z.string()).meta({ description: "The node types the example uses." }),
    input_schema: JsonSchemaObject,
    output_schema: JsonSchemaObject,
  })
  .meta({ id: "ExampleSummary" });
export type ExampleSummary = z.infer<typeof ExampleSummarySchema>;

export const ExampleListSchema = z.object({ examples: z.array(ExampleSummarySchema) }).meta({ id: "ExampleList" });

export const ExampleLoadQuerySchema = z.object({ name: ExampleNameSchema });

/** `POST /api/examples/{name}/copy`: optionally under an id and name of the caller's choosing. */
export const ExampleCopyRequestSchema = z
  .object({
    id: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "ids use letters, digits, '.', '_' and '-'")
      .optional()
      .meta({ description: "Save the copy under this id (create or replace); a new id otherwise." }),
    name: z.string().min(1).max(500).optional().meta({ description: "The copy's name; the example's title otherwise." }),
  })
  .meta({ id: "ExampleCopyRequest" });
