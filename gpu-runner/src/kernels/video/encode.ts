/** H.264 in yuv420p, as NodeTool encodes (libx264, pix_fmt yuv420p); veryfast keeps CPU runners responsive. */
export const H264 = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"];
/** yuv420p needs even sides: odd ones are padded by one pixel instead of failing. */
export const EVEN = "pad=ceil(iw/2)*2:ceil(ih/2)*2";
