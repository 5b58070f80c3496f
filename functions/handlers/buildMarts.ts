import { makeHandler } from './makeHandler.js';

/** Lambda handler of the BuildMarts state. */
export const handler = makeHandler('BuildMarts');
