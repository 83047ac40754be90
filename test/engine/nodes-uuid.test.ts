import { describe, expect, it } from "vitest";
import { packOutput as run } from "./data-pack-harness";

const U = (name: string) => `lib.uuid.${name}`;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("lib.uuid nodes", () => {
  it("generates version 1 and 4 UUIDs", async () => {
    const a = (await run(U("GenerateUUID4"))) as string;
    const b = (await run(U("GenerateUUID4"))) as string;
    expect(UUID_RE.exec(a)?.[1]).toBe("4");
    expect(a).not.toBe(b);
    expect(UUID_RE.exec((await run(U("GenerateUUID1"))) as string)?.[1]).toBe("1");
  });

  it("name-based UUIDs match Python's uuid3/uuid5", async () => {
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org"), uuid.uuid3(uuid.NAMESPACE_DNS, "python.org")
    expect(await run(U("GenerateUUID5"), { namespace: "dns", name: "python.org" })).toBe("886313e1-3b8a-5372-9b90-0c9aee199e5d");
    expect(await run(U("GenerateUUID3"), { namespace: "DNS", name: "python.org" })).toBe("6fa459ea-ee8a-3ca4-894e-db77e160355e");
    expect(await run(U("GenerateUUID5"), { namespace: "6ba7b810-9dad-11d1-80b4-00c04fd430c8", name: "python.org" })).toBe("886313e1-3b8a-5372-9b90-0c9aee199e5d");
    await expect(run(U("GenerateUUID5"), { namespace: "nope", name: "x" })).rejects.toThrow(/Invalid namespace/);
  });

  it("ParseUUID, FormatUUID and IsValidUUID read strings as Python's uuid.UUID", async () => {
    const s = "{886313E1-3B8A-5372-9B90-0C9AEE199E5D}";
    expect(await run(U("ParseUUID"), { uuid_string: s })).toEqual({
      uuid: "886313e1-3b8a-5372-9b90-0c9aee199e5d",
      version: 5,
      variant: "specified in RFC 4122",
      hex: "886313e13b8a53729b900c9aee199e5d",
      int: BigInt("0x886313e13b8a53729b900c9aee199e5d").toString(),
      is_valid: true,
    });
    expect(await run(U("ParseUUID"), { uuid_string: "xyz" })).toEqual({ uuid: "xyz", is_valid: false, error: "badly formed hexadecimal UUID string" });
    expect(await run(U("FormatUUID"), { uuid_string: "886313e13b8a53729b900c9aee199e5d", format: "urn" })).toBe("urn:uuid:886313e1-3b8a-5372-9b90-0c9aee199e5d");
    expect(await run(U("FormatUUID"), { uuid_string: "urn:uuid:886313e1-3b8a-5372-9b90-0c9aee199e5d", format: "UUIDFormat.HEX" })).toBe("886313e13b8a53729b900c9aee199e5d");
    await expect(run(U("FormatUUID"), { uuid_string: "123" })).rejects.toThrow(/Invalid UUID string: 123/);
    expect(await run(U("IsValidUUID"), { uuid_string: "886313e1-3b8a-5372-9b90-0c9aee199e5d" })).toBe(true);
    expect(await run(U("IsValidUUID"), { uuid_string: "886313e1-3b8a-5372-9b90-0c9aee199e5" })).toBe(false);
  });
});
