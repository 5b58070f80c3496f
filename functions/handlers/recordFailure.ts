import { makeHandler } from './makeHandler.js';

/** Lambda handler of the RecordFailure state. */
export const handler = makeHandler('RecordFailure');
