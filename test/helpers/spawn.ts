// Runs the bin scripts as a user would, for CLI tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `as`: run as another user (the test must be root). */
export function startBin(name: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, as: { uid?: number; gid?: number } = {}): ChildProcess {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AQUATIC_')));
  return spawn(process.execPath, [`${ROOT}bin/${name}.js`, ...args], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...as });
}

export function finished(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

export function runBin(name: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  return finished(startBin(name, args, env));
}

/** Resolves with the `times`-th match of `pattern` in what the child writes to stderr from now on. */
export function waitForStderr(child: ChildProcess, pattern: RegExp, times = 1): Promise<RegExpExecArray> {
  const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const matches = [...text.matchAll(global)];
      if (matches.length >= times) {
        child.stderr!.off('data', onData);
        resolve(matches[times - 1] as RegExpExecArray);
      }
    };
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing ${pattern}: ${text}`)));
  });
}
