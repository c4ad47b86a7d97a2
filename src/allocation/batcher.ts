// Decision batching for one allocation index (controller.ts): decisions
// submitted in the same event-loop turn run together on the next turn, by
// (order, name) — claim type, then name — so claims written together get the
// same values every run, whatever order their requests arrived in.
// Trade-off: every decision waits one turn (setImmediate).

/** Runs submitted decisions on the next event-loop turn, by (order, name). */
export class Batcher {
  private pending: Array<{ order: number; name: string; run: () => void }> = [];
  private scheduled = false;

  submit<T>(order: number, name: string, fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({
        order,
        name,
        run: () => {
          try {
            resolve(fn());
          } catch (err) {
            reject(err);
          }
        },
      });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.drain());
      }
    });
  }

  private drain(): void {
    this.scheduled = false;
    const batch = this.pending.splice(0).sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const p of batch) p.run();
  }
}
