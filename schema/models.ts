import { z } from "zod";

/**
 * The model file API (`/api/models`): ONNX files a user uploads for `edge.ml.RunONNXModel`, stored in R2 and
 * fetched by gpu-runners through `GET /api/runner/models/{key}` (schema/runner.ts, ModelRef).
 */

/** Longest model name, in UTF-8 bytes (names may be nested paths such as `team/v1/net.onnx`). */
export const MODEL_NAME_MAX_BYTES = 512;

export const ModelSchema = z
  .object({
    name: z.string().meta({ description: "The name the model was uploaded under; may contain `/` (`team/v1/net.onnx`)." }),
    size: z.number().int().meta({ description: "Bytes." }),
    sha256: z.string().meta({ description: "Lower-case hex SHA-256 of the file, computed while it was uploaded." }),
    content_type: z.string(),
    uploaded_at: z.string().meta({ description: "ISO 8601 time of the upload that stored this version." }),
  })
  .meta({ id: "Model" });
export type Model = z.infer<typeof ModelSchema>;

export const ModelListSchema = z
  .object({ models: z.array(ModelSchema), next: z.string().nullable() })
  .meta({ id: "ModelList", description: "Sorted by name; pass `next` as `cursor` for the following page (null on the last)." });

export const ModelListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(1024).optional(),
});
