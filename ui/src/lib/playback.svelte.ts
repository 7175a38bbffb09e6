// The playback speed the operator chose: kept across calls and reloads, since one who listens
// at 1.5× wants every call at 1.5×.

export const SPEEDS = [0.75, 1, 1.25, 1.5, 2] as const;
export const RATE_KEY = "callboard.playbackRate";

/** A stored value as a speed the player offers; anything else is the normal speed. */
export function parseRate(v: string | null | undefined): number {
  const n = Number(v);
  return (SPEEDS as readonly number[]).includes(n) ? n : 1;
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled (privacy settings): the speed lasts for this page only
  }
}

function stored(): number {
  try {
    return parseRate(storage()?.getItem(RATE_KEY));
  } catch {
    return 1;
  }
}

export const playback = $state({ rate: stored() });

export function setRate(rate: number): void {
  if (!(SPEEDS as readonly number[]).includes(rate)) return;
  playback.rate = rate;
  try {
    storage()?.setItem(RATE_KEY, String(rate));
  } catch {
    // quota or privacy mode: still applies to this page
  }
}
