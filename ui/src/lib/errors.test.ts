import { beforeEach, describe, expect, it } from "vitest";
import { apiError } from "./api";
import { connection } from "./connection.svelte";
import { clearErrors, notices, reportError } from "./errors.svelte";

describe("reportError", () => {
  beforeEach(() => {
    clearErrors();
    connection.stop();
    connection.opened();
    connection.stop();
  });

  it("shows an error once and counts repeats", () => {
    reportError("ctx", apiError("internal", "boom"));
    reportError("ctx", apiError("internal", "boom"));
    expect(notices).toHaveLength(1);
    expect(notices[0].count).toBe(2);
  });

  it("leaves an unreachable backend to the connection indicator instead of a banner per request", () => {
    const down = apiError("network", "no answer", { kind: "backend_unreachable", detail: "Failed to fetch" });
    for (let i = 0; i < 5; i++) reportError("ctx", down);
    expect(notices).toHaveLength(0);
    expect(connection.state).toBe("lost");
    connection.stop();
  });
});
