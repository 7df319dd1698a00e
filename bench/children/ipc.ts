/** Child side of `startWorker`: answer each request in order, exit when told to. */

export function serve(handle: (message: Record<string, unknown>) => Promise<unknown>): void {
  let queue = Promise.resolve();
  process.on("message", (raw: unknown) => {
    const message = (raw ?? {}) as Record<string, unknown>;
    queue = queue.then(async () => {
      if (message.type === "exit") {
        process.disconnect?.();
        process.exit(0);
      }
      try {
        send(await handle(message));
      } catch (err) {
        send({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      }
    });
  });
  // Tell the parent we are listening: messages sent before this would be lost.
  send({ ready: true });
}

function send(message: unknown): void {
  process.send?.(message as object);
}
