// Per-document run scheduling: debounce edits, cancel the run in flight, and let only the newest run publish.

export type Job = (signal: AbortSignal) => Promise<void>;

interface Slot {
  timer?: NodeJS.Timeout;
  controller?: AbortController;
  generation: number;
}

export class Scheduler {
  private readonly slots = new Map<string, Slot>();

  /** `onError` receives failures of jobs that were not cancelled. */
  constructor(private readonly onError: (key: string, e: unknown) => void) {}

  /**
   * Runs `job` for `key` after `delayMs` unless another schedule for the same key comes first.
   * A job still running when a newer one starts is aborted; `isCurrent` tells a job whether it may still publish.
   */
  schedule(key: string, delayMs: number, job: (signal: AbortSignal, isCurrent: () => boolean) => Promise<void>): void {
    const slot = this.slots.get(key) ?? { generation: 0 };
    this.slots.set(key, slot);
    if (slot.timer) clearTimeout(slot.timer);
    const generation = ++slot.generation;
    const start = () => {
      slot.timer = undefined;
      slot.controller?.abort();
      const controller = new AbortController();
      slot.controller = controller;
      const isCurrent = () => slot.generation === generation && !controller.signal.aborted;
      job(controller.signal, isCurrent).catch((e: unknown) => {
        if (!controller.signal.aborted) this.onError(key, e);
      }).finally(() => {
        if (slot.controller === controller) slot.controller = undefined;
      });
    };
    if (delayMs <= 0) start();
    else slot.timer = setTimeout(start, delayMs);
  }

  /** Cancels anything pending or running for `key` (document closed). */
  cancel(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.controller?.abort();
    slot.generation++;
    this.slots.delete(key);
  }

  dispose(): void {
    for (const key of [...this.slots.keys()]) this.cancel(key);
  }
}
