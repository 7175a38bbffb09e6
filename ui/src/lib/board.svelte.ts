// The strip above the history: which tab it shows (the live board or the missed queue) and
// whether it is folded, kept across restarts (an operator who folds it wants it folded).
export type BoardTab = "live" | "missed";

type Storage = Pick<globalThis.Storage, "getItem" | "setItem">;

export const BOARD_KEY = "callboard.board";

function defaultStorage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    // storage disabled
    return null;
  }
}

export class BoardView {
  #tab = $state<BoardTab>("live");
  #collapsed = $state(false);
  readonly #storage: Storage | null;

  constructor(storage: Storage | null = defaultStorage()) {
    this.#storage = storage;
    try {
      const v: unknown = JSON.parse(storage?.getItem(BOARD_KEY) ?? "null");
      if (typeof v === "object" && v !== null) {
        const o = v as Record<string, unknown>;
        this.#tab = o.tab === "missed" ? "missed" : "live";
        this.#collapsed = o.collapsed === true;
      }
    } catch {
      // not ours, or unreadable: the defaults
    }
  }

  get tab(): BoardTab {
    return this.#tab;
  }

  set tab(v: BoardTab) {
    this.#tab = v;
    this.#save();
  }

  get collapsed(): boolean {
    return this.#collapsed;
  }

  set collapsed(v: boolean) {
    this.#collapsed = v;
    this.#save();
  }

  /** Shows a tab, unfolding the strip. */
  show(tab: BoardTab): void {
    this.#tab = tab;
    this.#collapsed = false;
    this.#save();
  }

  #save(): void {
    try {
      this.#storage?.setItem(BOARD_KEY, JSON.stringify({ tab: this.#tab, collapsed: this.#collapsed }));
    } catch {
      // storage refused: the strip opens as by default next time
    }
  }
}

/** The window's strip. */
export const boardView = new BoardView();
