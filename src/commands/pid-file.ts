import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * How `front-why rules reload` reaches a running `front-why serve` on the same host:
 *
 * - `serve` writes its pid to FRONT_WHY_PID_FILE (default ./data/front-why.pid, one line, nothing else, so
 *   `kill -HUP "$(cat data/front-why.pid)"` works too) once it is ready, and removes it on a clean exit;
 * - `rules reload` sends that pid SIGHUP, and `serve` reloads its rules;
 * - after every reload `serve` writes the outcome next to the pid file (`front-why.reload.json`: pid, a sequence
 *   number, ok, how many rules, the errors), which is how `rules reload` learns what the server itself loaded
 *   (its FRONT_WHY_RULES_DIR may not be the one the CLI checked) instead of trusting a fire-and-forget signal.
 */

export interface ReloadStatus {
  pid: number;
  /** 0 for the rules loaded at start, then one more per reload, good or not. */
  seq: number;
  at: string;
  trigger: string;
  ok: boolean;
  dir: string;
  /** ok: how many rules now serve. */
  rules?: number;
  /** not ok: how many rules keep serving. */
  serving?: number;
  errors?: string[];
}

export type PidFileState =
  | { kind: 'missing' }
  | { kind: 'unreadable'; reason: string }
  | { kind: 'invalid'; content: string }
  | { kind: 'pid'; pid: number };

export function reloadStatusPath(pidFile: string): string {
  const dir = path.dirname(pidFile);
  const base = path.basename(pidFile).replace(/\.pid$/, '');
  return path.join(dir, `${base}.reload.json`);
}

/** Written whole (temporary file, then rename), so a reader never sees half a pid. */
export function writePidFile(file: string, pid: number): void {
  writeAtomically(file, `${pid}\n`);
}

/** Only the file naming this process goes: a newer server that took the pid file over keeps it. */
export function removePidFile(file: string, pid: number): void {
  const state = readPidFile(file);
  if (state.kind === 'pid' && state.pid === pid) {
    rmSync(file, { force: true });
    rmSync(reloadStatusPath(file), { force: true });
  }
}

export function readPidFile(file: string): PidFileState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unreadable', reason: typeof code === 'string' ? code : String(err) };
  }
  const content = text.trim();
  if (!/^[1-9][0-9]{0,9}$/.test(content)) return { kind: 'invalid', content: content.slice(0, 40) };
  return { kind: 'pid', pid: Number(content) };
}

export function writeReloadStatus(pidFile: string, status: ReloadStatus): void {
  writeAtomically(reloadStatusPath(pidFile), `${JSON.stringify(status)}\n`);
}

export function readReloadStatus(pidFile: string): ReloadStatus | undefined {
  try {
    const parsed = JSON.parse(readFileSync(reloadStatusPath(pidFile), 'utf8')) as Partial<ReloadStatus>;
    if (typeof parsed.pid !== 'number' || typeof parsed.seq !== 'number' || typeof parsed.ok !== 'boolean')
      return undefined;
    return parsed as ReloadStatus;
  } catch {
    return undefined;
  }
}

export type ProcessState = 'running' | 'gone' | 'not-permitted';

/** Signal 0 checks that a process exists without touching it. */
export function processState(pid: number): ProcessState {
  try {
    process.kill(pid, 0);
    return 'running';
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return code === 'EPERM' ? 'not-permitted' : 'gone';
  }
}

/**
 * Whether `pid` looks like a front-why process. A stale pid file may name a pid the system gave to something
 * else since, and SIGHUP ends most programs. Linux says through /proc; elsewhere there is no cheap way to ask,
 * so the answer is "unknown" and the caller goes ahead.
 */
export function isFrontWhy(pid: number): boolean | undefined {
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
  return cmdline.includes('front-why');
}

function writeAtomically(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600 });
  renameSync(temporary, file);
}
