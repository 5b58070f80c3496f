import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NORMALIZE_STEP, PIPELINE_STEP_MANIFEST, PIPELINE_STEP_NAMES, STEP_DURATION_METRIC } from '../functions/core/pipelineManifest.js';
import { PIPELINE_STEPS } from '../functions/core/steps/registry.js';
import { DEFINITION_PLACEHOLDERS, functionArnPlaceholder } from '../infra/orchestration.js';
import { readDefinition, taskStates } from './helpers/asl.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const definition = readDefinition();
const tasks = taskStates(definition.States);

describe('The pipeline manifest', () => {
  it('names exactly the Task states of the ASL: its Lambda steps, and the Glue one', () => {
    // Prepare
    const lambda = tasks.filter(([, state]) => state.Resource === 'arn:aws:states:::lambda:invoke').map(([name]) => name);
    const glue = tasks.filter(([, state]) => state.Resource?.startsWith('arn:aws:states:::glue:')).map(([name]) => name);

    // Assess
    expect([...lambda].sort()).toEqual([...PIPELINE_STEP_NAMES].sort());
    expect(glue).toEqual([NORMALIZE_STEP]);
  });

  it('gives each Lambda step the function ARN placeholder its state invokes', () => {
    for (const entry of PIPELINE_STEP_MANIFEST) {
      // Prepare
      const state = definition.States[entry.state];

      // Assess
      expect(state?.Parameters?.FunctionName, entry.state).toBe(`\${${entry.functionArnPlaceholder}}`);
      expect(functionArnPlaceholder(entry.handler)).toBe(entry.functionArnPlaceholder);
      expect(DEFINITION_PLACEHOLDERS).toContain(entry.functionArnPlaceholder);
    }
  });

  it('is what the step registry dispatches and infra deploys, one handler module per step that runs its state', () => {
    // Assess
    expect(Object.keys(PIPELINE_STEPS)).toEqual(PIPELINE_STEP_NAMES);
    for (const entry of PIPELINE_STEP_MANIFEST) {
      const file = path.join(REPO, 'functions/handlers', `${entry.handler}.ts`);
      expect(existsSync(file), file).toBe(true);
      expect(readFileSync(file, 'utf8')).toContain(`makeHandler('${entry.state}')`);
    }
  });

  it('names the metrics the README lists, and no others', () => {
    // Prepare
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Metrics'), readme.indexOf('\n## ', readme.indexOf('## Metrics') + 1));
    const listed = [...section.matchAll(/`([A-Z][A-Za-z]+)`/g)].map((m) => m[1]);

    // Assess
    const named = [...PIPELINE_STEP_MANIFEST.flatMap((entry) => entry.metrics), STEP_DURATION_METRIC];
    expect([...new Set(listed)].sort()).toEqual([...new Set(named)].sort());
  });
});
