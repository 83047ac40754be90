import { describe, expect, it } from "vitest";
import { tokensEqual } from "../../edge/auth/static-token";

// Runs in workerd: crypto.subtle.timingSafeEqual is a Workers extension.
describe("tokensEqual", () => {
  it("accepts the expected token only", () => {
    expect(tokensEqual("s3cret-token", "s3cret-token")).toBe(true);
    expect(tokensEqual("s3cret-tokeN", "s3cret-token")).toBe(false);
    expect(tokensEqual("x3cret-token", "s3cret-token")).toBe(false);
  });

  it("rejects tokens of another length, prefixes and extensions included", () => {
    for (const given of ["", "s", "s3cret-toke", "s3cret-token ", "s3cret-token-and-more", "s3cret-tokens3cret-token"]) {
      expect(tokensEqual(given, "s3cret-token")).toBe(false);
    }
  });

  it("compares bytes, not UTF-16 units", () => {
    // Same string length, different UTF-8 lengths.
    expect(tokensEqual("tökën", "token")).toBe(false);
    expect(tokensEqual("tökën", "tökën")).toBe(true);
  });
});
