import { parseFreshness, type PipelineConfig } from '../../functions/core/config.js';

/** The pipeline config every test runs with unless it tests config: environment 'test', default freshness. */
export const TEST_CONFIG: PipelineConfig = { environment: 'test', freshness: parseFreshness(undefined) };

/** TEST_CONFIG with other freshness rules (JSON as ECOMDW_FRESHNESS takes it). */
export function testConfigWithFreshness(json: string): PipelineConfig {
  return { ...TEST_CONFIG, freshness: parseFreshness(json) };
}
