import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkedStateMachine, checkStateMachineAhead } from '../functions/local/stateMachineCheck.js';
import { tempDir } from './helpers/tempLake.js';

const VALID = { StartAt: 'Done', States: { Done: { Type: 'Pass', Result: { ok: true }, End: true } } };
// A dangling Next and a Resource that is no ARN: asl-validator rejects both.
const INVALID = { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: 'not-an-arn', Next: 'Nowhere' } } };

describe('Checking the ASL on a worker thread ahead of the run', () => {
  let dir: string;
  let cleanup: () => void;
  const file = (name: string, definition: unknown): string => {
    const target = path.join(dir, name);
    writeFileSync(target, JSON.stringify(definition));
    return target;
  };

  beforeAll(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterAll(() => cleanup());

  it('rejects an invalid definition with the validator error, checked ahead or not', async () => {
    // Prepare
    const invalid = file('invalid.asl.json', INVALID);
    // Act
    checkStateMachineAhead(invalid);
    const ahead = await checkedStateMachine(invalid).catch((error: unknown) => error);
    const inline = await checkedStateMachine(invalid).catch((error: unknown) => error);
    // Assess
    expect(String(ahead)).toMatch(/State machine definition is invalid/);
    expect(String(inline)).toMatch(/State machine definition is invalid/);
  });

  it('builds a valid definition that runs, from the very text that was checked', async () => {
    // Prepare
    const asl = file('valid.asl.json', VALID);
    checkStateMachineAhead(asl);
    // The file changes after the check started: what runs is what was checked.
    writeFileSync(asl, JSON.stringify(INVALID));
    // Act
    const machine = await checkedStateMachine(asl);
    const result = await machine.run({}).result;
    // Assess
    expect(result).toEqual({ ok: true });
  });
});
