import { ApiError } from "../errors/api-error";
import { serveObject } from "../storage/serve";
import { headModel } from "./manifest";

/**
 * Serves a model's bytes through edge/storage's serveObject (Range 206/416, If-None-Match /
 * If-Modified-Since 304, HEAD, ETag, Content-Length), plus its SHA-256 in `X-Model-SHA256`. The manifest
 * is read first; when an upload replaced the model between that read and the file read (the old file is
 * deleted after the switch), the manifest is read once more.
 */
export async function serveModel(bucket: R2Bucket, manifestKey: string, request: Request, options: { name: string; download: boolean }): Promise<Response> {
  const what = `Model '${options.name}'`;
  for (let attempt = 0; ; attempt++) {
    const model = await headModel(bucket, manifestKey);
    if (!model) throw ApiError.notFound(what);
    let response: Response;
    try {
      response = await serveObject(bucket, model.data.file, request, {
        what,
        downloadName: options.download ? options.name.slice(options.name.lastIndexOf("/") + 1) : undefined,
      });
    } catch (err) {
      if (attempt === 0 && err instanceof ApiError && err.type === "not_found") continue;
      throw err;
    }
    response.headers.set("X-Model-SHA256", model.data.sha256);
    return response;
  }
}
