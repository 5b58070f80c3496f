import { makeHandler } from './makeHandler.js';

/** Lambda handler of the MarkBatchDone state. */
export const handler = makeHandler('MarkBatchDone');
