// The player of the opened call, so that keys pressed anywhere in the window (Space right after
// a row was clicked, with the table still focused) reach it without threading refs through the
// detail pane.

export interface PlayerControl {
  toggle(): void;
  seekBy(deltaSecs: number): void;
}

let active: PlayerControl | null = null;

/** Makes `p` the player keys go to; returns the function that withdraws it. */
export function registerPlayer(p: PlayerControl): () => void {
  active = p;
  return () => {
    if (active === p) active = null;
  };
}

export function activePlayer(): PlayerControl | null {
  return active;
}
