// Whether the live event stream is known to work. The backend sends a heartbeat every 10 s
// over both transports, so three missed heartbeats mean the stream is gone even when the
// transport itself reports nothing (a Tauri window whose listener silently stopped, a proxy
// that holds a dead connection open).

export type LinkState = "connecting" | "live" | "lost";

/** No event of any kind for this long: the stream is lost. */
export const SILENCE_MS = 30_000;

export class Connection {
  state = $state<LinkState>("connecting");
  /** When the UI last got fresh data from the backend (an event or a successful read), epoch ms. */
  lastUpdate = $state<number | null>(null);

  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #silenceMs: number;

  constructor(silenceMs = SILENCE_MS) {
    this.#silenceMs = silenceMs;
  }

  /** Starts watching: a stream that never opens counts as lost after the same silence. */
  start(): void {
    this.state = "connecting";
    this.#arm();
  }

  /** The transport (re)opened the stream. */
  opened(): void {
    this.state = "live";
    this.#arm();
  }

  /**
   * An event (heartbeat included) arrived. Returns true when it ends a lost period: what was
   * sent meanwhile was missed, so the caller re-reads.
   */
  event(): boolean {
    const wasLost = this.state === "lost";
    this.state = "live";
    this.lastUpdate = Date.now();
    this.#arm();
    return wasLost;
  }

  /** A read succeeded: the data shown is current, whatever the stream does. */
  updated(): void {
    this.lastUpdate = Date.now();
  }

  /** The transport knows the stream is down (the EventSource failed, the backend did not answer). */
  down(): void {
    this.#disarm();
    this.state = "lost";
  }

  stop(): void {
    this.#disarm();
  }

  #arm(): void {
    this.#disarm();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.state = "lost";
    }, this.#silenceMs);
  }

  #disarm(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

/** The app's one connection, shown by the indicator and fed by App and the error reporter. */
export const connection = new Connection();
