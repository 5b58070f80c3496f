import { makeHandler } from './makeHandler.js';

/** Lambda handler of the BuildFacts state. */
export const handler = makeHandler('BuildFacts');
