/**
 * One demo at a time per folder: the running demo holds .demo-data/demo.lock with its pid and,
 * once dynalite is up, its endpoint. A second `npm start` is refused instead of wiping the first
 * one's data, and `status --demo` / `history --demo` read the running demo's dynalite through
 * that endpoint (LevelDB allows one process per folder) instead of failing on the folder's lock.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DEMO_DATA_DIR } from "./demo-store.js";

export const DEMO_LOCK_FILE = join(dirname(DEMO_DATA_DIR), "demo.lock");

export interface DemoLockInfo {
  readonly pid: number;
  readonly startedAt: string;
  /** The running demo's dynalite, once started. */
  readonly dynamodb?: string;
}

export class DemoRunningError extends Error {
  constructor(readonly holder: DemoLockInfo) {
    super(
      `a demo is already running in this folder (pid ${holder.pid}, started ${holder.startedAt}); ` +
        "wait for it to finish or stop it (Ctrl-C in its terminal), then start again " +
        `(if no demo is running, delete ${DEMO_LOCK_FILE})`,
    );
    this.name = "DemoRunningError";
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The running demo's lock, or undefined when there is none or its process has gone. */
export function readDemoLock(file = DEMO_LOCK_FILE): DemoLockInfo | undefined {
  let info: DemoLockInfo;
  try {
    info = JSON.parse(readFileSync(file, "utf8")) as DemoLockInfo;
  } catch {
    return undefined;
  }
  return Number.isInteger(info.pid) && alive(info.pid) ? info : undefined;
}

export interface DemoLock {
  /** Record where the demo's dynalite listens, for readers in other terminals. */
  publish(dynamodb: string): void;
  release(): void;
}

/** Take the lock, or throw DemoRunningError when a live demo holds it; a dead holder's lock is taken over. */
export async function acquireDemoLock(file = DEMO_LOCK_FILE): Promise<DemoLock> {
  await mkdir(dirname(file), { recursive: true });
  const info: DemoLockInfo = { pid: process.pid, startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      // "wx": created only if absent, so of two demos starting together exactly one gets it.
      writeFileSync(file, JSON.stringify(info), { flag: "wx" });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw err;
      const holder = readDemoLock(file);
      if (holder) throw new DemoRunningError(holder);
      rmSync(file, { force: true }); // left by a demo that was killed
    }
  }
  let current = info;
  return {
    publish(dynamodb) {
      current = { ...current, dynamodb };
      writeFileSync(file, JSON.stringify(current));
    },
    release() {
      // Only our own lock: never remove one another demo took over.
      if (readDemoLock(file)?.pid === process.pid) rmSync(file, { force: true });
    },
  };
}
