import { vi } from 'vitest';
import { main } from '../../cli/main.js';

/** What a CLI command returned and printed. */
export interface CliOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `ecomdw <args>` in this process (with `env` as its environment, process.env by default), stdout and stderr captured apart, process.exitCode left as found. */
export async function runEcomdw(args: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<CliOutcome> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  process.exitCode = undefined;
  try {
    const code = await main([...args], env);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}
