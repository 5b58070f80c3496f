import { readFileSync } from 'node:fs';
import { STATE_MACHINE_FILE } from '../../functions/local/localRunner.js';

/** An ASL state, with the fields the tests read. */
export interface AslState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Next?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly Retry?: readonly { ErrorEquals: string[] }[];
  readonly Catch?: readonly { ErrorEquals: string[]; Next: string }[];
  readonly ItemProcessor?: { readonly States: Record<string, AslState> };
}

/** An ASL definition: where it starts and its top-level states. */
export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
}

/** The pipeline's definition as statemachine/ holds it (placeholders unsubstituted). */
export function readDefinition(file: string = STATE_MACHINE_FILE): AslDefinition {
  return JSON.parse(readFileSync(file, 'utf8')) as AslDefinition;
}

/** Every state of a definition, the Map's inner states included, with its name. */
export function allStates(states: Record<string, AslState>): [string, AslState][] {
  return Object.entries(states).flatMap(([name, state]) => [[name, state] as [string, AslState], ...(state.ItemProcessor ? allStates(state.ItemProcessor.States) : [])]);
}

/** Every Task state, the Map's inner ones included. */
export function taskStates(states: Record<string, AslState>): [string, AslState][] {
  return allStates(states).filter(([, state]) => state.Type === 'Task');
}
