import { z } from "zod";

/** Asset ids: the alphabet of ids in paths. Server-made ids are 32 lower-case hex digits. */
export const AssetIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "asset ids use letters, digits, '_' and '-'");

/** An asset as the assets API presents it (NodeTool's Asset, plus the `uri` workflows take). */
export const AssetSchema = z
  .object({
    id: z.string(),
    user_id: z.string(),
    parent_id: z.string().nullable().meta({ description: "The folder it is filed under; the user id at the top level (NodeTool's root folder)." }),
    name: z.string(),
    content_type: z.string().meta({ description: "`folder` for folders." }),
    size: z.number().int().nullable().meta({ description: "Bytes; null for folders." }),
    metadata: z.record(z.string(), z.unknown()).nullable(),
    workflow_id: z.string().nullable(),
    job_id: z.string().nullable(),
    node_id: z.string().nullable(),
    created_at: z.string(),
    uri: z.string().nullable().meta({ description: "`asset://<id>.<ext>`: how workflow media inputs name it. Null for folders." }),
    get_url: z.string().nullable().meta({ description: "Public storage URL of the file (anyone holding it can read it). Null for folders." }),
    thumb_url: z.string().nullable(),
  })
  .meta({ id: "Asset" });
export type Asset = z.infer<typeof AssetSchema>;

export const AssetListSchema = z
  .object({ assets: z.array(AssetSchema), next: z.string().nullable() })
  .meta({ id: "AssetList", description: "Newest first; pass `next` as `cursor` for the following page." });

export const AssetListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(512).optional(),
  content_type: z
    .string()
    .max(200)
    .optional()
    .meta({ description: "`image/png` matches exactly; a bare type (`image`) matches every `image/*`; `folder` lists folders." }),
  parent_id: z.string().max(128).optional().meta({ description: "Only assets filed in this folder (the user id, or `root`: the top level)." }),
});

/**
 * The metadata part of an upload (multipart field `json`), or the JSON body that creates a folder. Every
 * field is optional: the name defaults to the file's name, the content type to the file part's.
 */
export const AssetCreateSchema = z
  .object({
    name: z.string().min(1).max(512).optional(),
    parent_id: AssetIdSchema.nullable().optional(),
    content_type: z.string().min(1).max(200).optional(),
    metadata: z.record(z.string(), z.unknown()).nullable().optional(),
    workflow_id: z.string().max(128).nullable().optional(),
  })
  .meta({ id: "AssetCreate" });
export type AssetCreate = z.infer<typeof AssetCreateSchema>;

/** An image of the seed-compatible `/api/images` routes: an image asset named by `<asset_id>.<ext>`. */
export const ImageSchema = z
  .object({
    filename: z.string().meta({ description: "`<asset_id>.<ext>`: what the download and delete routes take." }),
    asset_id: z.string(),
    name: z.string(),
    content_type: z.string(),
    size: z.number().int().nullable(),
    url: z.string().meta({ description: "Public storage URL." }),
    uri: z.string().meta({ description: "`asset://<id>.<ext>`, for workflow image inputs." }),
    created_at: z.string(),
  })
  .meta({ id: "Image" });

export const ImageListSchema = z.object({ images: z.array(ImageSchema), next: z.string().nullable() }).meta({ id: "ImageList" });

export const ImageListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(512).optional(),
});

/** What a storage PUT answers. */
export const StoredObjectSchema = z
  .object({
    key: z.string().meta({ description: "The object's key below `assets/` or `temp/` (the same key the public route takes)." }),
    size: z.number().int(),
    etag: z.string(),
    content_type: z.string(),
    url: z.string().meta({ description: "Public storage URL." }),
  })
  .meta({ id: "StoredObject" });
