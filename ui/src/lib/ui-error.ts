// Errors as the UI holds them: the backend's `ApiError`, plus what the UI's own link to the
// backend saw, which the backend cannot describe (it was not reached, or something else
// answered: a proxy, an old server; or the audio element failed).
import type { ApiError } from "../bindings/ApiError";

export type TransportFailure =
  | { kind: "backend_unreachable"; detail: string }
  | { kind: "http_status"; status: number; statusText: string; body: string }
  | { kind: "bad_response"; status: number; body: string }
  | { kind: "media"; code: number | null; detail: string };

export type UiError = ApiError & { transport?: TransportFailure };
