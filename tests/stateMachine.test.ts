import { describe, expect, it } from 'vitest';
import aslValidator from 'asl-validator';
import { PIPELINE_STEP_NAMES } from '../functions/core/steps/registry.js';
import { allStates, readDefinition } from './helpers/asl.js';

const definition = readDefinition();

describe('The pipeline state machine definition', () => {
  it('is valid Amazon States Language', () => {
    // Act
    const { isValid, errorsText } = aslValidator(definition);
    // Assess
    expect(errorsText()).toBe('');
    expect(isValid).toBe(true);
  });

  it('has a local handler for every Task state', () => {
    // Prepare
    const tasks = allStates(definition.States).filter(([, s]) => s.Type === 'Task').map(([name]) => name);
    // Assess
    expect(tasks.sort()).toEqual([...PIPELINE_STEP_NAMES, 'NormalizeTable', 'PublishAlert'].sort());
  });

  it('sends every failure of a step to RecordFailure, then the alert, then a Fail state', () => {
    // Prepare
    const steps = Object.entries(definition.States).filter(([name, s]) => (s.Type === 'Task' || s.Type === 'Map') && !['RecordFailure', 'PublishAlert'].includes(name));
    // Assess
    for (const [, state] of steps) expect(state.Catch?.map((c) => c.Next)).toEqual(['RecordFailure']);
    expect(definition.States.RecordFailure?.Next).toBe('PublishAlert');
    expect(definition.States.PublishAlert?.Next).toBe('PipelineFailed');
    expect(definition.States.PipelineFailed?.Type).toBe('Fail');
  });

  it('uses only JSONPath (aws-local-stepfunctions ignores JSONata silently)', () => {
    // Assess
    expect(JSON.stringify(definition)).not.toMatch(/"QueryLanguage"\s*:\s*"JSONata"|"Arguments"\s*:\s*"\{%/);
  });
});
