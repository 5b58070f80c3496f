import { makeHandler } from './makeHandler.js';

/** Lambda handler of the BuildDimensions state. */
export const handler = makeHandler('BuildDimensions');
