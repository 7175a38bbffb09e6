// The routing rules as the editor shows them: read from the backend, changed one edit at a
// time (each answered with the rules as they then stand), an edit's refusal kept beside the
// form it came from, and the "test a call" box.
import type { BlockedNumber } from "../bindings/BlockedNumber";
import type { ForwardingPlan } from "../bindings/ForwardingPlan";
import type { RoutingRules } from "../bindings/RoutingRules";
import type { RoutingSettings } from "../bindings/RoutingSettings";
import type { VipCaller } from "../bindings/VipCaller";
import { api as defaultApi, toApiError, type Api } from "./api";
import type { UiError } from "./ui-error";

/** The editor's forms: each shows its own refusal. */
export type RuleForm = "blacklist" | "vip" | "plan" | "settings" | "delete";

export type RoutingApi = Pick<
  Api,
  "routingRules" | "saveBlocked" | "saveVip" | "savePlan" | "saveRoutingSettings" | "deleteRule" | "testRoute"
>;

export class RoutingStore {
  /** null until first read. */
  rules = $state.raw<RoutingRules | null>(null);
  loading = $state(false);
  loadError = $state<UiError | null>(null);
  /** The form whose edit is being sent. */
  busy = $state<RuleForm | null>(null);
  /** Why the last edit of each form was refused; cleared by its next one. */
  errors = $state<Partial<Record<RuleForm, UiError>>>({});

  /** The "test a call" box: the last answer, or why there is none. */
  testing = $state(false);
  testAnswer = $state<string | null>(null);
  testError = $state<UiError | null>(null);

  readonly #api: RoutingApi;
  #generation = 0;

  constructor(a: RoutingApi = defaultApi) {
    this.#api = a;
  }

  async load(): Promise<void> {
    const gen = ++this.#generation;
    this.loading = true;
    try {
      const rules = await this.#api.routingRules();
      if (gen !== this.#generation) return;
      this.rules = rules;
      this.loadError = null;
    } catch (e) {
      if (gen !== this.#generation) return;
      this.loadError = toApiError(e);
    } finally {
      if (gen === this.#generation) this.loading = false;
    }
  }

  /** Sends one edit; true when the backend took it (the rules are then its answer). */
  async #edit(form: RuleForm, send: () => Promise<RoutingRules>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = form;
    delete this.errors[form];
    try {
      const rules = await send();
      // Newer than any read still in flight.
      this.#generation++;
      this.loading = false;
      this.rules = rules;
      return true;
    } catch (e) {
      this.errors[form] = toApiError(e);
      return false;
    } finally {
      this.busy = null;
    }
  }

  saveBlocked(entry: BlockedNumber): Promise<boolean> {
    return this.#edit("blacklist", () => this.#api.saveBlocked(entry));
  }

  saveVip(vip: VipCaller): Promise<boolean> {
    return this.#edit("vip", () => this.#api.saveVip(vip));
  }

  savePlan(plan: ForwardingPlan): Promise<boolean> {
    return this.#edit("plan", () => this.#api.savePlan(plan));
  }

  saveSettings(settings: RoutingSettings): Promise<boolean> {
    return this.#edit("settings", () => this.#api.saveRoutingSettings(settings));
  }

  remove(id: number): Promise<boolean> {
    return this.#edit("delete", () => this.#api.deleteRule(id));
  }

  clearError(form: RuleForm): void {
    delete this.errors[form];
  }

  /** Asks where a call from `caller` to `called` would go now. */
  async test(caller: string, called: string): Promise<void> {
    this.testing = true;
    this.testError = null;
    try {
      this.testAnswer = (await this.#api.testRoute({ caller: caller.trim(), called: called.trim() })).answer;
    } catch (e) {
      this.testAnswer = null;
      this.testError = toApiError(e);
    } finally {
      this.testing = false;
    }
  }
}

/** The app's routing rules, read through the transport chosen at start-up. */
export const routing = new RoutingStore();
